package io.peerz.gpu;

import io.peerz.attest.CpuGemm;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.QuantizedLayer;
import io.peerz.attest.Workload;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The int8-gemm and fp32-gemm products on an NVIDIA GPU. On sm_80 and newer the int8 product runs
 * on the tensor cores ({@code int8_gemm_mma}: mma.sync m16n8k32, int32 accumulation), on older GPUs
 * on the CUDA cores ({@code int8_gemm_dp4a}); the choice is made once per device when it opens and
 * logged ({@link #kernel()}, {@link #kernelReason()}). Both give {@link CpuGemm}'s exact int32
 * values for any m x k x n with k up to {@link CpuGemm#MAX_INNER}. fp32 runs a plain FP32 kernel
 * (fused multiply-adds in binary32, no TF32).
 *
 * <p>Operands are padded on the device, never on the host: each row is copied into a buffer whose
 * pitch is a multiple of the kernel's tile, and the padding is zero, which adds nothing to any sum;
 * B is transposed on the device for the tensor cores. Device buffers are kept between calls. The
 * int8 product runs in panels of rows so the copies of A in and of C out (through pinned buffers,
 * on their own streams) overlap the kernel. A seeded benchmark job ({@link #seeded}) generates A
 * and B on the GPU and hashes C there, so only the root, the leaves and the challenged rows cross
 * the bus. Calls are serialized: one backend owns one set of device buffers.
 */
public final class CudaBackend implements GemmBackend {
  private static final Logger log = LoggerFactory.getLogger(CudaBackend.class);

  /** The int8 kernels a GPU may run. */
  public enum Int8Kernel {
    /** Tensor cores: mma.sync m16n8k32 with int8 operands (sm_80 and newer). */
    MMA,
    /** CUDA cores: dp4a, four int8 products per instruction (any GPU from sm_61). */
    DP4A
  }

  /** The tensor-core kernel's tile of C and its k step, as int8_gemm_mma.cu defines them. */
  static final int MMA_BM = 128;

  static final int MMA_BN = 256;
  static final int MMA_BK = 128;

  /** Shared memory one stage of the tensor-core kernel takes, in bytes. */
  static final int MMA_STAGE = (MMA_BM + MMA_BN) * MMA_BK;

  /** The dp4a and fp32 kernels' tile: every padded side is a multiple of it. */
  static final int TILE = 128;

  /** Rows of A and C per launch of the tensor-core kernel, so copies overlap the kernel. */
  static final int PANEL_ROWS = 2048;

  /** The 18 ASCII bytes the seeded inputs' streams start with (docs/attestation.md "Inputs"). */
  static final byte[] INPUT_DOMAIN = "peerz/int8-gemm/v1".getBytes(StandardCharsets.US_ASCII);

  /** Why {@link #multiplyFloat} refuses on a device without the fp32 kernel. */
  public static final String NO_FP32 =
      "the fp32-gemm kernel did not load on this GPU; run fp32-gemm jobs on the CPU backend";

  /** The int8 kernel picked for a device: which, its entry point, shared memory, and why. */
  record KernelChoice(Int8Kernel kernel, String entry, int sharedBytes, String reason) {}

  private final Device device;
  private final GpuInfo info;
  private final String driverVersion;
  private final KernelChoice choice;
  private final Map<String, Slot> slots = new HashMap<>();
  private long jobs;
  private boolean closed;

  /** A device buffer kept between calls, grown when a job needs more. */
  private record Slot(Device.Ptr ptr, long bytes) {}

  /** One product with the time its kernels took on the GPU, measured by CUDA events. */
  public record Run(int[] c, double kernelMillis) {}

  CudaBackend(
      Device device,
      GpuInfo info,
      String driverVersion,
      int capability,
      int sharedOptIn,
      Map<String, String> problems,
      Int8Kernel forced) {
    this.device = device;
    this.info = info;
    this.driverVersion = driverVersion;
    this.choice = choose(capability, sharedOptIn, device.has("int8_gemm_mma"), problems, forced);
    log.info(
        "gemm kernel={} device=\"{}\" reason=\"{}\"",
        choice.entry(),
        info.describe(),
        choice.reason());
  }

  /**
   * Opens device {@code ordinal} with the kernel its compute capability allows: loads the driver
   * binding, initializes CUDA, retains the primary context and loads the PTX. Throws a GpuException
   * that says which step failed and why.
   */
  public static CudaBackend open(int ordinal) {
    return open(ordinal, null);
  }

  /**
   * As {@link #open(int)}, with the int8 kernel forced ({@code null}: the device's best); a forced
   * MMA on a GPU that cannot run it fails with the reason.
   */
  public static CudaBackend open(int ordinal, Int8Kernel forced) {
    CudaDevice device = new CudaDevice(ordinal);
    try {
      CudaBackend backend =
          new CudaBackend(
              device,
              CudaDriver.info(ordinal),
              CudaDriver.driverVersion(),
              device.capability(),
              device.sharedOptIn(),
              device.problems(),
              forced);
      if (backend.choice.sharedBytes() > 48 * 1024) {
        try {
          device.allowShared(backend.choice.entry(), backend.choice.sharedBytes());
        } catch (GpuException e) {
          if (forced == Int8Kernel.MMA) {
            throw e;
          }
          // The device said no to the opt-in after all: dp4a needs none.
          log.warn("gemm kernel={} unusable reason=\"{}\"", backend.choice.entry(), e.getMessage());
          Map<String, String> problems = new HashMap<>(device.problems());
          problems.put("int8_gemm_mma.ptx", e.getMessage());
          return new CudaBackend(
              device,
              backend.info,
              backend.driverVersion,
              device.capability(),
              device.sharedOptIn(),
              problems,
              Int8Kernel.DP4A);
        }
      }
      return backend;
    } catch (RuntimeException e) {
      device.close();
      throw e;
    }
  }

  /**
   * The int8 kernel for a device: the tensor cores from sm_80 on when the module loaded and a block
   * may have the shared memory for three stages (or two), else dp4a; {@code forced} overrides.
   */
  static KernelChoice choose(
      int capability,
      int sharedOptIn,
      boolean mmaLoaded,
      Map<String, String> problems,
      Int8Kernel forced) {
    String why;
    if (forced == Int8Kernel.DP4A) {
      return new KernelChoice(Int8Kernel.DP4A, "int8_gemm_dp4a", 0, "dp4a kernel requested");
    } else if (capability < 80) {
      why = "sm_" + capability + " has no int8 mma.sync (tensor-core kernel needs sm_80)";
    } else if (!mmaLoaded) {
      why = "the tensor-core module did not load: " + problems.get("int8_gemm_mma.ptx");
    } else if (sharedOptIn >= 3 * MMA_STAGE) {
      return new KernelChoice(
          Int8Kernel.MMA,
          "int8_gemm_mma",
          3 * MMA_STAGE,
          "sm_" + capability + ": int8 tensor cores, mma.sync m16n8k32, 3-stage cp.async pipeline");
    } else if (sharedOptIn >= 2 * MMA_STAGE) {
      return new KernelChoice(
          Int8Kernel.MMA,
          "int8_gemm_mma_2stage",
          2 * MMA_STAGE,
          "sm_"
              + capability
              + ": int8 tensor cores, mma.sync m16n8k32, 2 stages ("
              + sharedOptIn
              + " bytes of shared memory per block)");
    } else {
      why = "a block gets only " + sharedOptIn + " bytes of shared memory";
    }
    if (forced == Int8Kernel.MMA) {
      throw new GpuException("the tensor-core kernel was requested but cannot run: " + why);
    }
    return new KernelChoice(Int8Kernel.DP4A, "int8_gemm_dp4a", 0, "dp4a kernel: " + why);
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

  /** The int8 kernel this device runs. */
  public Int8Kernel kernel() {
    return choice.kernel();
  }

  /** The int8 kernel's entry point, e.g. {@code int8_gemm_mma}. */
  public String kernelEntry() {
    return choice.entry();
  }

  /** Why this kernel was chosen for this device, in words for a log line or a report. */
  public String kernelReason() {
    return choice.reason();
  }

  @Override
  public int[] multiply(int n, byte[] a, byte[] b) {
    CpuGemm.checkShape(n, a, b);
    return run(n, n, n, a, b).c();
  }

  @Override
  public int[] multiply(int m, int k, int n, byte[] a, byte[] b) {
    CpuGemm.checkShape(m, k, n, a, b);
    return run(m, k, n, a, b).c();
  }

  /** C = A x B on the device for n x n inputs, with the kernels' time. */
  public Run run(int n, byte[] a, byte[] b) {
    CpuGemm.checkShape(n, a, b);
    return run(n, n, n, a, b);
  }

  /**
   * C = A x B on the device (m x k times k x n), with the time from the first kernel's start to the
   * last one's end (which includes waits for A's panels when the bus is slower than the kernel).
   */
  public synchronized Run run(int m, int k, int n, byte[] a, byte[] b) {
    CpuGemm.checkShape(m, k, n, a, b);
    open();
    jobs++;
    return choice.kernel() == Int8Kernel.MMA ? runMma(m, k, n, a, b) : runDp4a(m, k, n, a, b);
  }

  private Run runMma(int m, int k, int n, byte[] a, byte[] b) {
    Launched l = launchMma(m, k, n, a, b);
    int[] c = new int[m * n];
    for (int p = 0; p < l.done().length; p++) {
      int r0 = p * PANEL_ROWS;
      int rows = Math.min(PANEL_ROWS, m - r0);
      device.await(Device.DOWNLOAD, l.done()[p]);
      device.download(l.c().plus(4L * r0 * n), c, r0 * n, rows * n, Device.DOWNLOAD);
    }
    device.synchronize();
    double millis = l.millis(device);
    l.release(device);
    return new Run(c, millis);
  }

  /**
   * A product whose kernels are queued: C on the device at {@code c}, the event before the first
   * kernel, the event after each panel (the last one ends the product), and other events to
   * release.
   */
  private record Launched(Device.Ptr c, long start, long[] done, long[] others) {
    long last() {
      return done[done.length - 1];
    }

    double millis(Device device) {
      return device.elapsedMillis(start, last());
    }

    void release(Device device) {
      device.release(start);
      for (long e : done) {
        device.release(e);
      }
      for (long e : others) {
        device.release(e);
      }
    }
  }

  private Launched launchMma(int m, int k, int n, byte[] a, byte[] b) {
    int mp = up(m, MMA_BM);
    int np = up(n, MMA_BN);
    int kp = up(k, MMA_BK);
    Device.Ptr da = buffer("a", (long) mp * kp);
    Device.Ptr db = buffer("b", (long) k * n);
    Device.Ptr dbt = buffer("bt", (long) np * kp);
    Device.Ptr dc = buffer("c", 4L * m * n);
    device.upload(b, 0, n, k, db, n, Device.UPLOAD);
    long bIn = device.record(Device.UPLOAD);
    device.await(Device.COMPUTE, bIn);
    transpose(db, k, n, dbt, np, kp);
    if (mp != m || kp != k) {
      device.zero(da, (long) mp * kp, Device.UPLOAD);
    }
    int panels = (m + PANEL_ROWS - 1) / PANEL_ROWS;
    long[] done = new long[panels];
    long start = 0;
    for (int p = 0; p < panels; p++) {
      int r0 = p * PANEL_ROWS;
      int rows = Math.min(PANEL_ROWS, m - r0);
      device.upload(a, r0 * k, k, rows, da.plus((long) r0 * kp), kp, Device.UPLOAD);
      long in = device.record(Device.UPLOAD);
      device.await(Device.COMPUTE, in);
      device.release(in);
      if (p == 0) {
        start = device.record(Device.COMPUTE);
      }
      mma(da.plus((long) r0 * kp), dbt, dc.plus(4L * r0 * n), rows, n, np, kp);
      done[p] = device.record(Device.COMPUTE);
    }
    return new Launched(dc, start, done, new long[] {bIn});
  }

  private Run runDp4a(int m, int k, int n, byte[] a, byte[] b) {
    Launched l = launchDp4a(m, k, n, a, b);
    device.await(Device.DOWNLOAD, l.last());
    int[] c = new int[m * n];
    device.download(l.c(), c, 0, m * n, Device.DOWNLOAD);
    device.synchronize();
    double millis = l.millis(device);
    l.release(device);
    return new Run(c, millis);
  }

  private Launched launchDp4a(int m, int k, int n, byte[] a, byte[] b) {
    int mp = up(m, TILE);
    int np = up(n, TILE);
    int kp = up(k, TILE);
    Device.Ptr da = buffer("a", (long) mp * kp);
    Device.Ptr db = buffer("b", (long) kp * np);
    Device.Ptr dc = buffer("c", 4L * m * n);
    if (mp != m || kp != k) {
      device.zero(da, (long) mp * kp, Device.UPLOAD);
    }
    if (kp != k || np != n) {
      device.zero(db, (long) kp * np, Device.UPLOAD);
    }
    device.upload(a, 0, k, m, da, kp, Device.UPLOAD);
    device.upload(b, 0, n, k, db, np, Device.UPLOAD);
    long in = device.record(Device.UPLOAD);
    device.await(Device.COMPUTE, in);
    long start = device.record(Device.COMPUTE);
    device.launch(
        "int8_gemm_dp4a",
        new int[] {np / TILE, mp / TILE, 1},
        new int[] {16, 16, 1},
        0,
        Device.COMPUTE,
        da,
        db,
        dc,
        m,
        n,
        np,
        kp);
    long stop = device.record(Device.COMPUTE);
    return new Launched(dc, start, new long[] {stop}, new long[] {in});
  }

  /**
   * One mlp-int8 layer with its epilogue on the device: the raw product X W^T by the int8 kernel,
   * then {@code requantize_i8} adds the folded bias and requantizes in place, so the accumulators
   * and the int8 outputs come back together, equal byte for byte to {@link QuantizedLayer#forward}.
   * Without the requantize module (a driver that refused it) the epilogue runs on the host.
   */
  @Override
  public synchronized QuantizedLayer.Result layer(QuantizedLayer layer, int rows, byte[] input) {
    if (!device.has("requantize_i8")) {
      return GemmBackend.super.layer(layer, rows, input);
    }
    int k = layer.inFeatures();
    int n = layer.outFeatures();
    if (rows < 1 || (long) rows * k != input.length) {
      throw new IllegalArgumentException(
          "the input must hold rows x "
              + k
              + " entries for rows >= 1, got "
              + input.length
              + " for "
              + rows
              + " rows");
    }
    if ((long) rows * n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          rows + " rows x " + n + " features do not fit one Java array");
    }
    byte[] w = layer.weight();
    byte[] b = new byte[w.length];
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < k; i++) {
        b[i * n + j] = w[j * k + i]; // B = W^T, in x out
      }
    }
    int channels = layer.perChannel() ? n : 1;
    byte[] params = new byte[4 * (n + 2 * channels)];
    ints(params, 0, layer.foldedBias());
    ints(params, 4 * n, layer.multipliers());
    ints(params, 4 * (n + channels), layer.shifts());
    open();
    jobs++;
    Launched l =
        choice.kernel() == Int8Kernel.MMA
            ? launchMma(rows, k, n, input, b)
            : launchDp4a(rows, k, n, input, b);
    Device.Ptr dp = buffer("layer-params", params.length);
    Device.Ptr dout = buffer("layer-out", (long) rows * n);
    device.upload(params, 0, params.length, 1, dp, params.length, Device.UPLOAD);
    long in = device.record(Device.UPLOAD);
    device.await(Device.COMPUTE, in);
    long total = (long) rows * n;
    device.launch(
        "requantize_i8",
        new int[] {(int) ((total + 255) / 256), 1, 1},
        new int[] {256, 1, 1},
        0,
        Device.COMPUTE,
        l.c(),
        rows,
        n,
        dp,
        dp.plus(4L * n),
        dp.plus(4L * (n + channels)),
        layer.perChannel() ? 1 : 0,
        layer.outputZeroPoint(),
        layer.activation().low(layer.outputZeroPoint()),
        dout);
    long done = device.record(Device.COMPUTE);
    device.await(Device.DOWNLOAD, done);
    int[] accumulators = new int[rows * n];
    device.download(l.c(), accumulators, 0, rows * n, Device.DOWNLOAD);
    byte[] outputs = new byte[rows * n];
    device.download(dout, outputs, Device.DOWNLOAD);
    device.synchronize();
    l.release(device);
    device.release(in);
    device.release(done);
    return new QuantizedLayer.Result(rows, n, accumulators, outputs);
  }

  /** {@code values} as little-endian int32 into {@code out} from {@code at}. */
  private static void ints(byte[] out, int at, int[] values) {
    for (int i = 0; i < values.length; i++) {
      int v = values[i];
      out[at + 4 * i] = (byte) v;
      out[at + 4 * i + 1] = (byte) (v >>> 8);
      out[at + 4 * i + 2] = (byte) (v >>> 16);
      out[at + 4 * i + 3] = (byte) (v >>> 24);
    }
  }

  /**
   * The kernel alone: one launch over the whole m x k x n product on the buffers the last {@link
   * #run} of the same shape left on the device, timed by CUDA events; for benchmarks.
   */
  public synchronized double kernelMillis(int m, int k, int n) {
    open();
    long start = device.record(Device.COMPUTE);
    if (choice.kernel() == Int8Kernel.MMA) {
      mma(slot("a"), slot("bt"), slot("c"), m, n, up(n, MMA_BN), up(k, MMA_BK));
    } else {
      device.launch(
          "int8_gemm_dp4a",
          new int[] {up(n, TILE) / TILE, up(m, TILE) / TILE, 1},
          new int[] {16, 16, 1},
          0,
          Device.COMPUTE,
          slot("a"),
          slot("b"),
          slot("c"),
          m,
          n,
          up(n, TILE),
          up(k, TILE));
    }
    long stop = device.record(Device.COMPUTE);
    device.synchronize();
    double millis = device.elapsedMillis(start, stop);
    device.release(start);
    device.release(stop);
    return millis;
  }

  /** One launch of the tensor-core kernel: rows of A from {@code a}, C's rows from {@code c}. */
  private void mma(Device.Ptr a, Device.Ptr bt, Device.Ptr c, int rows, int n, int np, int kp) {
    int mp = up(rows, MMA_BM);
    device.launch(
        choice.entry(),
        new int[] {(mp / MMA_BM) * (np / MMA_BN), 1, 1},
        new int[] {256, 1, 1},
        choice.sharedBytes(),
        Device.COMPUTE,
        a,
        bt,
        c,
        rows,
        n,
        mp,
        np,
        kp);
  }

  /** Bt (np x kp, zero-padded) = B^T for B k x n, on the compute stream. */
  private void transpose(Device.Ptr b, int k, int n, Device.Ptr bt, int np, int kp) {
    device.launch(
        "transpose_pad_i8",
        new int[] {np / 64, kp / 64, 1},
        new int[] {64, 4, 1},
        0,
        Device.COMPUTE,
        b,
        k,
        n,
        bt,
        kp);
  }

  @Override
  public boolean supportsFloat() {
    return device.has("fp32_gemm");
  }

  /**
   * C = A x B in float32 with the FP32 kernel: each entry sums its n products with k ascending in
   * fused multiply-adds (binary32, no TF32), within the workload's tolerance of the CPU's.
   */
  @Override
  public synchronized float[] multiplyFloat(int n, float[] a, float[] b) {
    if (n <= 0 || n > Workload.MAX_N) {
      throw new IllegalArgumentException("matrix side " + n + " must be in 1.." + Workload.MAX_N);
    }
    if (a.length != n * n || b.length != n * n) {
      throw new IllegalArgumentException(
          "matrices must hold n*n = "
              + n * n
              + " entries, got A "
              + a.length
              + " and B "
              + b.length);
    }
    if (!supportsFloat()) {
      throw new UnsupportedOperationException(NO_FP32);
    }
    open();
    jobs++;
    int p = up(n, TILE);
    Device.Ptr da = buffer("fa", 4L * p * p);
    Device.Ptr db = buffer("fb", 4L * p * p);
    Device.Ptr dc = buffer("fc", 4L * n * n);
    if (p != n) {
      device.zero(da, 4L * p * p, Device.UPLOAD);
      device.zero(db, 4L * p * p, Device.UPLOAD);
    }
    device.upload(a, 0, n, n, da, 4L * p, Device.UPLOAD);
    device.upload(b, 0, n, n, db, 4L * p, Device.UPLOAD);
    long in = device.record(Device.UPLOAD);
    device.await(Device.COMPUTE, in);
    device.launch(
        "fp32_gemm",
        new int[] {p / TILE, p / TILE, 1},
        new int[] {16, 16, 1},
        0,
        Device.COMPUTE,
        da,
        db,
        dc,
        n,
        n,
        p,
        p);
    long stop = device.record(Device.COMPUTE);
    device.await(Device.DOWNLOAD, stop);
    float[] c = new float[n * n];
    device.download(dc, c, 0, n * n, Device.DOWNLOAD);
    device.synchronize();
    device.release(in);
    device.release(stop);
    return c;
  }

  /**
   * A seeded benchmark job on the device: A and B regenerated from (seed, job id) on the GPU as
   * {@link GemmInputs} defines them, C = A x B, and C's Merkle root (OutputCommitment's) computed
   * there; only the root and the n leaf hashes come back. {@code n} is a multiple of 64 (any size
   * the GPU's memory holds, including sides above {@link Workload#MAX_N}). The result's rows can be
   * read back until the next call on this backend.
   */
  public synchronized SeededProduct seeded(int n, byte[] seed, long jobId) {
    if (n < Workload.MIN_N || n % Workload.N_STEP != 0 || n > CpuGemm.MAX_INNER) {
      throw new IllegalArgumentException(
          "seeded side "
              + n
              + " must be a multiple of "
              + Workload.N_STEP
              + " in "
              + Workload.MIN_N
              + ".."
              + CpuGemm.MAX_INNER);
    }
    if ((long) n * n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("seeded side " + n + ": C would not fit one Java array");
    }
    if (seed == null || seed.length != GemmInputs.SEED_LENGTH) {
      throw new IllegalArgumentException(
          "workload seed must be " + GemmInputs.SEED_LENGTH + " bytes");
    }
    if (choice.kernel() != Int8Kernel.MMA) {
      throw new UnsupportedOperationException(
          "seeded jobs on the GPU need the tensor-core kernel; " + choice.reason());
    }
    open();
    long job = ++jobs;
    int np = up(n, MMA_BN);
    int kp = up(n, MMA_BK);
    int mp = kp;
    Device.Ptr heads = buffer("heads", 2 * 16 * 4);
    Device.Ptr da = buffer("a", (long) mp * kp);
    Device.Ptr db = buffer("b", (long) n * n);
    Device.Ptr dbt = buffer("bt", (long) np * kp);
    Device.Ptr dc = buffer("c", 4L * n * n);
    Device.Ptr leaves = buffer("leaves", 32L * n);
    Device.Ptr s0 = buffer("s0", 32L * (n / 2 + 1));
    Device.Ptr s1 = buffer("s1", 32L * (n / 2 + 1));
    Device.Ptr root = buffer("root", 32);

    byte[] headBytes = new byte[2 * 16 * 4];
    System.arraycopy(headWords(seed, jobId, (byte) 'A'), 0, headBytes, 0, 64);
    System.arraycopy(headWords(seed, jobId, (byte) 'B'), 0, headBytes, 64, 64);
    device.upload(headBytes, 0, headBytes.length, 1, heads, headBytes.length, Device.UPLOAD);
    long in = device.record(Device.UPLOAD);
    device.await(Device.COMPUTE, in);
    long start = device.record(Device.COMPUTE);
    if (kp != n) {
      device.zero(da, (long) mp * kp, Device.COMPUTE);
    }
    generate(heads, da, n, kp);
    generate(heads.plus(64), db, n, n);
    transpose(db, n, n, dbt, np, kp);
    int panels = (n + PANEL_ROWS - 1) / PANEL_ROWS;
    long gemmStart = device.record(Device.COMPUTE);
    long gemmEnd = 0;
    for (int p = 0; p < panels; p++) {
      int r0 = p * PANEL_ROWS;
      int rows = Math.min(PANEL_ROWS, n - r0);
      mma(da.plus((long) r0 * kp), dbt, dc.plus(4L * r0 * n), rows, n, np, kp);
      long panel = device.record(Device.COMPUTE);
      // The leaves of this panel are hashed on another stream while the next panel multiplies.
      device.await(Device.DOWNLOAD, panel);
      device.launch(
          "merkle_leaves",
          new int[] {(rows + 31) / 32, 1, 1},
          new int[] {32, 1, 1},
          0,
          Device.DOWNLOAD,
          dc.plus(4L * r0 * n),
          rows,
          n,
          r0,
          leaves.plus(32L * r0));
      if (p == panels - 1) {
        gemmEnd = panel;
      } else {
        device.release(panel);
      }
    }
    device.launch(
        "merkle_root",
        new int[] {1, 1, 1},
        new int[] {512, 1, 1},
        0,
        Device.DOWNLOAD,
        leaves,
        n,
        s0,
        s1,
        root);
    long end = device.record(Device.DOWNLOAD);
    byte[] rootWords = new byte[32];
    device.download(root, rootWords, Device.DOWNLOAD);
    byte[] leafWords = new byte[32 * n];
    device.download(leaves, leafWords, Device.DOWNLOAD);
    device.synchronize();
    double total = device.elapsedMillis(start, end);
    double gemm = device.elapsedMillis(gemmStart, gemmEnd);
    for (long e : new long[] {in, start, gemmStart, gemmEnd, end}) {
      device.release(e);
    }
    byte[][] leafHashes = new byte[n][];
    for (int i = 0; i < n; i++) {
      leafHashes[i] = digest(leafWords, 32 * i);
    }
    return new SeededProduct(this, job, n, digest(rootWords, 0), leafHashes, total, gemm);
  }

  /**
   * A seeded int8 job from seed to root on the device ({@link #seeded}) when the tensor-core kernel
   * runs here, else the host's inputs through {@link #multiply(int, byte[], byte[])}. Only the leaf
   * hashes come back; a challenge's rows are read from the device while it still holds C, and
   * recomputed on the host ({@link CpuGemm#seededRows}) once another job has run; either way the
   * commitment checks each row against its leaf before it is revealed.
   */
  @Override
  public OutputCommitment seededOutput(Workload workload, byte[] seed, long jobId) {
    if (choice.kernel() != Int8Kernel.MMA || workload.isFloat()) {
      return GemmBackend.super.seededOutput(workload, seed, jobId);
    }
    SeededProduct product = seeded(workload.n(), seed, jobId);
    int n = product.n();
    byte[][] leaves = new byte[n][];
    for (int i = 0; i < n; i++) {
      leaves[i] = product.leaf(i);
    }
    return OutputCommitment.ofLeaves(
        n,
        leaves,
        indices -> {
          byte[][] rows = new byte[indices.length][];
          try {
            for (int s = 0; s < indices.length; s++) {
              rows[s] = product.rowBytes(indices[s]);
            }
            return rows;
          } catch (IllegalStateException gone) {
            log.info(
                "event=seeded_rows_recomputed job={} rows={} reason=\"{}\"",
                jobId,
                indices.length,
                gone.getMessage());
          }
          int[][] values = CpuGemm.seededRows(workload, seed, jobId, indices);
          for (int s = 0; s < indices.length; s++) {
            rows[s] = OutputCommitment.rowBytes(n, values[s], 0);
          }
          return rows;
        });
  }

  /** Row {@code row} of a seeded product's C, as committed: 4n bytes, little-endian int32. */
  synchronized byte[] seededRow(long job, int n, int row) {
    if (job != jobs) {
      throw new IllegalStateException(
          "the device no longer holds this product: another job ran on the backend since");
    }
    if (row < 0 || row >= n) {
      throw new IllegalArgumentException("row " + row + " outside 0.." + (n - 1));
    }
    open();
    byte[] out = new byte[4 * n];
    device.download(slot("c").plus(4L * row * n), out, Device.DOWNLOAD);
    return out;
  }

  /** gen_seeded_i8 over n rows of n bytes at row pitch {@code pitch}. */
  private void generate(Device.Ptr head, Device.Ptr out, int n, int pitch) {
    int threadsPerRow = (n / 32 + 7) / 8;
    long threads = (long) n * threadsPerRow;
    device.launch(
        "gen_seeded_i8",
        new int[] {(int) ((threads + 255) / 256), 1, 1},
        new int[] {256, 1, 1},
        0,
        Device.COMPUTE,
        head,
        out,
        n,
        n,
        pitch);
  }

  /**
   * The first block of a seeded row's SHA-256 input as gen_seeded_i8 wants it: words 0..13 are
   * bytes 0..55 of {@code "peerz/int8-gemm/v1" || seed || job id (u64 BE) || tag}, word 14 holds
   * bytes 56..58 with the row's top byte left 0, word 15 is 0; 16 little-endian ints, 64 bytes.
   */
  static byte[] headWords(byte[] seed, long jobId, byte tag) {
    byte[] prefix = new byte[64];
    int p = 0;
    System.arraycopy(INPUT_DOMAIN, 0, prefix, p, INPUT_DOMAIN.length);
    p += INPUT_DOMAIN.length;
    System.arraycopy(seed, 0, prefix, p, seed.length);
    p += seed.length;
    for (int i = 7; i >= 0; i--) {
      prefix[p++] = (byte) (jobId >>> (8 * i));
    }
    prefix[p] = tag;
    byte[] out = new byte[64];
    for (int w = 0; w < 15; w++) {
      // Big-endian word w of the prefix, stored as a little-endian int.
      for (int i = 0; i < 4; i++) {
        out[4 * w + i] = prefix[4 * w + 3 - i];
      }
    }
    return out;
  }

  /** A SHA-256 digest from eight big-endian words stored as little-endian ints. */
  private static byte[] digest(byte[] words, int at) {
    byte[] d = new byte[32];
    for (int w = 0; w < 8; w++) {
      for (int i = 0; i < 4; i++) {
        d[4 * w + i] = words[at + 4 * w + 3 - i];
      }
    }
    return d;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    device.close();
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("the CUDA backend is closed");
    }
  }

  /** The kept buffer {@code name}, grown to at least {@code bytes}. */
  private Device.Ptr buffer(String name, long bytes) {
    Slot s = slots.get(name);
    if (s == null || s.bytes() < bytes) {
      if (s != null) {
        device.free(s.ptr());
      }
      s = new Slot(device.alloc(bytes), bytes);
      slots.put(name, s);
    }
    return s.ptr();
  }

  private Device.Ptr slot(String name) {
    Slot s = slots.get(name);
    if (s == null) {
      throw new IllegalStateException(
          "no " + name + " buffer on the device yet: run a product first");
    }
    return s.ptr();
  }

  static int up(int v, int multiple) {
    return (v + multiple - 1) / multiple * multiple;
  }
}
