// INT8 x INT8 -> INT32 matrix product C = A x B for the peerz workload int8-gemm-<n>.
//
// The kernel for GPUs without int8 tensor cores (before sm_80); int8_gemm_mma.cu is the one for
// sm_80 and newer. C (m x n) = A (m x k) x B (k x n) with operands padded on the device: A is
// mp x kp and B kp x np, row-major, zero beyond the real m, k and n, mp, np and kp multiples of
// 128 (the zeros add nothing to any sum); C is m x n row-major, written only inside m x n. Every
// product of two int8 values is at most 2^14 in magnitude, so for k <= 131,071
// (CpuGemm.MAX_INNER) int32 accumulation is exact and the result equals io.peerz.attest.CpuGemm
// bit for bit, whatever the summation order.
//
// One block of 16 x 16 threads computes a 128 x 128 tile of C; each thread owns 8 x 8 outputs
// (rows ty + 16 i, columns tx + 16 j). The k dimension advances in steps of 32 bytes: the block
// stages a 128 x 32 slice of A and a 32 x 128 slice of B in shared memory, both packed as four
// consecutive k values per 32-bit word, so one __dp4a multiplies and adds four pairs. B's slice
// is transposed on the way in (each thread reads a 4 x 4 byte block and regroups its bytes), so
// both operands of __dp4a come straight from shared memory.
//
// The PTX beside this file is generated from it; the command is in regenerate-ptx.sh.

#define TILE 128
#define TILE_K 32
#define WORDS_K (TILE_K / 4)
// One extra word per row keeps the threads of a warp on distinct shared-memory banks.
#define STRIDE (WORDS_K + 1)
#define THREADS_X 16
#define THREADS_Y 16
#define PER_THREAD (TILE / THREADS_X)

// The k-th byte (0 = least significant) of a word, as an unsigned value.
__device__ __forceinline__ unsigned int byte_of(unsigned int w, int k) {
  return (w >> (8 * k)) & 0xffu;
}

extern "C" __global__ void __launch_bounds__(THREADS_X * THREADS_Y)
int8_gemm_dp4a(const int *__restrict__ a, const int *__restrict__ b, int *__restrict__ c, int m,
               int n, int np, int kp) {
  __shared__ int as[TILE][STRIDE];
  __shared__ int bs[TILE][STRIDE];

  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
  const int t = ty * THREADS_X + tx;
  const int row0 = blockIdx.y * TILE;
  const int col0 = blockIdx.x * TILE;
  // Matrices are read as 32-bit words: a row of A is kp / 4 words, a row of B np / 4.
  const int a_words = kp / 4;
  const int b_words = np / 4;

  int acc[PER_THREAD][PER_THREAD];
#pragma unroll
  for (int i = 0; i < PER_THREAD; i++) {
#pragma unroll
    for (int j = 0; j < PER_THREAD; j++) {
      acc[i][j] = 0;
    }
  }

  for (int k0 = 0; k0 < kp; k0 += TILE_K) {
    // A slice: 128 rows x 8 words = 1024 words, four per thread; words k0/4 .. k0/4 + 7 of a row
    // already hold A[r][k..k+3] packed in the order __dp4a expects.
#pragma unroll
    for (int s = 0; s < (TILE * WORDS_K) / (THREADS_X * THREADS_Y); s++) {
      const int idx = t + s * THREADS_X * THREADS_Y;
      const int r = idx / WORDS_K;
      const int q = idx % WORDS_K;
      as[r][q] = a[(size_t)(row0 + r) * a_words + k0 / 4 + q];
    }
    // B slice: 32 rows x 128 columns, as 8 groups of 4 rows x 32 groups of 4 columns: one 4 x 4
    // byte block per thread. Word w[r] holds B[k + r][j .. j + 3]; column j + col of the block
    // packs byte col of w[0], w[1], w[2], w[3].
    {
      const int kq = t / 32;
      const int jg = t % 32;
      unsigned int w[4];
#pragma unroll
      for (int r = 0; r < 4; r++) {
        w[r] = (unsigned int)b[(size_t)(k0 + 4 * kq + r) * b_words + col0 / 4 + jg];
      }
#pragma unroll
      for (int col = 0; col < 4; col++) {
        bs[4 * jg + col][kq] = (int)(byte_of(w[0], col) | (byte_of(w[1], col) << 8) |
                                     (byte_of(w[2], col) << 16) | (byte_of(w[3], col) << 24));
      }
    }
    __syncthreads();

#pragma unroll
    for (int q = 0; q < WORDS_K; q++) {
      int av[PER_THREAD];
      int bv[PER_THREAD];
#pragma unroll
      for (int i = 0; i < PER_THREAD; i++) {
        av[i] = as[ty + THREADS_Y * i][q];
        bv[i] = bs[tx + THREADS_X * i][q];
      }
#pragma unroll
      for (int i = 0; i < PER_THREAD; i++) {
#pragma unroll
        for (int j = 0; j < PER_THREAD; j++) {
          acc[i][j] = __dp4a(av[i], bv[j], acc[i][j]);
        }
      }
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < PER_THREAD; i++) {
    const int row = row0 + ty + THREADS_Y * i;
#pragma unroll
    for (int j = 0; j < PER_THREAD; j++) {
      const int col = col0 + tx + THREADS_X * j;
      if (row < m && col < n) {
        c[(size_t)row * n + col] = acc[i][j];
      }
    }
  }
}
