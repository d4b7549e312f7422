package io.peerz.gpu;

import io.peerz.attest.CpuGemm;
import io.peerz.attest.FloatRowCheck;
import io.peerz.attest.Fp32GemmInputs;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.Workload;
import io.peerz.ledger.Hex;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The GPU benchmark the run kit starts (device/run-gpu-bench.sh): prints the device and the int8
 * kernel it gets; checks the CUDA products against the CPU byte for byte at square and ragged
 * shapes (the device's kernel and dp4a), the seeded job's root against OutputCommitment and the
 * fp32 kernel against the workload's tolerance; times each int8 kernel alone and with transfers,
 * and the seeded job from seed to root; and times the CPU backend. Markdown tables for
 * docs/BENCHMARKS.md. A section that fails prints its error and the others still run. Without a GPU
 * it says so and prints the CPU figures.
 *
 * <p>Options: {@code --check 256,1024 --shapes 37x300x70,... --gpu-sizes 1024,...,16384
 * --seeded-sizes 1024,...,16384 --cpu-sizes 512,1024,2048 --repeats 3 --backend auto|cpu|cuda
 * --require-gpu}. Exit 0 when every check passed, 1 when a check failed or a section broke, 2 for
 * bad options, 3 when --require-gpu finds no GPU.
 */
public final class GpuBenchMain {
  private static final byte[] SEED = new byte[GemmInputs.SEED_LENGTH];
  private static final long JOB_ID = 1;

  /** The largest side the GPU tables take: 16384^2 int32 is C's 1 GiB. */
  static final int MAX_GPU_SIDE = 16384;

  static {
    for (int i = 0; i < SEED.length; i++) {
      SEED[i] = (byte) i;
    }
  }

  private final PrintStream out;
  private final Function<CudaBackend.Int8Kernel, CudaBackend> gpuOpener;
  private int[] check = {256, 1024};
  private int[][] shapes = {{37, 300, 70}, {1000, 1000, 1000}, {2100, 777, 513}, {129, 4096, 257}};
  private int[] gpuSizes = {1024, 2048, 4096, 8192, 16384};
  private int[] seededSizes = {1024, 2048, 4096, 8192, 16384};
  private int[] cpuSizes = {512, 1024, 2048};
  private int repeats = 3;
  private GemmBackends.Choice choice = GemmBackends.Choice.AUTO;
  private boolean requireGpu;
  private int failures;

  GpuBenchMain(PrintStream out) {
    this(out, forced -> CudaBackend.open(0, forced));
  }

  /** With {@code gpuOpener} opening the GPU backend (tests: an emulated device). */
  GpuBenchMain(PrintStream out, Function<CudaBackend.Int8Kernel, CudaBackend> gpuOpener) {
    this.out = out;
    this.gpuOpener = gpuOpener;
  }

  /** Runs the benchmark and exits with its code. */
  public static void main(String[] args) {
    System.exit(new GpuBenchMain(System.out).run(args));
  }

  int run(String[] args) {
    try {
      parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("gpu-bench: " + e.getMessage());
      return 2;
    }
    HostInfo host = HostInfo.probe();
    out.printf(
        "# peerz GPU bench%n%nhost: %s, %d cores, %s MiB RAM, Java %s%n",
        host.cpuModel(),
        host.cores(),
        host.memoryMib() > 0 ? host.memoryMib() : "unknown",
        System.getProperty("java.version"));
    GemmBackends.Detected detected;
    try {
      detected = GemmBackends.detect(choice, () -> gpuOpener.apply(null));
    } catch (GpuException e) {
      out.println("backend: none: " + e.getMessage());
      return 3;
    }
    out.println("backend: " + detected.backend().name() + ": " + detected.reason());
    int code = 0;
    try (GemmBackend backend = detected.backend();
        CpuBackend cpu = new CpuBackend()) {
      if (backend instanceof CudaBackend cuda) {
        gpu(cuda, cpu);
        code = failures == 0 ? 0 : 1;
      } else {
        out.println();
        out.println("## GPU");
        out.println();
        out.println("no GPU, CPU backend: nothing to check or time on a GPU");
        if (requireGpu) {
          code = 3;
        }
      }
      section("CPU backend", () -> timeCpu(cpu, host));
    }
    if (code == 0 && failures > 0) {
      code = 1;
    }
    out.println();
    out.println(code == 0 ? "result: ok" : "result: FAILED (exit " + code + ")");
    return code;
  }

  /** A part of the report; an exception in it is printed and counted, and the next part runs. */
  private void section(String name, Runnable body) {
    try {
      body.run();
    } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
      failures++;
      out.println();
      out.println("**" + name + " broke:** " + CudaDriver.messages(e));
    }
  }

  private void gpu(CudaBackend best, CpuBackend cpu) {
    GpuInfo d = best.device();
    out.printf(
        "device: %s, compute capability %s, %d SMs, %d MHz, %d MiB VRAM, driver CUDA %s%n",
        d.name(),
        d.computeCapability(),
        d.multiprocessors(),
        d.clockMhz(),
        d.vramMib(),
        best.driverVersion());
    out.printf("int8 kernel: %s (%s)%n", best.kernelEntry(), best.kernelReason());
    Map<String, Map<Integer, Double>> kernelOnly = new LinkedHashMap<>();
    section("int8 correctness, " + best.kernelEntry(), () -> checkInt8(best, cpu));
    section("fp32 correctness", () -> checkFloat(best));
    if (best.kernel() == CudaBackend.Int8Kernel.MMA) {
      section("seeded correctness", () -> checkSeeded(best, cpu));
    }
    section("int8 timing, " + best.kernelEntry(), () -> time(best, kernelOnly));
    if (best.kernel() == CudaBackend.Int8Kernel.MMA) {
      section("seeded timing", () -> timeSeeded(best, kernelOnly.get(best.kernelEntry())));
    }
    if (best.kernel() != CudaBackend.Int8Kernel.DP4A) {
      // The same checks and tables for dp4a, on a second backend, after the first one's buffers
      // are released.
      best.close();
      section(
          "dp4a kernel",
          () -> {
            try (CudaBackend dp4a = gpuOpener.apply(CudaBackend.Int8Kernel.DP4A)) {
              section("int8 correctness, dp4a", () -> checkInt8(dp4a, cpu));
              section("int8 timing, dp4a", () -> time(dp4a, kernelOnly));
            }
          });
    }
  }

  private void checkInt8(CudaBackend gpu, CpuBackend cpu) {
    out.println();
    out.printf(
        "## Correctness: %s against the CPU backend (CpuGemm), byte for byte%n%n",
        gpu.kernelEntry());
    out.println("| shape m x k x n | inputs | result |");
    out.println("| --- | --- | --- |");
    SplittableRandom random = new SplittableRandom(17);
    for (int n : check) {
      GemmInputs in = GemmInputs.generate(new Workload(n), SEED, JOB_ID);
      compare(gpu, cpu, n, n, n, in.a(), in.b(), "seeded");
    }
    for (int[] s : shapes) {
      compare(
          gpu,
          cpu,
          s[0],
          s[1],
          s[2],
          bytes(random, s[0] * s[1]),
          bytes(random, s[1] * s[2]),
          "random");
    }
    int k = 2048;
    byte[] low = filled(64 * k, -128);
    compare(gpu, cpu, 64, k, 64, low, low, "all -128");
  }

  private void compare(
      CudaBackend gpu, CpuBackend cpu, int m, int k, int n, byte[] a, byte[] b, String inputs) {
    int[] want = cpu.multiply(m, k, n, a, b);
    int[] got = gpu.multiply(m, k, n, a, b);
    String shape = m + " x " + k + " x " + n;
    if (Arrays.equals(want, got)) {
      out.printf("| %s | %s | equal |%n", shape, inputs);
    } else {
      failures++;
      out.printf(
          "| %s | %s | DIFFERENT at %d of %d entries (first at index %d) |%n",
          shape, inputs, differing(want, got), want.length, Arrays.mismatch(want, got));
    }
  }

  private void checkSeeded(CudaBackend gpu, CpuBackend cpu) {
    out.println();
    out.println(
        "## Correctness: seeded job on the GPU (inputs, product, Merkle root) against GemmInputs,"
            + " CpuGemm and OutputCommitment");
    out.println();
    out.println("| n | output root (CPU) | GPU | row n-1 |");
    out.println("| --- | --- | --- | --- |");
    for (int n : check) {
      GemmInputs in = GemmInputs.generate(new Workload(n), SEED, JOB_ID);
      OutputCommitment want = OutputCommitment.of(n, cpu.multiply(n, in.a(), in.b()));
      SeededProduct got = gpu.seeded(n, SEED, JOB_ID);
      boolean root = Arrays.equals(want.root(), got.root());
      boolean row = Arrays.equals(want.rowBytes(n - 1), got.rowBytes(n - 1));
      if (!root || !row) {
        failures++;
      }
      out.printf(
          "| %d | %s | %s | %s |%n",
          n,
          Hex.encode(want.root()),
          root ? "equal" : "DIFFERENT: " + Hex.encode(got.root()),
          row ? "equal" : "DIFFERENT");
    }
  }

  private void checkFloat(CudaBackend gpu) {
    out.println();
    out.println("## Correctness: fp32 kernel against the workload's tolerance (FloatRowCheck)");
    out.println();
    if (!gpu.supportsFloat()) {
      failures++;
      out.println(CudaBackend.NO_FP32);
      return;
    }
    out.println("| n | rows checked | largest \\|gpu - cpu\\| / tolerance | result | kernel ms |");
    out.println("| --- | --- | --- | --- | --- |");
    for (int n : check) {
      Workload w = new Workload(Workload.Kind.FP32, n);
      Fp32GemmInputs in = Fp32GemmInputs.generate(w, SEED, JOB_ID);
      float[] a = in.a();
      float[] b = in.b();
      gpu.multiplyFloat(n, a, b);
      long t0 = System.nanoTime();
      float[] c = gpu.multiplyFloat(n, a, b);
      double ms = (System.nanoTime() - t0) / 1e6;
      int rows = Math.min(16, n);
      float[][] aRows = new float[rows][];
      for (int s = 0; s < rows; s++) {
        int i = s * (n / rows);
        aRows[s] = Arrays.copyOfRange(a, i * n, (i + 1) * n);
      }
      FloatRowCheck.Rows check = FloatRowCheck.recompute(n, aRows, b);
      double worst = 0;
      for (int s = 0; s < rows; s++) {
        int i = s * (n / rows);
        for (int j = 0; j < n; j++) {
          double diff = Math.abs((double) c[i * n + j] - check.values()[s][j]);
          double ratio = diff / check.tolerances()[s][j];
          worst = Float.isFinite(c[i * n + j]) ? Math.max(worst, ratio) : Double.POSITIVE_INFINITY;
        }
      }
      boolean ok = worst <= 1;
      if (!ok) {
        failures++;
      }
      out.printf(
          Locale.ROOT,
          "| %d | %d | %.2e | %s | %.2f (with transfers) |%n",
          n,
          rows,
          worst,
          ok ? "within" : "OUTSIDE",
          ms);
    }
  }

  private void time(CudaBackend gpu, Map<String, Map<Integer, Double>> kernelOnly) {
    GpuInfo d = gpu.device();
    out.println();
    out.printf("## GPU: %s, best of %d after a warm-up%n%n", gpu.kernelEntry(), repeats);
    OptionalDouble peak = DevicePeak.int8DenseTops(d.name());
    out.println(
        "| device | kernel | n | kernel ms | kernel TOPS | ms with transfers | TOPS with"
            + " transfers | INT8 dense tensor peak (datasheet) |");
    out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    SplittableRandom random = new SplittableRandom(19);
    Map<Integer, Double> mine =
        kernelOnly.computeIfAbsent(gpu.kernelEntry(), e -> new LinkedHashMap<>());
    for (int n : gpuSizes) {
      byte[] a = bytes(random, n * n);
      byte[] b = bytes(random, n * n);
      gpu.run(n, n, n, a, b);
      double bestKernel = Double.MAX_VALUE;
      double bestTotal = Double.MAX_VALUE;
      for (int r = 0; r < repeats; r++) {
        bestKernel = Math.min(bestKernel, gpu.kernelMillis(n, n, n));
        long t0 = System.nanoTime();
        gpu.run(n, n, n, a, b);
        bestTotal = Math.min(bestTotal, (System.nanoTime() - t0) / 1e6);
      }
      mine.put(n, bestKernel);
      out.printf(
          Locale.ROOT,
          "| %s | %s | %d | %.3f | %.1f | %.2f | %.1f | %s |%n",
          d.name(),
          gpu.kernelEntry(),
          n,
          bestKernel,
          tops(n, bestKernel),
          bestTotal,
          tops(n, bestTotal),
          peak.isPresent() ? String.format(Locale.ROOT, "%.0f TOPS", peak.getAsDouble()) : "?");
    }
  }

  private void timeSeeded(CudaBackend gpu, Map<Integer, Double> kernelOnly) {
    out.println();
    out.printf(
        "## GPU: seeded job from seed to output root (inputs generated, product, Merkle root on the"
            + " device; root and leaves copied back), best of %d after a warm-up%n%n",
        repeats);
    out.println(
        "| n | seed to root ms (device) | TOPS seed to root | of which product ms | wall ms"
            + " (host call) | seed-to-root rate / kernel-only rate |");
    out.println("| --- | --- | --- | --- | --- | --- |");
    for (int n : seededSizes) {
      gpu.seeded(n, SEED, JOB_ID);
      double bestDevice = Double.MAX_VALUE;
      double bestGemm = Double.MAX_VALUE;
      double bestWall = Double.MAX_VALUE;
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        SeededProduct p = gpu.seeded(n, SEED, JOB_ID);
        bestWall = Math.min(bestWall, (System.nanoTime() - t0) / 1e6);
        bestDevice = Math.min(bestDevice, p.deviceMillis());
        bestGemm = Math.min(bestGemm, p.gemmMillis());
      }
      Double kernel = kernelOnly == null ? null : kernelOnly.get(n);
      out.printf(
          Locale.ROOT,
          "| %d | %.3f | %.1f | %.3f | %.2f | %s |%n",
          n,
          bestDevice,
          tops(n, bestDevice),
          bestGemm,
          bestWall,
          kernel == null ? "?" : String.format(Locale.ROOT, "%.2f", kernel / bestDevice));
    }
  }

  private void timeCpu(CpuBackend cpu, HostInfo host) {
    out.println();
    out.printf(
        "## CPU backend (CpuGemm on %d threads), best of %d after a warm-up%n%n",
        cpu.threads(), repeats);
    out.println("| host | workload | ms | GOP/s |");
    out.println("| --- | --- | --- | --- |");
    for (int n : cpuSizes) {
      GemmInputs in = GemmInputs.generate(new Workload(n), SEED, JOB_ID);
      byte[] a = in.a();
      byte[] b = in.b();
      cpu.multiply(n, a, b);
      double best = Double.MAX_VALUE;
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        cpu.multiply(n, a, b);
        best = Math.min(best, (System.nanoTime() - t0) / 1e6);
      }
      out.printf(
          Locale.ROOT,
          "| %s, %d cores | int8-gemm-%d | %.1f | %.1f |%n",
          host.cpuModel(),
          host.cores(),
          n,
          best,
          tops(n, best) * 1000);
    }
  }

  /** 2 n^3 operations (a multiply and an add per term) in {@code millis}, in TOPS. */
  static double tops(int n, double millis) {
    return 2.0 * n * n * n / (millis / 1e3) / 1e12;
  }

  private static byte[] bytes(SplittableRandom random, int count) {
    byte[] out = new byte[count];
    for (int i = 0; i < count; i += 8) {
      long v = random.nextLong();
      for (int j = 0; j < 8 && i + j < count; j++) {
        out[i + j] = (byte) (v >>> (8 * j));
      }
    }
    return out;
  }

  private static byte[] filled(int count, int value) {
    byte[] out = new byte[count];
    Arrays.fill(out, (byte) value);
    return out;
  }

  private static long differing(int[] a, int[] b) {
    long d = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        d++;
      }
    }
    return d;
  }

  private void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--require-gpu" -> requireGpu = true;
        case "--check",
            "--shapes",
            "--gpu-sizes",
            "--seeded-sizes",
            "--cpu-sizes",
            "--repeats",
            "--backend" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(arg + " needs a value");
          }
          String v = args[++i];
          switch (arg) {
            case "--check" -> check = sizes(v);
            case "--shapes" -> shapes = shapes(v);
            case "--gpu-sizes" -> gpuSizes = sides(v);
            case "--seeded-sizes" -> seededSizes = sides(v);
            case "--cpu-sizes" -> cpuSizes = sizes(v);
            case "--repeats" -> repeats = positive(arg, v);
            default -> choice = GemmBackends.Choice.parse(v);
          }
        }
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + arg
                    + "; options: --check 256,1024 --shapes 37x300x70,1000x1000x1000"
                    + " --gpu-sizes 1024,2048,4096,8192,16384 --seeded-sizes 1024,...,16384"
                    + " --cpu-sizes 512,1024,2048 --repeats 3 --backend auto|cpu|cuda --require-gpu");
      }
    }
  }

  /** Comma-separated workload sizes, each a valid int8-gemm side; empty for none. */
  static int[] sizes(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        out.add(Workload.parse("int8-gemm-" + s.trim()).n());
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Comma-separated GPU sides: multiples of 64 up to {@link #MAX_GPU_SIDE}; empty for none. */
  static int[] sides(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        int n = positive("side", s.trim());
        if (n % Workload.N_STEP != 0 || n > MAX_GPU_SIDE) {
          throw new IllegalArgumentException(
              "side " + n + " must be a multiple of 64 up to " + MAX_GPU_SIDE);
        }
        out.add(n);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Comma-separated shapes {@code MxKxN}; empty for none. */
  static int[][] shapes(String csv) {
    List<int[]> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        String[] p = s.trim().split("x");
        if (p.length != 3) {
          throw new IllegalArgumentException("shape '" + s + "' must be MxKxN");
        }
        int[] shape = {positive("m", p[0]), positive("k", p[1]), positive("n", p[2])};
        CpuGemm.checkShape(
            shape[0],
            shape[1],
            shape[2],
            new byte[shape[0] * shape[1]],
            new byte[shape[1] * shape[2]]);
        out.add(shape);
      }
    }
    return out.toArray(new int[0][]);
  }

  private static int positive(String option, String v) {
    try {
      int r = Integer.parseInt(v);
      if (r >= 1) {
        return r;
      }
    } catch (NumberFormatException e) {
      // falls through to the message
    }
    throw new IllegalArgumentException(option + " must be a positive integer, got '" + v + "'");
  }
}
