package io.peerz.gpu;

import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.Workload;
import io.peerz.ledger.Hex;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The GPU benchmark the run kit starts (device/run-gpu-bench.sh): prints the device, checks that
 * the CUDA product equals the CPU product byte for byte, times the GPU kernel (alone and with
 * transfers) and the CPU backend on the same jobs, and prints Markdown tables for
 * docs/BENCHMARKS.md. Without a GPU it says so and still prints the CPU figures.
 *
 * <p>Options: {@code --check 256,1024 --gpu-sizes 1024,2048,4096 --cpu-sizes 512,1024,2048
 * --repeats 3 --backend auto|cpu|cuda --require-gpu}. Exit 0 when every check passed, 1 when a CUDA
 * product differed from the CPU's, 2 for bad options, 3 when --require-gpu finds no GPU.
 */
public final class GpuBenchMain {
  private static final byte[] SEED = new byte[GemmInputs.SEED_LENGTH];
  private static final long JOB_ID = 1;

  static {
    for (int i = 0; i < SEED.length; i++) {
      SEED[i] = (byte) i;
    }
  }

  private final PrintStream out;
  private int[] check = {256, 1024};
  private int[] gpuSizes = {1024, 2048, 4096};
  private int[] cpuSizes = {512, 1024, 2048};
  private int repeats = 3;
  private GemmBackends.Choice choice = GemmBackends.Choice.AUTO;
  private boolean requireGpu;

  GpuBenchMain(PrintStream out) {
    this.out = out;
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
      detected = GemmBackends.detect(choice);
    } catch (GpuException e) {
      out.println("backend: none: " + e.getMessage());
      return 3;
    }
    out.println("backend: " + detected.backend().name() + ": " + detected.reason());
    int code = 0;
    try (GemmBackend backend = detected.backend();
        CpuBackend cpu = new CpuBackend()) {
      if (backend instanceof CudaBackend cuda) {
        code = checkAndTimeGpu(cuda, cpu);
      } else {
        out.println();
        out.println("## GPU");
        out.println();
        out.println("no GPU, CPU backend: nothing to check or time on a GPU");
        if (requireGpu) {
          code = 3;
        }
      }
      timeCpu(cpu, host);
    }
    out.println();
    out.println(code == 0 ? "result: ok" : "result: FAILED (exit " + code + ")");
    return code;
  }

  private int checkAndTimeGpu(CudaBackend cuda, CpuBackend cpu) {
    GpuInfo d = cuda.device();
    out.printf(
        "device: %s, compute capability %s, %d SMs, %d MHz, %d MiB VRAM, driver CUDA %s%n",
        d.name(),
        d.computeCapability(),
        d.multiprocessors(),
        d.clockMhz(),
        d.vramMib(),
        cuda.driverVersion());
    out.println();
    out.println("## Correctness: CUDA against the CPU backend (CpuGemm), byte for byte");
    out.println();
    int code = 0;
    for (int n : check) {
      GemmInputs in = GemmInputs.generate(new Workload(n), SEED, JOB_ID);
      byte[] a = in.a();
      byte[] b = in.b();
      int[] want = cpu.multiply(n, a, b);
      int[] got = cuda.multiply(n, a, b);
      byte[] wantRoot = OutputCommitment.of(n, want).root();
      byte[] gotRoot = OutputCommitment.of(n, got).root();
      if (Arrays.equals(want, got) && Arrays.equals(wantRoot, gotRoot)) {
        out.printf("n=%d: equal, output root %s%n", n, Hex.encode(gotRoot));
      } else {
        out.printf(
            "n=%d: DIFFERENT at %d of %d entries (first at index %d); roots %s (CPU) %s (CUDA)%n",
            n,
            differing(want, got),
            want.length,
            Arrays.mismatch(want, got),
            Hex.encode(wantRoot),
            Hex.encode(gotRoot));
        code = 1;
      }
    }
    out.println();
    out.printf("## GPU: dp4a kernel, best of %d after a warm-up%n%n", repeats);
    OptionalDouble peak = DevicePeak.int8DenseTops(d.name());
    out.println(
        "| device | workload | kernel ms | kernel TOPS | ms with transfers | TOPS with transfers"
            + " | INT8 dense tensor peak (datasheet) |");
    out.println("| --- | --- | --- | --- | --- | --- | --- |");
    for (int n : gpuSizes) {
      GemmInputs in = GemmInputs.generate(new Workload(n), SEED, JOB_ID);
      byte[] a = in.a();
      byte[] b = in.b();
      cuda.run(n, a, b);
      double bestKernel = Double.MAX_VALUE;
      double bestTotal = Double.MAX_VALUE;
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        CudaBackend.Run run = cuda.run(n, a, b);
        double total = (System.nanoTime() - t0) / 1e6;
        bestKernel = Math.min(bestKernel, run.kernelMillis());
        bestTotal = Math.min(bestTotal, total);
      }
      out.printf(
          Locale.ROOT,
          "| %s | int8-gemm-%d | %.3f | %.1f | %.2f | %.1f | %s |%n",
          d.name(),
          n,
          bestKernel,
          tops(n, bestKernel),
          bestTotal,
          tops(n, bestTotal),
          peak.isPresent() ? String.format(Locale.ROOT, "%.0f TOPS", peak.getAsDouble()) : "?");
    }
    return code;
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
        case "--check", "--gpu-sizes", "--cpu-sizes", "--repeats", "--backend" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(arg + " needs a value");
          }
          String v = args[++i];
          switch (arg) {
            case "--check" -> check = sizes(v);
            case "--gpu-sizes" -> gpuSizes = sizes(v);
            case "--cpu-sizes" -> cpuSizes = sizes(v);
            case "--repeats" -> repeats = positive(arg, v);
            default -> choice = GemmBackends.Choice.parse(v);
          }
        }
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + arg
                    + "; options: --check 256,1024 --gpu-sizes 1024,2048,4096"
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
