package io.peerz.gpu;

/**
 * A device that runs the {@code int8-gemm-<n>} product: C = A x B for row-major n x n int8 A and B,
 * row-major n x n int32 C, equal entry for entry (so byte for byte once serialized) to {@link
 * io.peerz.attest.CpuGemm#multiply(int, byte[], byte[])}.
 */
public interface GemmBackend extends AutoCloseable {
  /** {@code cpu} or {@code cuda}. */
  String name();

  /**
   * C = A x B; throws IllegalArgumentException for a side outside 1..4096 or arrays that do not
   * hold n * n entries, as CpuGemm does.
   */
  int[] multiply(int n, byte[] a, byte[] b);

  /** Releases the backend's threads or device memory; later calls to multiply fail. */
  @Override
  void close();
}
