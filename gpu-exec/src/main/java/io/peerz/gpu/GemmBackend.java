package io.peerz.gpu;

import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.QuantizedLayer;
import io.peerz.attest.Workload;

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
   * The committed output of a seeded {@code int8-gemm-<n>} job: C = A x B for the inputs {@link
   * GemmInputs} regenerates from (seed, job id), as {@link OutputCommitment} commits to it. Here A
   * and B are generated on the host and multiplied by {@link #multiply(int, byte[], byte[])}; a
   * backend that runs the whole job on its device overrides it ({@link CudaBackend}: only the root,
   * the leaf hashes and the challenged rows cross the bus). The same root and proofs either way.
   */
  default OutputCommitment seededOutput(Workload workload, byte[] seed, long jobId) {
    GemmInputs in = GemmInputs.generate(workload, seed, jobId);
    return OutputCommitment.of(workload.n(), multiply(workload.n(), in.a(), in.b()));
  }

  /**
   * One mlp-int8 layer on {@code rows} int8 input rows (rows x in, row-major): exactly {@link
   * QuantizedLayer#forward}'s accumulators and outputs. Here the raw product runs through {@link
   * #multiply(int, int, int, byte[], byte[])} and the bias and requantization on the host; {@link
   * CudaBackend} runs both on the device.
   */
  default QuantizedLayer.Result layer(QuantizedLayer layer, int rows, byte[] input) {
    return layer.forward(rows, input, this::multiply);
  }

  /**
   * Whether {@link #multiplyFloat} runs on this backend (a caller falls back to the CPU if not).
   */
  boolean supportsFloat();

  /** Releases the backend's threads or device memory; later calls to multiply fail. */
  @Override
  void close();
}
