package io.peerz.gpu;

/**
 * What {@link CudaBackend} asks of a GPU: device memory, copies, kernel launches and ordering
 * between streams. {@link CudaDevice} is the CUDA driver through JCuda; the tests' emulated device
 * (gpu-exec's {@code device-on-cpu.cpp} behind a pipe) is the same interface on the CPU, so the
 * backend's planning and the kernels are checked where there is no GPU.
 *
 * <p>Work on one stream runs in order; work on different streams may overlap unless ordered by
 * {@link #record} and {@link #await}. Host arrays handed to an upload may be reused once the call
 * returns; a download returns once the bytes are in the array. Buffers are zero-filled when
 * allocated.
 */
interface Device extends AutoCloseable {
  /** The stream kernels run on. */
  int COMPUTE = 0;

  /** The stream host-to-device copies run on. */
  int UPLOAD = 1;

  /** The stream device-to-host copies and the Merkle kernels run on. */
  int DOWNLOAD = 2;

  /** A place in device memory: a buffer from {@link #alloc} and a byte offset into it. */
  record Ptr(long buffer, long offset) {
    /** This place moved by {@code bytes}. */
    Ptr plus(long bytes) {
      return new Ptr(buffer, offset + bytes);
    }
  }

  /** Whether a kernel of this name is loaded (a PTX module may be missing on an older GPU). */
  boolean has(String kernel);

  /** A zero-filled buffer of {@code bytes} bytes. */
  Ptr alloc(long bytes);

  /** Releases a buffer from {@link #alloc}. */
  void free(Ptr buffer);

  /** Sets {@code bytes} bytes at {@code at} to zero, on {@code stream}. */
  void zero(Ptr at, long bytes, int stream);

  /**
   * Copies {@code rows} rows of {@code width} bytes, consecutive in {@code src} from {@code
   * srcOffset}, to rows {@code pitch} bytes apart from {@code at}, on {@code stream}.
   */
  void upload(byte[] src, int srcOffset, int width, int rows, Ptr at, long pitch, int stream);

  /** As {@link #upload(byte[], int, int, int, Ptr, long, int)} for floats (width in floats). */
  void upload(float[] src, int srcOffset, int width, int rows, Ptr at, long pitch, int stream);

  /**
   * Copies {@code dst.length} bytes from {@code at}, on {@code stream}; returns when they are in.
   */
  void download(Ptr at, byte[] dst, int stream);

  /** Copies ints from {@code at} into dst[dstOffset .. dstOffset + count), on {@code stream}. */
  void download(Ptr at, int[] dst, int dstOffset, int count, int stream);

  /** Copies floats from {@code at} into dst[dstOffset .. dstOffset + count), on {@code stream}. */
  void download(Ptr at, float[] dst, int dstOffset, int count, int stream);

  /**
   * Launches {@code kernel} on {@code stream}: grid and block as {x, y, z}, {@code sharedBytes} of
   * dynamic shared memory, and its parameters in order, each a {@link Ptr} or an Integer.
   */
  void launch(String kernel, int[] grid, int[] block, int sharedBytes, int stream, Object... args);

  /** Marks the point {@code stream} has reached; the result is an event for {@link #await}. */
  long record(int stream);

  /** Makes {@code stream} wait until the work before {@code event} is done. */
  void await(int stream, long event);

  /** Returns an event from {@link #record} for reuse. */
  void release(long event);

  /** Milliseconds between two recorded events, once the later one has happened. */
  double elapsedMillis(long from, long to);

  /** Returns once every stream's work is done; a kernel's fault surfaces here. */
  void synchronize();

  /** Releases events, streams and staging memory; later calls fail. */
  @Override
  void close();
}
