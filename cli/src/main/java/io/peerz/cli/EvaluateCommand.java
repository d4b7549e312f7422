package io.peerz.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.attest.Freivalds;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.HardwareClass;
import io.peerz.attest.Workload;
import io.peerz.gpu.CudaBackend;
import io.peerz.gpu.GemmBackend;
import io.peerz.gpu.GemmBackends;
import io.peerz.gpu.GpuInfo;
import io.peerz.gpu.GpuInventory;
import io.peerz.gpu.HostInfo;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code peerz evaluate}: this machine's hardware, its measured int8 speed and its class. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Hardware report: CPU, RAM, GPUs, measured int8 GOP/s and the hardware class.",
      "",
      "Report the CPU, RAM and GPUs (VRAM, compute capability) of this machine, run a",
      "workload on the backend an executor would use (GPU when present, else CPU) and print",
      "its measured speed in GOP/s (int8 operations: 2 n^3 per run, transfers included),",
      "checked with Freivalds, and the hardware class the machine qualifies for. On a GPU it",
      "also names the int8 kernel the device runs (tensor cores from sm_80, dp4a before) and",
      "its TOPS on the device alone (use --workload int8-gemm-4096 to load a large GPU)."
    })
final class EvaluateCommand implements Callable<Integer> {
  /** Inputs of the measured run: a fixed seed, so every machine multiplies the same matrices. */
  private static final byte[] SEED = new byte[GemmInputs.SEED_LENGTH];

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--workload",
      paramLabel = "<name>",
      defaultValue = "int8-gemm-1024",
      converter = WorkloadOptions.WorkloadConverter.class,
      description = "The workload to time (default: ${DEFAULT-VALUE}).")
  Workload workload;

  @Option(
      names = "--repeats",
      paramLabel = "<n>",
      defaultValue = "3",
      description = "Timed runs after one warm-up; the best counts (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--backend",
      paramLabel = "<backend>",
      defaultValue = "auto",
      converter = WorkloadOptions.BackendConverter.class,
      description = "auto (GPU when present, else CPU), cpu or cuda (default: auto).")
  GemmBackends.Choice backend;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    if (repeats < 1 || repeats > 100) {
      throw new CliException("--repeats must be in 1..100, got " + repeats);
    }
    HostInfo host = HostInfo.probe();
    GpuInventory.Inventory inventory = GpuInventory.probe();
    GemmInputs in = GemmInputs.generate(workload, SEED, 0);
    int n = in.n();
    byte[] a = in.a();
    byte[] b = in.b();
    GemmBackends.Detected detected = GemmBackends.detect(backend);
    double[] millis = new double[repeats];
    int[] c;
    long usableVramMib;
    String kernel = null;
    String kernelReason = null;
    double kernelBest = Double.NaN;
    try (GemmBackend gemm = detected.backend()) {
      // The class follows the device the executor would run on: a GPU the driver cannot reach
      // through JCuda does not count.
      usableVramMib = gemm instanceof CudaBackend cuda ? cuda.device().vramMib() : 0;
      c = gemm.multiply(n, a, b);
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        c = gemm.multiply(n, a, b);
        millis[r] = (System.nanoTime() - t0) / 1e6;
      }
      if (gemm instanceof CudaBackend cuda) {
        kernel = cuda.kernelEntry();
        kernelReason = cuda.kernelReason();
        kernelBest = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
          kernelBest = Math.min(kernelBest, cuda.kernelMillis(n, n, n));
        }
      }
    }
    byte[] vectors = new byte[32];
    ((PeerzCli) spec.root().userObject()).random.nextBytes(vectors);
    boolean verified = Freivalds.verify(in, c, vectors, 2);
    double best = Arrays.stream(millis).min().orElseThrow();
    double gops = 2.0 * n * n * n / (best / 1e3) / 1e9;
    HardwareClass hwClass =
        HardwareClass.bestFor(HardwareClass.defaults(), usableVramMib).orElseThrow();

    PrintWriter w = spec.commandLine().getOut();
    if (output.json()) {
      ObjectNode o = Json.MAPPER.createObjectNode();
      ObjectNode cpu = o.putObject("cpu");
      cpu.put("model", host.cpuModel());
      cpu.put("cores", host.cores());
      o.put("memory_mib", host.memoryMib());
      ArrayNode gpus = o.putArray("gpus");
      for (GpuInfo g : inventory.gpus()) {
        ObjectNode j = gpus.addObject();
        j.put("ordinal", g.ordinal());
        j.put("name", g.name());
        j.put("vram_mib", g.vramMib());
        j.put("compute_capability", g.computeCapability());
        j.put("multiprocessors", g.multiprocessors());
        j.put("clock_mhz", g.clockMhz());
      }
      o.put("gpu_source", inventory.source());
      o.put("gpu_note", inventory.note());
      ObjectNode be = o.putObject("backend");
      be.put("name", detected.backend().name());
      be.put("reason", detected.reason());
      if (kernel != null) {
        be.put("kernel", kernel);
        be.put("kernel_reason", kernelReason);
      }
      ObjectNode bench = o.putObject("benchmark");
      bench.put("workload", workload.name());
      bench.put("repeats", repeats);
      bench.put("best_ms", round(best, 3));
      bench.put("gops", round(gops, 3));
      bench.put("verified", verified);
      if (kernel != null) {
        bench.put("kernel_ms", round(kernelBest, 4));
        bench.put("kernel_tops", round(2.0 * n * n * n / (kernelBest / 1e3) / 1e12, 2));
      }
      ObjectNode hc = o.putObject("hardware_class");
      hc.put("name", hwClass.name());
      hc.put("min_vram_mib", hwClass.minVramMib());
      hc.put("relative_value_ppm", hwClass.relativeValuePpm());
      w.print(Json.pretty(o) + "\n");
    } else {
      w.printf("cpu:            %s, %d cores%n", host.cpuModel(), host.cores());
      w.printf(
          "memory:         %s%n", host.memoryMib() > 0 ? host.memoryMib() + " MiB" : "unknown");
      if (inventory.gpus().isEmpty()) {
        w.printf("gpus:           none (%s)%n", inventory.note());
      } else {
        for (GpuInfo g : inventory.gpus()) {
          w.printf("gpu %d:          %s [%s]%n", g.ordinal(), g.describe(), inventory.source());
        }
      }
      w.printf("backend:        %s: %s%n", detected.backend().name(), detected.reason());
      w.printf(
          Locale.ROOT,
          "benchmark:      %s, best of %d: %.1f ms, %.2f GOP/s (int8 ops, 2 n^3 / s), %s%n",
          workload.name(),
          repeats,
          best,
          gops,
          verified ? "Freivalds check passed" : "WRONG OUTPUT (Freivalds check failed)");
      if (kernel != null) {
        w.printf(
            Locale.ROOT,
            "gpu kernel:     %s, best of %d: %.3f ms, %.1f TOPS on the device alone (%s)%n",
            kernel,
            repeats,
            kernelBest,
            2.0 * n * n * n / (kernelBest / 1e3) / 1e12,
            kernelReason);
      }
      w.printf(
          "hardware class: %s (min VRAM %d MiB, relative value %d ppm)%n",
          hwClass.name(), hwClass.minVramMib(), hwClass.relativeValuePpm());
    }
    w.flush();
    if (!verified) {
      throw new CliException(
          "the " + detected.backend().name() + " backend computed a wrong product");
    }
    return 0;
  }

  private static double round(double v, int places) {
    double scale = Math.pow(10, places);
    return Math.round(v * scale) / scale;
  }
}
