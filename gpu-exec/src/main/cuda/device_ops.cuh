// The PTX instructions the tensor-core kernel is built from, one inline function each, so that
// kernels-on-cpu.cpp can put a CPU emulation of exactly these operations in their place (it
// defines PEERZ_ON_CPU and its own versions before including a kernel source).
//
// cp.async needs sm_80 and PTX ISA 7.0; ldmatrix sm_75 and 6.5; mma.m16n8k32 with s8 operands
// sm_80 and 7.0. Register layouts are the PTX ISA's ("Matrix fragments for mma.m16n8k32"); with
// groupID g = lane / 4 and t = lane % 4:
//   A (16 x 32, row-major): a[0] = A[g][4t..4t+3], a[1] = A[g+8][4t..4t+3],
//                           a[2] = A[g][16+4t..16+4t+3], a[3] = A[g+8][16+4t..16+4t+3]
//   B (32 x 8, stored as its transpose, k contiguous): b[0] = B[4t..4t+3][g], b[1] = B[16+4t..][g]
//   C, D (16 x 8 int32): c[0], c[1] = C[g][2t], C[g][2t+1]; c[2], c[3] = C[g+8][2t], C[g+8][2t+1]
// (byte i of a register holds the element with the lowest index + i).
#pragma once

#ifndef PEERZ_ON_CPU

// One 16-byte global -> shared copy that completes asynchronously (L2 only: .cg).
__device__ __forceinline__ void cp_async_16(void *smem, const void *gmem) {
  unsigned int s = (unsigned int)__cvta_generic_to_shared(smem);
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(s), "l"(gmem));
}

// Closes the group of cp.async issued since the last commit.
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

// Waits until at most N of this thread's committed groups are still in flight.
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

// Four 8 x 16-byte matrices from shared memory: lanes 8j..8j+7 give the row addresses of matrix
// j; lane l receives bytes 4 (l % 4) .. 4 (l % 4) + 3 of row l / 4 of matrix j in r[j].
__device__ __forceinline__ void ldmatrix_x4(unsigned int (&r)[4], const void *smem) {
  unsigned int s = (unsigned int)__cvta_generic_to_shared(smem);
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(s));
}

// D = A x B + C on a 16 x 8 x 32 tile, signed bytes in, int32 accumulation (exact: no
// .satfinite, and the sums this project forms never leave int32).
__device__ __forceinline__ void mma_s8(int (&d)[4], const unsigned int (&a)[4],
                                       const unsigned int (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
      "{%8, %9}, {%0, %1, %2, %3};\n"
      : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

#define PEERZ_DYNAMIC_SMEM(name) extern __shared__ __align__(128) unsigned char name[]

#endif
