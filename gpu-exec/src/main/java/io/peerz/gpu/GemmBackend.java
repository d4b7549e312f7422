package io.peerz.gpu;

/**
 * A device that runs the {@code int8-gemm-<n>} product: C = A x B for row-major n x n int8 A and B,
 * row-major n x n int32 C, equal entry for entry (so byte for byte once serialized) to {@link
 * io.peerz.attest.CpuGemm#multiply(int, byte[], byte[])}; and, where it can, the {@code
 * fp32-gemm-<n>} product in float32, in any summation order (the chain checks it to a tolerance).
 */
public interface GemmBackend extends AutoCloseable {
  /** {@code cpu} or {@code cuda}. */
  String name();

  /**
   * C = A x B; throws IllegalArgumentException for a side outside 1..4096 or arrays that do not
   * hold n * n entries, as CpuGemm does.
   */
  int[] multiply(int n, byte[] a, byte[] b);

  /**
   * C = A x B for row-major int8 A (m x k) and B (k x n): row-major int32 C (m x n), equal entry
   * for entry to {@link io.peerz.attest.CpuGemm#multiply(int, int, int, byte[], byte[])}; throws
   * IllegalArgumentException for the shapes that refuses.
   */
  int[] multiply(int m, int k, int n, byte[] a, byte[] b);

  /**
   * C = A x B in float32; throws UnsupportedOperationException when {@link #supportsFloat()} is
   * false, and IllegalArgumentException for bad shapes as {@link #multiply} does.
   */
  float[] multiplyFloat(int n, float[] a, float[] b);

  /**
   * Whether {@link #multiplyFloat} runs on this backend (a caller falls back to the CPU if not).
   */
  boolean supportsFloat();

  /** Releases the backend's threads or device memory; later calls to multiply fail. */
  @Override
  void close();
}
