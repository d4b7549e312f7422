package io.peerz.cli;

import io.peerz.gpu.CpuBackend;
import io.peerz.gpu.CudaBackend;
import io.peerz.gpu.GemmBackend;
import io.peerz.gpu.GemmBackends;
import io.peerz.ledger.Ed25519KeyPair;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peerz server}: the executor daemon (the seeds' server). It follows the chain over
 * JSON-RPC, runs the jobs assigned to its executor key, commits, waits for the challenge and
 * reveals; its progress survives restarts in {@code <home>/data/executor-<address>.json}.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Run an executor: fetch the jobs assigned to its key, compute them (on the GPU through",
      "JCuda when one answers, else on the CPU with identical bytes), commit the output root,",
      "reveal challenged rows.",
      "Its commit and reveal fees are paid by the executor key's account: fund its address."
    })
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin HomeOption home;
  @Mixin NodeOption node;

  @Option(
      names = "--executor-key",
      required = true,
      paramLabel = "<file>",
      description = "The executor's key file (peerz keys add-executor).")
  Path executorKey;

  @Option(
      names = "--faulty",
      paramLabel = "skip-rows=<fraction>",
      description =
          "Cheat, for tests and demos: leave this fraction of each pool job's output rows zero"
              + " (benchmarks are computed honestly), e.g. skip-rows=0.1.")
  String faulty;

  @Option(
      names = "--backend",
      paramLabel = "<backend>",
      defaultValue = "auto",
      converter = WorkloadOptions.BackendConverter.class,
      description = "auto (GPU when present, else CPU), cpu or cuda (default: auto).")
  GemmBackends.Choice backend = GemmBackends.Choice.AUTO;

  @Option(
      names = "--poll",
      paramLabel = "<duration>",
      defaultValue = "500ms",
      converter = DurationConverter.class,
      description = "How often to ask the node for jobs (default: ${DEFAULT-VALUE}).")
  Duration poll = Duration.ofMillis(500);

  @Override
  public Integer call() throws InterruptedException {
    Ed25519KeyPair key = ExecutorKey.read(executorKey);
    int skipPpm = skipPpm(faulty);
    Path stateFile = home.home().resolve("data").resolve("executor-" + key.address() + ".json");
    PrintWriter out = spec.commandLine().getOut();
    AtomicBoolean stop = new AtomicBoolean();
    Thread main = Thread.currentThread();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.set(true);
                  main.interrupt();
                }));
    GemmBackends.Detected detected = GemmBackends.detect(backend);
    out.printf("gemm backend: %s (%s)%n", detected.backend().name(), detected.reason());
    try (GemmBackend gemm = detected.backend();
        GemmBackend floats = gemm.supportsFloat() ? gemm : new CpuBackend()) {
      if (floats != gemm) {
        out.printf("fp32-gemm jobs: %s backend (%s)%n", floats.name(), CudaBackend.NO_FP32);
      }
      ExecutorLoop.Gemm products =
          new ExecutorLoop.Gemm() {
            @Override
            public int[] multiply(int n, byte[] a, byte[] b) {
              return gemm.multiply(n, a, b);
            }

            @Override
            public float[] multiplyFloat(int n, float[] a, float[] b) {
              return floats.multiplyFloat(n, a, b);
            }
          };
      ExecutorLoop loop =
          new ExecutorLoop(
              node.client(),
              key,
              products,
              skipPpm,
              new ExecutorState(stateFile),
              out,
              poll,
              Duration.ofSeconds(30));
      loop.run(stop::get);
    } catch (InterruptedException e) {
      out.println("executor stopped");
      out.flush();
    }
    return 0;
  }

  /** {@code skip-rows=0.1} as ppm (100000). */
  static int skipPpm(String spec) {
    if (spec == null) {
      return 0;
    }
    if (!spec.startsWith("skip-rows=")) {
      throw new CliException("--faulty: expected skip-rows=<fraction>, got '" + spec + "'");
    }
    int ppm;
    try {
      ppm = PpmConverter.toPpm(spec.substring("skip-rows=".length()));
    } catch (RuntimeException e) {
      throw new CliException("--faulty: " + e.getMessage());
    }
    if (ppm <= 0) {
      throw new CliException("--faulty: the fraction must be above 0");
    }
    return ppm;
  }
}
