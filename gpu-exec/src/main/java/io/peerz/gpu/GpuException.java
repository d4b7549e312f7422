package io.peerz.gpu;

/**
 * A CUDA step that failed: the driver call, its CUresult name and code, or why the driver could not
 * be reached at all (no libcuda, no device).
 */
public final class GpuException extends RuntimeException {
  private final int result;

  GpuException(String message, int result, Throwable cause) {
    super(message, cause);
    this.result = result;
  }

  GpuException(String message) {
    this(message, -1, null);
  }

  /** The CUresult code, or -1 when no driver call produced one. */
  public int result() {
    return result;
  }
}
