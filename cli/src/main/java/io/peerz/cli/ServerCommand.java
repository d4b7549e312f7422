package io.peerz.cli;

import io.peerz.gpu.CpuBackend;
import io.peerz.gpu.CudaBackend;
import io.peerz.gpu.GemmBackend;
import io.peerz.gpu.GemmBackends;
import io.peerz.gpu.data.DataClient;
import io.peerz.gpu.data.DataLimits;
import io.peerz.gpu.data.DataServer;
import io.peerz.gpu.executor.ExecutorDaemon;
import io.peerz.gpu.executor.ExecutorMetrics;
import io.peerz.gpu.executor.ExecutorState;
import io.peerz.gpu.executor.Faults;
import io.peerz.ledger.Ed25519KeyPair;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peerz server}: parses the executor daemon's flags and wires it ({@link ExecutorDaemon} in
 * gpu-exec): the node over JSON-RPC, the GEMM backend, the data endpoint, the state file.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Run an executor: fetch the jobs assigned to its key, compute them (on the GPU through",
      "JCuda when one answers, else on the CPU with identical bytes), commit the output root,",
      "answer challenges. Data jobs (gemm-int8): buyers upload a.npy and b.npy to its data",
      "endpoint (or the job names URLs it fetches), every byte is checked against the committed",
      "roots, and c.npy is served for params.output_retention_blocks after verification.",
      "Its commit and reveal fees are paid by the executor key's account: fund its address.",
      "Progress survives restarts in <home>/data/executor-<address>.json and"
          + " <home>/data/executor-<address>/."
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
      paramLabel = "<fault>",
      description =
          "Cheat, for tests and demos: skip-rows=<fraction> leaves that fraction of each seeded"
              + " pool job's rows zero; corrupt-entry adds 1 to one entry of each data job's C;"
              + " no-serve serves no outputs and answers no availability request. Benchmarks"
              + " are computed honestly. Default: none, an honest executor.")
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

  @Option(
      names = "--data-laddr",
      paramLabel = "<host:port>",
      defaultValue = "127.0.0.1:0",
      description =
          "Where the data endpoint listens (default: ${DEFAULT-VALUE}, any free port on"
              + " loopback).")
  String dataLaddr = "127.0.0.1:0";

  @Option(
      names = "--data-url",
      paramLabel = "<url>",
      description =
          "The URL buyers reach the data endpoint at, announced on chain (default: the address"
              + " it listens on).")
  URI dataUrl;

  @Option(
      names = "--metrics-laddr",
      paramLabel = "<host:port>",
      description = {
        "Serve this executor's Prometheus metrics (jobs run, compute time, kernel TOPS, data",
        "bytes, backend; docs/metrics.md) at http://<host:port>/metrics; :port listens on every",
        "interface (default: off). A port in use stops the executor before it starts."
      })
  String metricsLaddr;

  @Option(
      names = "--compute-slots",
      paramLabel = "<n>",
      defaultValue = "1",
      description =
          "How many jobs compute at once, off the loop that answers the chain (default:"
              + " ${DEFAULT-VALUE}: one GPU runs one product at a time fastest). More helps only"
              + " up to the slots the executor joined pools with: the chain assigns no more.")
  int computeSlots = 1;

  @Override
  public Integer call() throws InterruptedException {
    if (computeSlots < 1) {
      throw new CliException("--compute-slots must be at least 1, got " + computeSlots);
    }
    Ed25519KeyPair key = ExecutorKey.read(executorKey);
    Faults faults = faults(faulty);
    // Bound first: a taken port stops the executor before it starts anything.
    MetricsEndpoint metrics =
        metricsLaddr == null ? null : MetricsEndpoint.start(metricsLaddr, "--metrics-laddr");
    try {
      return serve(key, faults, metrics);
    } finally {
      if (metrics != null) {
        metrics.close();
      }
    }
  }

  private int serve(Ed25519KeyPair key, Faults faults, MetricsEndpoint metrics)
      throws InterruptedException {
    Path dataDir = home.home().resolve("data");
    Path stateFile = dataDir.resolve("executor-" + key.address() + ".json");
    Path workDir = dataDir.resolve("executor-" + key.address());
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
    ExecutorService fetches = Executors.newFixedThreadPool(2);
    // The products run here, off the polling loop, so it keeps answering other jobs.
    ExecutorService compute =
        Executors.newFixedThreadPool(
            computeSlots,
            r -> {
              Thread t = new Thread(r, "executor-compute");
              t.setDaemon(true);
              return t;
            });
    try (GemmBackend gemm = detected.backend();
        GemmBackend floats = gemm.supportsFloat() ? gemm : new CpuBackend();
        DataServer data =
            DataServer.start(
                workDir.resolve("data-server"), bind(dataLaddr), DataLimits.defaults())) {
      if (floats != gemm) {
        out.printf("fp32-gemm jobs: %s backend (%s)%n", floats.name(), CudaBackend.NO_FP32);
      }
      URI url = dataUrl != null ? dataUrl : data.baseUrl();
      out.printf("data endpoint: %s (listening on %s)%n", url, data.baseUrl());
      DataClient client = new DataClient(Duration.ofMinutes(2));
      // Without --metrics-laddr the metrics go to a registry nobody reads.
      ExecutorMetrics observed =
          new ExecutorMetrics(
              metrics != null ? metrics.registry() : new PrometheusRegistry(),
              key.address().toString(),
              gemm.name(),
              floats.name(),
              List.of(data::bytes, client::bytes));
      if (metrics != null) {
        out.printf("metrics: http://%s/metrics%n", metrics.address());
      }
      ExecutorDaemon daemon =
          new ExecutorDaemon(
              new ExecutorDaemon.Parts(
                  new RpcNodeClient(node.client()),
                  key,
                  gemm,
                  floats,
                  faults,
                  new ExecutorState(stateFile),
                  workDir,
                  data,
                  url,
                  client,
                  fetches,
                  compute,
                  computeSlots,
                  out,
                  poll,
                  Duration.ofSeconds(30),
                  observed));
      daemon.run(stop::get);
    } catch (InterruptedException e) {
      out.println("executor stopped");
      out.flush();
    } finally {
      fetches.shutdownNow();
      compute.shutdownNow();
    }
    return 0;
  }

  private static InetSocketAddress bind(String laddr) {
    String s = laddr.startsWith("tcp://") ? laddr.substring(6) : laddr;
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      throw new CliException("--data-laddr: expected host:port, got '" + laddr + "'");
    }
    try {
      return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new CliException("--data-laddr: the port of '" + laddr + "' is not a number");
    }
  }

  /** {@code skip-rows=0.1}, {@code corrupt-entry} or {@code no-serve}. */
  static Faults faults(String spec) {
    if (spec == null) {
      return Faults.NONE;
    }
    if (spec.equals("corrupt-entry")) {
      return new Faults(0, true, false);
    }
    if (spec.equals("no-serve")) {
      return new Faults(0, false, true);
    }
    if (!spec.startsWith("skip-rows=")) {
      throw new CliException(
          "--faulty: expected skip-rows=<fraction>, corrupt-entry or no-serve, got '" + spec + "'");
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
    return new Faults(ppm, false, false);
  }
}
