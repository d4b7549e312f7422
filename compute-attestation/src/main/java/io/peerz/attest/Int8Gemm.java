package io.peerz.attest;

/**
 * An INT8 x INT8 -> INT32 matrix product of any shape: row-major C (m x n) = A (m x k) x B (k x n),
 * exact. {@code CpuGemm::multiply} is one; the GPU executor's backends are others, and must give
 * the same bytes.
 */
@FunctionalInterface
public interface Int8Gemm {
  /** C = A x B. */
  int[] multiply(int m, int k, int n, byte[] a, byte[] b);
}
