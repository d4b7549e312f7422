package io.peerz.gpu;

import static io.peerz.gpu.CudaDriver.check;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataJIT;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import io.peerz.attest.CpuGemm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUjit_option;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JITOptions;

/**
 * The int8-gemm product on an NVIDIA GPU through JCuda and the CUDA driver API: the PTX kernel
 * {@code int8_gemm.ptx} (generated from {@code src/main/cuda/int8_gemm.cu}, PTX ISA 7.0 for
 * compute_75, so any CUDA 11, 12 or 13 driver JIT-compiles it for its GPU) is loaded with
 * cuModuleLoadData into the device's primary context. Inputs whose side is not a multiple of the
 * kernel's 128 x 128 tile are padded with zeros, which add nothing to any sum. Calls are
 * serialized: one backend owns one set of device buffers.
 */
public final class CudaBackend implements GemmBackend {
  /** The kernel's entry point in the PTX. */
  static final String KERNEL_ENTRY = "int8_gemm_dp4a";

  /** The PTX resource, beside this class. */
  static final String KERNEL_RESOURCE = "int8_gemm.ptx";

  /** Side of the tile of C one thread block computes; the padded side is a multiple of it. */
  static final int TILE = 128;

  private static final int THREADS_X = 16;
  private static final int THREADS_Y = 16;

  private final GpuInfo info;
  private final String driverVersion;
  private final CUdevice device;
  private final CUcontext context;
  private final CUmodule module;
  private final CUfunction function;
  private final CUevent start = new CUevent();
  private final CUevent stop = new CUevent();
  private CUdeviceptr da;
  private CUdeviceptr db;
  private CUdeviceptr dc;
  private int capacity;
  private boolean closed;

  /** One product with the kernel's own time, measured by CUDA events around the launch. */
  public record Run(int[] c, double kernelMillis) {}

  private CudaBackend(int ordinal) {
    CudaDriver.init();
    this.info = CudaDriver.info(ordinal);
    this.driverVersion = CudaDriver.driverVersion();
    this.device = new CUdevice();
    check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
    this.context = new CUcontext();
    check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
    CUmodule loaded = null;
    try {
      check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
      loaded = loadModule(ptx());
      this.module = loaded;
      this.function = new CUfunction();
      check(cuModuleGetFunction(function, module, KERNEL_ENTRY), "cuModuleGetFunction");
      check(cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
      check(cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
    } catch (RuntimeException e) {
      if (loaded != null) {
        cuModuleUnload(loaded);
      }
      cuDevicePrimaryCtxRelease(device);
      throw e;
    }
  }

  /**
   * Opens device {@code ordinal}: loads the driver binding, initializes CUDA, retains the primary
   * context and loads the kernel. Throws a GpuException that says which step failed and why.
   */
  public static CudaBackend open(int ordinal) {
    return new CudaBackend(ordinal);
  }

  @Override
  public String name() {
    return "cuda";
  }

  /** The device this backend runs on. */
  public GpuInfo device() {
    return info;
  }

  /** The driver's CUDA version, e.g. "12.4". */
  public String driverVersion() {
    return driverVersion;
  }

  @Override
  public int[] multiply(int n, byte[] a, byte[] b) {
    return run(n, a, b).c();
  }

  /**
   * The square kernel on A and B placed in the top-left of zero p x p matrices, p the tile multiple
   * at or above the largest of m, k and n: the zeros add nothing to any sum.
   */
  @Override
  public int[] multiply(int m, int k, int n, byte[] a, byte[] b) {
    CpuGemm.checkShape(m, k, n, a, b);
    long side = Math.max(m, Math.max(k, n));
    long p = (side + TILE - 1) / TILE * TILE;
    if (p * p * 4 > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "m="
              + m
              + ", k="
              + k
              + ", n="
              + n
              + " pads to a "
              + p
              + " x "
              + p
              + " product, larger than this backend can stage");
    }
    int q = (int) p;
    int[] c = launch(q, pad(m, k, q, a), pad(k, n, q, b)).c();
    return unpad(m, n, q, c);
  }

  /** Why {@link #multiplyFloat} refuses: callers say it when they fall back to the CPU. */
  public static final String NO_FP32 =
      "the CUDA backend has no fp32-gemm kernel yet (int8_gemm.ptx holds only the int8 one);"
          + " run fp32-gemm jobs on the CPU backend";

  /** Always throws: there is no fp32 kernel in the PTX; see {@link #NO_FP32}. */
  @Override
  public float[] multiplyFloat(int n, float[] a, float[] b) {
    throw new UnsupportedOperationException(NO_FP32);
  }

  @Override
  public boolean supportsFloat() {
    return false;
  }

  /** C = A x B on the device, with the kernel's time. */
  public Run run(int n, byte[] a, byte[] b) {
    CpuGemm.checkShape(n, a, b);
    int p = (n + TILE - 1) / TILE * TILE;
    Run padded = launch(p, pad(n, n, p, a), pad(n, n, p, b));
    return new Run(unpad(n, n, p, padded.c()), padded.kernelMillis());
  }

  /** The kernel on p x p matrices, p a multiple of TILE. */
  private synchronized Run launch(int p, byte[] a, byte[] b) {
    if (closed) {
      throw new IllegalStateException("the CUDA backend is closed");
    }
    check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    reserve(p);
    long inputBytes = (long) p * p;
    check(cuMemcpyHtoD(da, Pointer.to(a), inputBytes), "cuMemcpyHtoD(A)");
    check(cuMemcpyHtoD(db, Pointer.to(b), inputBytes), "cuMemcpyHtoD(B)");
    Pointer params =
        Pointer.to(Pointer.to(da), Pointer.to(db), Pointer.to(dc), Pointer.to(new int[] {p}));
    check(cuEventRecord(start, null), "cuEventRecord");
    check(
        cuLaunchKernel(
            function, p / TILE, p / TILE, 1, THREADS_X, THREADS_Y, 1, 0, null, params, null),
        "cuLaunchKernel(" + KERNEL_ENTRY + ", n=" + p + ")");
    check(cuEventRecord(stop, null), "cuEventRecord");
    // A fault inside the kernel surfaces here, at the first call that waits for it.
    check(cuEventSynchronize(stop), KERNEL_ENTRY + " (n=" + p + ")");
    float[] millis = new float[1];
    check(cuEventElapsedTime(millis, start, stop), "cuEventElapsedTime");
    int[] cp = new int[p * p];
    check(cuMemcpyDtoH(Pointer.to(cp), dc, 4 * inputBytes), "cuMemcpyDtoH(C)");
    return new Run(cp, millis[0]);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    cuCtxSetCurrent(context);
    free();
    cuEventDestroy(start);
    cuEventDestroy(stop);
    cuModuleUnload(module);
    cuDevicePrimaryCtxRelease(device);
  }

  /** The kernel's PTX, as committed. */
  static byte[] ptx() {
    try (InputStream in = CudaBackend.class.getResourceAsStream(KERNEL_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(KERNEL_RESOURCE + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + KERNEL_RESOURCE, e);
    }
  }

  /**
   * cuModuleLoadData wants a NUL-terminated image. When the driver refuses the PTX, a second load
   * with a JIT error log buffer says why (an unsupported PTX version, a GPU older than sm_75).
   */
  private static CUmodule loadModule(byte[] ptx) {
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
            + KERNEL_RESOURCE
            + ") failed: "
            + CUresult.stringFor(result)
            + " ("
            + result
            + ")"
            + log,
        result,
        null);
  }

  /** Grows the device buffers to hold a p x p product; they are kept for later calls. */
  private void reserve(int p) {
    if (p <= capacity) {
      return;
    }
    free();
    long bytes = (long) p * p;
    da = new CUdeviceptr();
    db = new CUdeviceptr();
    dc = new CUdeviceptr();
    check(cuMemAlloc(da, bytes), "cuMemAlloc(A, " + bytes + " bytes)");
    check(cuMemAlloc(db, bytes), "cuMemAlloc(B, " + bytes + " bytes)");
    check(cuMemAlloc(dc, 4 * bytes), "cuMemAlloc(C, " + 4 * bytes + " bytes)");
    capacity = p;
  }

  private void free() {
    for (CUdeviceptr d : new CUdeviceptr[] {da, db, dc}) {
      if (d != null) {
        cuMemFree(d);
      }
    }
    da = null;
    db = null;
    dc = null;
    capacity = 0;
  }

  /** M (rows x cols) inside the top-left of a zero p x p matrix; M itself when it is p x p. */
  static byte[] pad(int rows, int cols, int p, byte[] m) {
    if (rows == p && cols == p) {
      return m;
    }
    byte[] out = new byte[p * p];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(m, r * cols, out, r * p, cols);
    }
    return out;
  }

  /** The top-left rows x cols of a p x p matrix. */
  static int[] unpad(int rows, int cols, int p, int[] m) {
    if (rows == p && cols == p) {
      return m;
    }
    int[] out = new int[rows * cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(m, r * p, out, r * cols, cols);
    }
    return out;
  }
}
