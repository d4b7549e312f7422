// INT8 x INT8 -> INT32 matrix product on the tensor cores (mma.sync m16n8k32, sm_80 and newer):
// C (m x n) = A (m x k) x B (k x n), exact.
//
// Operands as the kernel reads them, padded on the device (CudaBackend, or the seeded-job
// kernels, lay them out; kernels-on-cpu.cpp does the same):
//   A:  mp x kp bytes, row-major (row pitch kp), zero beyond row m and column k;
//   Bt: np x kp bytes, B transposed (row j of Bt = column j of B), zero beyond row n and column k,
//       written by transpose_pad_i8 below; the tensor cores want B with k contiguous ("col").
//   mp is a multiple of BM, np of BN and kp of BK, so every load is in bounds and unpredicated;
//   the zeros add nothing to any sum. Only the epilogue looks at m and n.
//
// Exactness: an int8 x int8 product is at most 2^14 in magnitude, so for k <= 131,071
// (CpuGemm.MAX_INNER) every partial sum lies inside int32, and integer addition is associative:
// any tiling and order gives io.peerz.attest.CpuGemm's bits.
//
// Tiling (as CUTLASS's int8 "TN" sm80 kernels): a CTA of 8 warps computes a 128 x 256 tile of C;
// warp (wm, wn) of the 2 x 4 grid owns a 64 x 64 sub-tile, i.e. 4 x 8 mma tiles of 16 x 8, 128
// int32 accumulators per thread. k advances 128 bytes per stage; a stage is A's 128 x 128 bytes
// and Bt's 256 x 128 bytes in shared memory (48 KiB), with 3 stages in flight (144 KiB; the
// _2stage entry keeps 2, 96 KiB, for GPUs that give a block less than 144 KiB, such as sm_86 and
// sm_89), filled by cp.async 16 bytes at a time while the tensor cores work on an older stage. Rows of a stage
// are 128 bytes = 8 chunks of 16; chunk c of row r is stored at chunk c ^ (r % 8), so the eight
// row addresses of each ldmatrix phase fall on eight different chunks: all 32 banks, no
// conflict. CTAs walk the output in groups of GROUP_M tile rows, so the A and B panels a wave
// of CTAs reads stay in L2.
//
// The epilogue is a template parameter: int8_gemm_mma stores int32 C; a per-layer epilogue (e.g.
// requantization to int8 for the MLP workloads) is another functor and another extern "C" entry
// around the same main loop.
//
// The PTX beside this file is generated from it; the command is in regenerate-ptx.sh.

#include "device_ops.cuh"

#define MMA_BM 128
#define MMA_BN 256
#define MMA_BK 128
#define MMA_THREADS 256
#define MMA_GROUP_M 8
// Shared memory per stage, in bytes; a kernel with s stages needs s * MMA_STAGE of it.
#define MMA_STAGE_A (MMA_BM * MMA_BK)
#define MMA_STAGE_B (MMA_BN * MMA_BK)
#define MMA_STAGE (MMA_STAGE_A + MMA_STAGE_B)

#define WARP_M 64
#define WARP_N 64
#define TILES_M (WARP_M / 16)
#define TILES_N (WARP_N / 8)

// Byte offset of chunk c (16 bytes) of row r in a stage whose rows are MMA_BK = 128 bytes.
__device__ __forceinline__ int swizzled(int r, int c) { return r * MMA_BK + ((c ^ (r & 7)) << 4); }

// Issues the cp.async of one stage: rows [row0, row0 + BM) of A and [col0, col0 + BN) of Bt,
// bytes [k0, k0 + BK) of each.
__device__ __forceinline__ void load_stage(unsigned char *sa, unsigned char *sb,
                                           const signed char *a, const signed char *bt, int kp,
                                           int row0, int col0, int k0, int tid) {
#pragma unroll
  for (int i = 0; i < (MMA_BM * MMA_BK / 16) / MMA_THREADS; i++) {
    const int id = tid + i * MMA_THREADS;
    const int r = id / (MMA_BK / 16);
    const int c = id % (MMA_BK / 16);
    cp_async_16(sa + swizzled(r, c), a + (size_t)(row0 + r) * kp + k0 + c * 16);
  }
#pragma unroll
  for (int i = 0; i < (MMA_BN * MMA_BK / 16) / MMA_THREADS; i++) {
    const int id = tid + i * MMA_THREADS;
    const int r = id / (MMA_BK / 16);
    const int c = id % (MMA_BK / 16);
    cp_async_16(sb + swizzled(r, c), bt + (size_t)(col0 + r) * kp + k0 + c * 16);
  }
}

// The int32 epilogue: C[row][col] and C[row][col + 1], each only inside m x n (row pitch n).
struct StoreInt32 {
  int *c;
  int m;
  int n;
  __device__ __forceinline__ void operator()(int row, int col, int v0, int v1) const {
    if (row >= m) {
      return;
    }
    int *p = c + (size_t)row * n + col;
    if (col + 1 < n) {
      if ((((size_t)row * n + col) & 1) == 0) {
        *reinterpret_cast<int2 *>(p) = make_int2(v0, v1);
      } else {
        p[0] = v0;
        p[1] = v1;
      }
    } else if (col < n) {
      p[0] = v0;
    }
  }
};

// One CTA's 128 x 256 tile of A x Bt^T, handed to the epilogue as pairs of adjacent entries.
template <int STAGES, class Epilogue>
__device__ __forceinline__ void mma_gemm_cta(const signed char *__restrict__ a,
                                             const signed char *__restrict__ bt, int mp, int np,
                                             int kp, const Epilogue &epilogue) {
  PEERZ_DYNAMIC_SMEM(smem);
  unsigned char *sa = smem;
  unsigned char *sb = smem + STAGES * MMA_STAGE_A;

  const int tid = threadIdx.x;
  const int lane = tid & 31;
  const int warp = tid >> 5;
  const int wm = warp >> 2;  // 0..1
  const int wn = warp & 3;   // 0..3

  // Grouped raster: GROUP_M tile rows at a time, column tiles inside a group.
  const int tiles_m = mp / MMA_BM;
  const int tiles_n = np / MMA_BN;
  const int pid = blockIdx.x;
  const int per_group = MMA_GROUP_M * tiles_n;
  const int first_m = (pid / per_group) * MMA_GROUP_M;
  const int group_rows = min(tiles_m - first_m, MMA_GROUP_M);
  const int tile_m = first_m + (pid % per_group) % group_rows;
  const int tile_n = (pid % per_group) / group_rows;
  const int row0 = tile_m * MMA_BM;
  const int col0 = tile_n * MMA_BN;

  int acc[TILES_M][TILES_N][4];
#pragma unroll
  for (int i = 0; i < TILES_M; i++) {
#pragma unroll
    for (int j = 0; j < TILES_N; j++) {
#pragma unroll
      for (int v = 0; v < 4; v++) {
        acc[i][j][v] = 0;
      }
    }
  }

  const int ktiles = kp / MMA_BK;
#pragma unroll
  for (int s = 0; s < STAGES - 1; s++) {
    if (s < ktiles) {
      load_stage(sa + s * MMA_STAGE_A, sb + s * MMA_STAGE_B, a, bt, kp, row0, col0, s * MMA_BK,
                 tid);
    }
    // Empty groups too: group g always holds stage g's copies, so wait<STAGES-2> below always
    // means "stage kt has landed".
    cp_async_commit();
  }

  // ldmatrix row addresses that do not depend on k: A's matrices 0..3 are rows 0-7 / 8-15 at k
  // chunk 0 / 1 of a 16 x 32 tile; Bt's are rows 0-7 at chunks 0 / 1, then rows 8-15 (the next
  // n-tile) at chunks 0 / 1.
  const int a_row = wm * WARP_M + (lane & 15);
  const int a_chunk = lane >> 4;
  const int b_row = wn * WARP_N + (lane & 7) + ((lane >> 4) << 3);
  const int b_chunk = (lane >> 3) & 1;

  for (int kt = 0; kt < ktiles; kt++) {
    cp_async_wait<STAGES - 2>();
    // Stage kt is visible to every thread, and every warp is done with stage kt - 1, which the
    // load below refills.
    __syncthreads();
    const int next = kt + STAGES - 1;
    if (next < ktiles) {
      const int s = next % STAGES;
      load_stage(sa + s * MMA_STAGE_A, sb + s * MMA_STAGE_B, a, bt, kp, row0, col0,
                 next * MMA_BK, tid);
    }
    cp_async_commit();

    const unsigned char *ta = sa + (kt % STAGES) * MMA_STAGE_A;
    const unsigned char *tb = sb + (kt % STAGES) * MMA_STAGE_B;
#pragma unroll
    for (int kk = 0; kk < MMA_BK / 32; kk++) {
      unsigned int af[TILES_M][4];
      unsigned int bf[TILES_N][2];
#pragma unroll
      for (int i = 0; i < TILES_M; i++) {
        const int r = a_row + i * 16;
        ldmatrix_x4(af[i], ta + swizzled(r, kk * 2 + a_chunk));
      }
#pragma unroll
      for (int j = 0; j < TILES_N / 2; j++) {
        const int r = b_row + j * 16;
        unsigned int t[4];
        ldmatrix_x4(t, tb + swizzled(r, kk * 2 + b_chunk));
        bf[2 * j][0] = t[0];
        bf[2 * j][1] = t[1];
        bf[2 * j + 1][0] = t[2];
        bf[2 * j + 1][1] = t[3];
      }
#pragma unroll
      for (int i = 0; i < TILES_M; i++) {
#pragma unroll
        for (int j = 0; j < TILES_N; j++) {
          mma_s8(acc[i][j], af[i], bf[j]);
        }
      }
    }
  }
  // No cp.async is left in flight that writes anything: the last groups committed were empty.
  cp_async_wait<0>();

  const int g = lane >> 2;
  const int t = lane & 3;
#pragma unroll
  for (int i = 0; i < TILES_M; i++) {
#pragma unroll
    for (int j = 0; j < TILES_N; j++) {
      const int row = row0 + wm * WARP_M + i * 16 + g;
      const int col = col0 + wn * WARP_N + j * 8 + 2 * t;
      epilogue(row, col, acc[i][j][0], acc[i][j][1]);
      epilogue(row + 8, col, acc[i][j][2], acc[i][j][3]);
    }
  }
}

// C = A x B as int32, m x n row-major. Grid: (mp / BM) * (np / BN) CTAs of 256 threads, 3 *
// MMA_STAGE bytes of dynamic shared memory.
extern "C" __global__ void __launch_bounds__(MMA_THREADS, 1)
    int8_gemm_mma(const signed char *__restrict__ a, const signed char *__restrict__ bt,
                  int *__restrict__ c, int m, int n, int mp, int np, int kp) {
  StoreInt32 store{c, m, n};
  mma_gemm_cta<3>(a, bt, mp, np, kp, store);
}

// The same with 2 stages: 2 * MMA_STAGE bytes of dynamic shared memory.
extern "C" __global__ void __launch_bounds__(MMA_THREADS, 1)
    int8_gemm_mma_2stage(const signed char *__restrict__ a, const signed char *__restrict__ bt,
                         int *__restrict__ c, int m, int n, int mp, int np, int kp) {
  StoreInt32 store{c, m, n};
  mma_gemm_cta<2>(a, bt, mp, np, kp, store);
}

#define TRANSPOSE_TILE 64

// Bt (np x kp) = B^T padded with zeros: Bt[j][i] = B[i][j] for i < k, j < n, else 0. B is k x n
// row-major (row pitch n). Grid (np / 64, kp / 64), 64 x 4 threads: each block turns a 64 x 64
// byte tile around in shared memory, so reads run along B's rows and writes along Bt's.
extern "C" __global__ void __launch_bounds__(256)
    transpose_pad_i8(const signed char *__restrict__ b, int k, int n,
                     signed char *__restrict__ bt, int kp) {
  __shared__ signed char tile[TRANSPOSE_TILE][TRANSPOSE_TILE + 1];
  const int j0 = blockIdx.x * TRANSPOSE_TILE;
  const int i0 = blockIdx.y * TRANSPOSE_TILE;
  const int tx = threadIdx.x;
  const int ty = threadIdx.y;
#pragma unroll 4
  for (int r = ty; r < TRANSPOSE_TILE; r += 4) {
    const int i = i0 + r;
    const int j = j0 + tx;
    tile[r][tx] = (i < k && j < n) ? b[(size_t)i * n + j] : (signed char)0;
  }
  __syncthreads();
#pragma unroll 4
  for (int r = ty; r < TRANSPOSE_TILE; r += 4) {
    bt[(size_t)(j0 + r) * kp + i0 + tx] = tile[tx][r];
  }
}
