package io.peerz.gpu;

import static io.peerz.gpu.CudaDriver.check;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpy2DAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataJIT;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUDA_MEMCPY2D;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmemorytype;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JITOptions;

/**
 * A CUDA device through JCuda and the driver API: the primary context of one GPU, the project's PTX
 * modules that this GPU can run, three non-blocking streams, and pinned host staging buffers.
 * Uploads go from the Java array into one of two pinned buffers and from there to the device
 * asynchronously, so the next chunk is staged while the previous one crosses the bus; downloads
 * come back the same way. A PTX module that the driver refuses is left out with its reason ({@link
 * #problems}); the others still load.
 */
final class CudaDevice implements Device {
  /** A PTX resource beside this class, and the compute capability (x 10) it needs. */
  record Module(String resource, int minCapability) {}

  /** The project's modules: what each kernel name is loaded from. */
  static final List<Module> MODULES =
      List.of(
          new Module("int8_gemm.ptx", 61),
          new Module("fp32_gemm.ptx", 61),
          new Module("seeded_job.ptx", 61),
          new Module("requantize.ptx", 61),
          new Module("int8_gemm_mma.ptx", 80));

  /** Bytes of one pinned staging buffer; two for uploads, two for downloads. */
  static final int STAGING_BYTES = 16 << 20;

  private final CUdevice device = new CUdevice();
  private final CUcontext context = new CUcontext();
  private final int capability;
  private final int sharedOptIn;
  private final List<CUmodule> modules = new ArrayList<>();
  private final Map<String, CUfunction> functions = new HashMap<>();
  private final Map<String, String> problems = new LinkedHashMap<>();
  private final CUstream[] streams = new CUstream[3];
  private final Map<Long, CUdeviceptr> buffers = new HashMap<>();
  private final Map<Long, CUevent> events = new HashMap<>();
  private final ArrayDeque<CUevent> spareEvents = new ArrayDeque<>();
  private final Staging[] uploads = new Staging[2];
  private final Staging[] downloads = new Staging[2];
  private long nextId = 1;
  private int nextUpload;
  private boolean closed;

  /** A pinned host buffer and the event after its last copy. */
  private static final class Staging {
    final Pointer host = new Pointer();
    ByteBuffer bytes;
    final CUevent done = new CUevent();
    boolean pending;
  }

  CudaDevice(int ordinal) {
    CudaDriver.init();
    check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
    check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
    try {
      check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
      capability =
          attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
              + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
      sharedOptIn =
          attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
      for (Module m : MODULES) {
        if (capability < m.minCapability()) {
          problems.put(
              m.resource(),
              "needs sm_" + m.minCapability() + " or newer; this GPU is sm_" + capability);
          continue;
        }
        try {
          CUmodule loaded = load(m.resource());
          modules.add(loaded);
          for (String entry : entries(m.resource())) {
            CUfunction f = new CUfunction();
            check(cuModuleGetFunction(f, loaded, entry), "cuModuleGetFunction(" + entry + ")");
            functions.put(entry, f);
          }
        } catch (GpuException e) {
          problems.put(m.resource(), e.getMessage());
        }
      }
      for (int s = 0; s < streams.length; s++) {
        streams[s] = new CUstream();
        check(cuStreamCreate(streams[s], CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
      }
      for (int i = 0; i < 2; i++) {
        uploads[i] = staging();
        downloads[i] = staging();
      }
    } catch (RuntimeException e) {
      release();
      throw e;
    }
  }

  /** The GPU's compute capability times ten (90 for sm_90). */
  int capability() {
    return capability;
  }

  /** The most dynamic shared memory one block may ask for, in bytes. */
  int sharedOptIn() {
    return sharedOptIn;
  }

  /** PTX modules that did not load, with the reason. */
  Map<String, String> problems() {
    return problems;
  }

  /**
   * Lets {@code kernel} use {@code bytes} of dynamic shared memory (above 48 KiB a block must opt
   * in). Throws a GpuException when the device refuses.
   */
  void allowShared(String kernel, int bytes) {
    check(
        cuFuncSetAttribute(
            function(kernel),
            CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
            bytes),
        "cuFuncSetAttribute(" + kernel + ", max dynamic shared memory " + bytes + ")");
  }

  @Override
  public boolean has(String kernel) {
    return functions.containsKey(kernel);
  }

  @Override
  public Ptr alloc(long bytes) {
    current();
    CUdeviceptr p = new CUdeviceptr();
    check(cuMemAlloc(p, Math.max(bytes, 1)), "cuMemAlloc(" + bytes + " bytes)");
    long id = nextId++;
    buffers.put(id, p);
    Ptr ptr = new Ptr(id, 0);
    // Zeroed before anything else touches it, on any stream: buffers are rare and kept.
    zero(ptr, bytes, COMPUTE);
    check(cuCtxSynchronize(), "zeroing a new device buffer");
    return ptr;
  }

  @Override
  public void free(Ptr buffer) {
    CUdeviceptr p = buffers.remove(buffer.buffer());
    if (p != null) {
      current();
      cuMemFree(p);
    }
  }

  @Override
  public void zero(Ptr at, long bytes, int stream) {
    if (bytes > 0) {
      check(cuMemsetD8Async(pointer(at), (byte) 0, bytes, streams[stream]), "cuMemsetD8Async");
    }
  }

  @Override
  public void upload(byte[] src, int srcOffset, int width, int rows, Ptr at, long pitch, int s) {
    upload(
        width,
        rows,
        at,
        pitch,
        s,
        (buffer, row, count) -> buffer.put(src, srcOffset + row * width, count * width));
  }

  @Override
  public void upload(float[] src, int srcOffset, int width, int rows, Ptr at, long pitch, int s) {
    upload(
        4 * width,
        rows,
        at,
        pitch,
        s,
        (buffer, row, count) ->
            buffer.asFloatBuffer().put(src, srcOffset + row * width, count * width));
  }

  /** Fills a staging buffer with rows [row, row + count) of the source. */
  @FunctionalInterface
  private interface Stager {
    void stage(ByteBuffer buffer, int row, int count);
  }

  private void upload(int width, int rows, Ptr at, long pitch, int stream, Stager stager) {
    if (width <= 0 || rows <= 0) {
      return;
    }
    current();
    if (width > STAGING_BYTES) {
      throw new IllegalArgumentException(
          "rows of " + width + " bytes are longer than a staging buffer");
    }
    int perChunk = STAGING_BYTES / width;
    for (int row = 0; row < rows; row += perChunk) {
      int count = Math.min(perChunk, rows - row);
      Staging st = uploads[nextUpload];
      nextUpload ^= 1;
      settle(st);
      ByteBuffer b = st.bytes.clear();
      stager.stage(b, row, count);
      CUDA_MEMCPY2D copy = new CUDA_MEMCPY2D();
      copy.srcMemoryType = CUmemorytype.CU_MEMORYTYPE_HOST;
      copy.srcHost = st.host;
      copy.srcPitch = width;
      copy.dstMemoryType = CUmemorytype.CU_MEMORYTYPE_DEVICE;
      copy.dstDevice = pointer(at.plus(row * pitch));
      copy.dstPitch = pitch;
      copy.WidthInBytes = width;
      copy.Height = count;
      check(cuMemcpy2DAsync(copy, streams[stream]), "cuMemcpy2DAsync(host to device)");
      check(cuEventRecord(st.done, streams[stream]), "cuEventRecord");
      st.pending = true;
    }
  }

  @Override
  public void download(Ptr at, byte[] dst, int stream) {
    download(at, dst.length, stream, (buffer, from, count) -> buffer.get(dst, (int) from, count));
  }

  @Override
  public void download(Ptr at, int[] dst, int dstOffset, int count, int stream) {
    download(
        at,
        4L * count,
        stream,
        (buffer, from, bytes) ->
            buffer.asIntBuffer().get(dst, dstOffset + (int) (from / 4), bytes / 4));
  }

  @Override
  public void download(Ptr at, float[] dst, int dstOffset, int count, int stream) {
    download(
        at,
        4L * count,
        stream,
        (buffer, from, bytes) ->
            buffer.asFloatBuffer().get(dst, dstOffset + (int) (from / 4), bytes / 4));
  }

  /** Takes {@code count} bytes that start {@code from} bytes into the download from a buffer. */
  @FunctionalInterface
  private interface Taker {
    void take(ByteBuffer buffer, long from, int count);
  }

  /**
   * Two pinned buffers in turn: chunk i + 1 crosses the bus while chunk i is copied into the Java
   * array.
   */
  private void download(Ptr at, long bytes, int stream, Taker taker) {
    if (bytes <= 0) {
      return;
    }
    current();
    int chunk = STAGING_BYTES;
    long chunks = (bytes + chunk - 1) / chunk;
    for (long i = 0; i <= chunks; i++) {
      if (i < chunks) {
        Staging st = downloads[(int) (i & 1)];
        long from = i * chunk;
        int count = (int) Math.min(chunk, bytes - from);
        check(
            cuMemcpyDtoHAsync(st.host, pointer(at.plus(from)), count, streams[stream]),
            "cuMemcpyDtoHAsync");
        check(cuEventRecord(st.done, streams[stream]), "cuEventRecord");
        st.pending = true;
      }
      if (i > 0) {
        Staging st = downloads[(int) ((i - 1) & 1)];
        settle(st);
        long from = (i - 1) * chunk;
        int count = (int) Math.min(chunk, bytes - from);
        taker.take(st.bytes.clear(), from, count);
      }
    }
  }

  @Override
  public void launch(
      String kernel, int[] grid, int[] block, int sharedBytes, int stream, Object... args) {
    current();
    Pointer[] params = new Pointer[args.length];
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof Ptr p) {
        params[i] = Pointer.to(pointer(p));
      } else if (args[i] instanceof Integer v) {
        params[i] = Pointer.to(new int[] {v});
      } else {
        throw new IllegalArgumentException("kernel parameter " + i + " is " + args[i]);
      }
    }
    check(
        cuLaunchKernel(
            function(kernel),
            grid[0],
            grid[1],
            grid[2],
            block[0],
            block[1],
            block[2],
            sharedBytes,
            streams[stream],
            Pointer.to(params),
            null),
        "cuLaunchKernel(" + kernel + ", grid " + Arrays.toString(grid) + ")");
  }

  @Override
  public long record(int stream) {
    current();
    CUevent e = spareEvents.isEmpty() ? newEvent() : spareEvents.pop();
    check(cuEventRecord(e, streams[stream]), "cuEventRecord");
    long id = nextId++;
    events.put(id, e);
    return id;
  }

  @Override
  public void await(int stream, long event) {
    check(cuStreamWaitEvent(streams[stream], event(event), 0), "cuStreamWaitEvent");
  }

  @Override
  public void release(long event) {
    CUevent e = events.remove(event);
    if (e != null) {
      spareEvents.push(e);
    }
  }

  @Override
  public double elapsedMillis(long from, long to) {
    check(cuEventSynchronize(event(to)), "cuEventSynchronize");
    float[] ms = new float[1];
    check(cuEventElapsedTime(ms, event(from), event(to)), "cuEventElapsedTime");
    return ms[0];
  }

  @Override
  public void synchronize() {
    current();
    // A fault inside a kernel surfaces here, at the first call that waits for it.
    check(cuCtxSynchronize(), "a kernel or copy on the GPU");
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      release();
    }
  }

  private void release() {
    cuCtxSetCurrent(context);
    cuCtxSynchronize();
    for (CUdeviceptr p : buffers.values()) {
      cuMemFree(p);
    }
    buffers.clear();
    for (Staging[] pair : new Staging[][] {uploads, downloads}) {
      for (Staging st : pair) {
        if (st != null) {
          cuMemFreeHost(st.host);
          cuEventDestroy(st.done);
        }
      }
    }
    for (CUevent e : events.values()) {
      cuEventDestroy(e);
    }
    events.clear();
    for (CUevent e : spareEvents) {
      cuEventDestroy(e);
    }
    spareEvents.clear();
    for (CUstream s : streams) {
      if (s != null) {
        cuStreamDestroy(s);
      }
    }
    for (CUmodule m : modules) {
      cuModuleUnload(m);
    }
    modules.clear();
    cuDevicePrimaryCtxRelease(device);
  }

  private Staging staging() {
    Staging st = new Staging();
    check(cuMemAllocHost(st.host, STAGING_BYTES), "cuMemAllocHost(" + STAGING_BYTES + " bytes)");
    st.bytes = st.host.getByteBuffer(0, STAGING_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    check(cuEventCreate(st.done, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
    return st;
  }

  /** Waits until the last copy through this staging buffer is done. */
  private static void settle(Staging st) {
    if (st.pending) {
      check(cuEventSynchronize(st.done), "a copy between host and GPU");
      st.pending = false;
    }
  }

  private CUevent newEvent() {
    CUevent e = new CUevent();
    check(cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
    return e;
  }

  private CUevent event(long id) {
    CUevent e = events.get(id);
    if (e == null) {
      throw new IllegalArgumentException("no event " + id);
    }
    return e;
  }

  private CUfunction function(String kernel) {
    CUfunction f = functions.get(kernel);
    if (f == null) {
      throw new GpuException("kernel " + kernel + " is not loaded: " + problems);
    }
    return f;
  }

  private CUdeviceptr pointer(Ptr p) {
    CUdeviceptr d = buffers.get(p.buffer());
    if (d == null) {
      throw new IllegalArgumentException("no device buffer " + p.buffer());
    }
    return p.offset() == 0 ? d : d.withByteOffset(p.offset());
  }

  private void current() {
    if (closed) {
      throw new IllegalStateException("the CUDA device is closed");
    }
    check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  private int attribute(int attribute) {
    int[] v = new int[1];
    return cuDeviceGetAttribute(v, attribute, device) == CUresult.CUDA_SUCCESS ? v[0] : -1;
  }

  /** The kernel entry points a PTX module declares ({@code .visible .entry name(}). */
  static List<String> entries(String resource) {
    String ptx = new String(ptx(resource), java.nio.charset.StandardCharsets.US_ASCII);
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^\\.visible \\.entry (\\w+)\\(").matcher(ptx);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** A PTX module as committed. */
  static byte[] ptx(String resource) {
    try (InputStream in = CudaDevice.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  /**
   * cuModuleLoadData wants a NUL-terminated image. When the driver refuses the PTX, a second load
   * with a JIT error log buffer says why (an unsupported PTX version, a GPU too old for it).
   */
  private static CUmodule load(String resource) {
    byte[] ptx = ptx(resource);
    byte[] image = Arrays.copyOf(ptx, ptx.length + 1);
    CUmodule m = new CUmodule();
    int result = cuModuleLoadData(m, image);
    if (result == CUresult.CUDA_SUCCESS) {
      return m;
    }
    String log = "";
    try {
      JITOptions options = new JITOptions();
      options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, new byte[8192]);
      options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, 8192);
      CUmodule retry = new CUmodule();
      if (cuModuleLoadDataJIT(retry, Pointer.to(image), options) == CUresult.CUDA_SUCCESS) {
        cuModuleUnload(retry);
      }
      String s = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
      log = s == null || s.isBlank() ? "" : "; JIT log: " + s.trim();
    } catch (RuntimeException | LinkageError e) {
      log = "; no JIT log (" + e + ")";
    }
    throw new GpuException(
        "cuModuleLoadData("
            + resource
            + ") failed: "
            + CUresult.stringFor(result)
            + " ("
            + result
            + ")"
            + log,
        result,
        null);
  }
}
