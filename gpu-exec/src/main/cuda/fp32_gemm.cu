// FP32 x FP32 -> FP32 matrix product for the fp32-gemm workload on the CUDA cores: plain IEEE
// binary32 fused multiply-adds (fmaf), never TF32 or any tensor-core format, because the chain's
// tolerance (FloatRowCheck) is calibrated for float32 accumulation. Each entry of C sums its k
// products with k ascending, one fmaf at a time.
//
// Operands padded on the device as for the int8 kernels: A mp x kp, B kp x np, row-major, zero
// beyond the real m, k, n; mp, np and kp multiples of 128 (FP32_TILE) and 8 (FP32_TILE_K). C is
// m x n row-major, written only inside m x n.
//
// One block of 16 x 16 threads computes a 128 x 128 tile of C; each thread owns 8 x 8 entries
// (rows ty + 16 i, columns tx + 16 j), k advances 8 at a time through 128 x 8 and 8 x 128 slices
// staged in shared memory (A's slice stored k-major, so both operands are read along a row).
//
// The PTX beside this file is generated from it; the command is in regenerate-ptx.sh.

#define FP32_TILE 128
#define FP32_TILE_K 8
#define FP32_THREADS_X 16
#define FP32_THREADS_Y 16
#define FP32_PER_THREAD (FP32_TILE / FP32_THREADS_X)

extern "C" __global__ void __launch_bounds__(FP32_THREADS_X *FP32_THREADS_Y)
    fp32_gemm(const float *__restrict__ a, const float *__restrict__ b, float *__restrict__ c,
              int m, int n, int np, int kp) {
  __shared__ float as[FP32_TILE_K][FP32_TILE];
  __shared__ float bs[FP32_TILE_K][FP32_TILE];

  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int t = ty * FP32_THREADS_X + tx;
  const int row0 = blockIdx.y * FP32_TILE;
  const int col0 = blockIdx.x * FP32_TILE;

  float acc[FP32_PER_THREAD][FP32_PER_THREAD];
#pragma unroll
  for (int i = 0; i < FP32_PER_THREAD; i++) {
#pragma unroll
    for (int j = 0; j < FP32_PER_THREAD; j++) {
      acc[i][j] = 0.0f;
    }
  }

  for (int k0 = 0; k0 < kp; k0 += FP32_TILE_K) {
    // 128 x 8 of A and 8 x 128 of B: 1024 floats each, four per thread.
#pragma unroll
    for (int s = 0; s < 4; s++) {
      const int idx = t + s * FP32_THREADS_X * FP32_THREADS_Y;
      const int ar = idx / FP32_TILE_K;
      const int ak = idx % FP32_TILE_K;
      as[ak][ar] = a[(size_t)(row0 + ar) * kp + k0 + ak];
      const int bk = idx / FP32_TILE;
      const int bc = idx % FP32_TILE;
      bs[bk][bc] = b[(size_t)(k0 + bk) * np + col0 + bc];
    }
    __syncthreads();
#pragma unroll
    for (int k = 0; k < FP32_TILE_K; k++) {
      float av[FP32_PER_THREAD];
      float bv[FP32_PER_THREAD];
#pragma unroll
      for (int i = 0; i < FP32_PER_THREAD; i++) {
        av[i] = as[k][ty + FP32_THREADS_Y * i];
        bv[i] = bs[k][tx + FP32_THREADS_X * i];
      }
#pragma unroll
      for (int i = 0; i < FP32_PER_THREAD; i++) {
#pragma unroll
        for (int j = 0; j < FP32_PER_THREAD; j++) {
          acc[i][j] = __fmaf_rn(av[i], bv[j], acc[i][j]);
        }
      }
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < FP32_PER_THREAD; i++) {
    const int row = row0 + ty + FP32_THREADS_Y * i;
#pragma unroll
    for (int j = 0; j < FP32_PER_THREAD; j++) {
      const int col = col0 + tx + FP32_THREADS_X * j;
      if (row < m && col < n) {
        c[(size_t)row * n + col] = acc[i][j];
      }
    }
  }
}
