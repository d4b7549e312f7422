package io.peerz.gpu;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * JCuda's binding to the CUDA driver API, loaded once. Loading JCudaDriver extracts its JNI
 * library, which links against libcuda.so.1: on a machine without the NVIDIA driver that fails, and
 * the first failure's message is kept so every later caller gets the same reason (the JVM itself
 * reports only "Could not initialize class" the second time).
 */
final class CudaDriver {
  private static final String LOAD_FAILURE = load();

  private CudaDriver() {}

  private static String load() {
    try {
      // Results come back as codes that check() turns into GpuExceptions naming the call.
      JCudaDriver.setExceptionsEnabled(false);
      return null;
    } catch (LinkageError e) {
      return "JCuda's driver binding did not load: " + linkFailure(e);
    }
  }

  /**
   * The dlopen error inside JCuda's load failure ("...: libcuda.so.1: cannot open shared object
   * file: No such file or directory"): JCuda's message carries the nested stack traces of each way
   * it tried, and the last UnsatisfiedLinkError among them is the one that names the missing
   * library.
   */
  static String linkFailure(Throwable e) {
    String marker = "UnsatisfiedLinkError: ";
    String found = null;
    for (Throwable t = e; t != null && found == null; t = t.getCause()) {
      String m = t.getMessage() == null ? "" : t.getMessage();
      for (String line : m.split("\\R")) {
        int at = line.lastIndexOf(marker);
        if (at >= 0) {
          found = line.substring(at + marker.length()).trim();
        }
      }
    }
    if (found == null) {
      String m = e.getMessage() == null ? e.toString() : e.getMessage();
      found = m.split("\\R", 2)[0].trim();
    }
    return found;
  }

  /** Throws a GpuException with the load failure when the binding did not load. */
  static void requireLoaded() {
    if (LOAD_FAILURE != null) {
      throw new GpuException(LOAD_FAILURE);
    }
  }

  /** cuInit(0), once the binding is loaded; fails with CUDA_ERROR_NO_DEVICE when there is none. */
  static void init() {
    requireLoaded();
    check(cuInit(0), "cuInit");
  }

  /** Every device the driver sees, in ordinal order. */
  static List<GpuInfo> devices() {
    init();
    int[] count = new int[1];
    check(cuDeviceGetCount(count), "cuDeviceGetCount");
    List<GpuInfo> out = new ArrayList<>();
    for (int i = 0; i < count[0]; i++) {
      out.add(info(i));
    }
    return out;
  }

  /** The device with this ordinal; the driver must be initialized. */
  static GpuInfo info(int ordinal) {
    CUdevice device = new CUdevice();
    check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
    byte[] name = new byte[256];
    check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
    int end = 0;
    while (end < name.length && name[end] != 0) {
      end++;
    }
    long[] bytes = new long[1];
    check(cuDeviceTotalMem(bytes, device), "cuDeviceTotalMem");
    int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    int sms = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    int clockKhz = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
    return new GpuInfo(
        ordinal,
        new String(name, 0, end, StandardCharsets.UTF_8).trim(),
        bytes[0] >> 20,
        major + "." + minor,
        Math.max(sms, 0),
        Math.max(clockKhz, 0) / 1000);
  }

  /** The driver's CUDA version, "12.4" for 12040. */
  static String driverVersion() {
    requireLoaded();
    int[] v = new int[1];
    check(cuDriverGetVersion(v), "cuDriverGetVersion");
    return v[0] / 1000 + "." + (v[0] % 1000) / 10;
  }

  /** An attribute's value, or -1 when this driver does not report it. */
  private static int attribute(CUdevice device, int attribute) {
    int[] v = new int[1];
    return cuDeviceGetAttribute(v, attribute, device) == CUresult.CUDA_SUCCESS ? v[0] : -1;
  }

  /** Throws a GpuException naming the call and its CUresult unless it is CUDA_SUCCESS. */
  static void check(int result, String call) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new GpuException(
          call + " failed: " + CUresult.stringFor(result) + " (" + result + ")", result, null);
    }
  }

  /** The messages of a throwable and its causes, joined: JCuda puts the dlopen error in a cause. */
  static String messages(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (s.indexOf(m) < 0) {
        if (s.length() > 0) {
          s.append(": ");
        }
        s.append(m.replace('\n', ' ').trim());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return s.toString();
  }
}
