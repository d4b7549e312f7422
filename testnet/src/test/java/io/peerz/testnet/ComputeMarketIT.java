package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.testnet.PeerzCommand.Run;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compute market end to end against a real node: a subnet of three providers, three {@code
 * peerz server} executors on the CPU (the third with {@code --faulty skip-rows=0.5}), a pool, jobs.
 * Honest jobs are verified and paid, the faulty executor is slashed on every job it takes, and the
 * honest nodes' compute scores are non-zero.
 */
class ComputeMarketIT {
  private static final ObjectMapper JSON = PeerzCommand.JSON;

  @TempDir Path home;
  private final SecureRandom random = new SecureRandom();
  private final HttpClient http = HttpClient.newHttpClient();
  private PeerzCommand cli;
  private Process node;
  private Path nodeLog;
  private String rpc;
  private String nodeMetrics;
  private final List<String> serverMetrics = new ArrayList<>();
  private final List<Process> servers = new ArrayList<>();
  private final List<Path> serverLogs = new ArrayList<>();

  @BeforeEach
  void startNode() throws Exception {
    cli = new PeerzCommand(home);
    int rpcPort = PeerzCommand.freePort();
    int p2pPort = PeerzCommand.freePort();
    int metricsPort = PeerzCommand.freePort();
    rpc = "http://127.0.0.1:" + rpcPort;
    nodeMetrics = "http://127.0.0.1:" + metricsPort + "/metrics";
    peerz("init", "--chain-id", "peerz-market", "--epoch-length", "10").ok();
    // A small benchmark and 32 challenge rows: a 50% skipper escapes a job with 2^-32.
    Path genesis = home.resolve("config/genesis.json");
    ObjectNode root = (ObjectNode) JSON.readTree(genesis.toFile());
    ((ObjectNode) root.path("app_state").path("params"))
        .put("benchmark_workload", "int8-gemm-128")
        .put("challenge_rows", "32")
        .put("job_timeout_blocks", "40")
        // Data jobs: a dispute window the CLI steps fit in, a short availability deadline and
        // queue timeout so that the test sees them end.
        .put("dispute_window_blocks", "25")
        .put("availability_timeout_blocks", "5")
        .put("output_retention_blocks", "40")
        .put("queue_timeout_blocks", "40");
    Files.writeString(genesis, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    nodeLog = home.resolve("node.log");
    node =
        cli.builder(
                "start",
                "--rpc.laddr",
                "tcp://127.0.0.1:" + rpcPort,
                "--p2p.laddr",
                "tcp://127.0.0.1:" + p2pPort,
                "--consensus.timeout_commit",
                "1s",
                "--instrumentation.prometheus",
                "--instrumentation.prometheus_listen_addr",
                "127.0.0.1:" + metricsPort)
            .redirectErrorStream(true)
            .redirectOutput(nodeLog.toFile())
            .start();
    await(Duration.ofSeconds(90), "the node's RPC", () -> status() != null);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (Process s : servers) {
      s.destroy();
    }
    for (Process s : servers) {
      if (!s.waitFor(20, TimeUnit.SECONDS)) {
        s.destroyForcibly();
      }
    }
    if (node != null && node.isAlive()) {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  @Test
  void honestWorkIsVerifiedAndPaidTheCheaterIsSlashedEveryTimeAndScoresAreNonZero()
      throws Exception {
    String queen = key("queen");
    String alice = key("alice");
    String[] providers = {key("p1"), key("p2"), key("p3")};
    Path[] execKeys = new Path[3];
    String[] exec = new String[3];
    for (int i = 0; i < 3; i++) {
      execKeys[i] = home.resolve("executor-" + (i + 1) + ".json");
      exec[i] =
          peerz("keys", "add-executor", execKeys[i].toString(), "-o", "json")
              .ok()
              .json()
              .path("address")
              .asText();
    }
    String subnetId = activeSubnet(queen, alice, providers, exec);

    for (int i = 0; i < 3; i++) {
      startServer(i, execKeys[i], i == 2 ? List.of("--faulty", "skip-rows=0.5") : List.of());
    }
    for (int i = 0; i < 3; i++) {
      tx(
          "register-executor",
          "--subnet-id",
          subnetId,
          "--executor-key",
          execKeys[i].toString(),
          "--hardware-class",
          "cpu",
          "--from",
          "p" + (i + 1));
    }
    await(
        Duration.ofSeconds(180),
        "three benchmarked executors",
        () -> {
          for (String e : exec) {
            JsonNode x = abci("/executor/" + e);
            if (x == null || !x.path("benchmarked").asBoolean()) {
              return false;
            }
          }
          return true;
        });

    JsonNode pool =
        tx(
            "create-pool",
            "--template",
            "gpu",
            "--model",
            "int8-gemm-128",
            "--hardware-class",
            "cpu",
            "--limit",
            "10",
            "--per-user",
            "4",
            "--price",
            "5",
            "--deposit",
            "1000",
            "--from",
            "queen");
    String poolId = PeerzCommand.event(pool, "pool_created", "pool_id");
    long escrowBefore = abci("/supply").path("market_escrow").asLong();
    assertThat(escrowBefore).isEqualTo(1000);

    // The cheater joins first, so the first two jobs are surely its.
    tx("join-pool", poolId, "--slots", "2", "--executor", execKeys[2].toString(), "--from", "p3");
    List<String> jobs = new ArrayList<>();
    long stakeBefore = abci("/node/" + subnetId + "/3").path("stake").asLong();
    for (int s = 1; s <= 2; s++) {
      jobs.add(submit(poolId, s));
    }
    await(
        Duration.ofSeconds(120),
        "the cheater's reveals",
        () -> jobs.stream().allMatch(j -> abci("/job/" + j).path("attempts").size() >= 1));
    for (int i = 0; i < 2; i++) {
      tx(
          "join-pool",
          poolId,
          "--slots",
          "2",
          "--executor",
          execKeys[i].toString(),
          "--from",
          "p" + (i + 1));
    }
    for (int s = 3; s <= 4; s++) {
      jobs.add(submit(poolId, s));
    }
    await(
        Duration.ofSeconds(240),
        "every job verified",
        () ->
            jobs.stream()
                .allMatch(j -> abci("/job/" + j).path("status").asText().equals("verified")));

    long honestPaid = 0;
    int cheats = 0;
    long slashed = 0;
    for (String j : jobs) {
      JsonNode job = query("job", j);
      assertThat(job.path("status").asText()).isEqualTo("verified");
      assertThat(job.path("executor").asText()).isIn(exec[0], exec[1]);
      assertThat(job.path("payment").asLong()).isEqualTo(5);
      assertThat(job.path("refund").asLong()).isEqualTo(35);
      honestPaid += job.path("payment").asLong();
      for (JsonNode a : job.path("attempts")) {
        if (a.path("executor").asText().equals(exec[2])) {
          cheats++;
          assertThat(a.path("outcome").asText())
              .as("the cheater's attempt")
              .isEqualTo("wrong_reveal");
          assertThat(a.path("slashed").asLong()).isPositive();
          slashed += a.path("slashed").asLong();
        } else {
          assertThat(a.path("outcome").asText()).isEqualTo("verified");
        }
      }
    }
    assertThat(cheats).isGreaterThanOrEqualTo(2);
    assertThat(honestPaid).isEqualTo(20);
    JsonNode cheater = query("executor", execKeys[2].toString());
    assertThat(cheater.path("slashed_total").asLong()).isEqualTo(slashed);
    assertThat(cheater.path("jobs_failed").asLong()).isEqualTo(cheats);
    assertThat(abci("/node/" + subnetId + "/3").path("stake").asLong())
        .isEqualTo(stakeBefore - slashed);
    // Budgets are settled: the escrow holds the deposit only.
    assertThat(abci("/supply").path("market_escrow").asLong()).isEqualTo(escrowBefore);

    long lastEpoch = abci("/epoch").path("epoch").asLong();
    await(
        Duration.ofSeconds(60),
        "the epoch to end",
        () -> abci("/epoch").path("epoch").asLong() > lastEpoch);
    long[] points = new long[4];
    long[] rewards = new long[4];
    for (long e = 0; e <= lastEpoch; e++) {
      Run r =
          peerz(
              "query",
              "scores",
              "--subnet-id",
              subnetId,
              "--epoch",
              Long.toString(e),
              "--node",
              rpc,
              "--output",
              "json");
      if (r.exitCode() != 0) {
        continue;
      }
      for (JsonNode n : r.json().path("compute").path("nodes")) {
        int id = n.path("node_id").asInt();
        points[id] += n.path("points").asLong();
        rewards[id] += n.path("reward").asLong();
      }
    }
    for (int id = 1; id <= 2; id++) {
      assertThat(points[id]).as("points of honest node %d", id).isPositive();
      assertThat(rewards[id]).as("compute rewards of honest node %d", id).isPositive();
    }

    // What an operator's Prometheus sees of all this, and the dashboard drawn from it.
    Scrape market = Scrape.of(nodeMetrics);
    assertThat(market.sum("peerz_jobs", "status", "verified")).isEqualTo(jobs.size() + 3.0);
    assertThat(market.sum("peerz_executors")).isEqualTo(3.0);
    assertThat(market.sum("peerz_subnets", "status", "active")).isEqualTo(1.0);
    assertThat(market.sum("peerz_escrow_held")).isEqualTo((double) escrowBefore);
    assertThat(market.sum("peerz_slashes_total", "reason", "wrong_reveal"))
        .isEqualTo((double) cheats);
    assertThat(market.sum("peerz_slashed_tokens_total", "reason", "wrong_reveal"))
        .isEqualTo((double) slashed);
    assertThat(market.sum("peerz_job_verification_seconds_count"))
        .isGreaterThanOrEqualTo(jobs.size());
    assertThat(market.sum("cometbft_consensus_total_txs")).isPositive();
    Set<String> served = new TreeSet<>(market.names());
    double poolProducts = 0;
    for (String url : serverMetrics) {
      Scrape s = Scrape.of(url);
      assertThat(s.sum("peerz_executor_jobs_run_total", "kind", "benchmark"))
          .isGreaterThanOrEqualTo(1.0);
      assertThat(s.sum("peerz_executor_kernel_tops", "kind", "benchmark")).isPositive();
      assertThat(s.sum("peerz_executor_backend_info", "backend", "cpu")).isEqualTo(1.0);
      poolProducts += s.sum("peerz_executor_jobs_run_total", "kind", "pool");
      served.addAll(s.names());
    }
    // Every pool job's product, the cheater's included, once at least.
    assertThat(poolProducts).isGreaterThanOrEqualTo(jobs.size() + cheats);
    Path dashboard =
        Path.of(System.getProperty("user.dir")).resolveSibling("docs/grafana/peerz.json");
    if (!Files.exists(dashboard)) {
      dashboard = Path.of(System.getProperty("user.dir"), "docs/grafana/peerz.json");
    }
    assertThat(Scrape.dashboardMetrics(dashboard))
        .as("metrics the Grafana dashboard uses, all served by the node or an executor")
        .isNotEmpty()
        .isSubsetOf(served);
  }

  @Test
  void anFp32JobIsComputedByAServerVerifiedToTheToleranceAndPaid() throws Exception {
    String queen = key("queen");
    String alice = key("alice");
    String[] providers = {key("p1"), key("p2"), key("p3")};
    Path execKey = home.resolve("executor-1.json");
    String exec =
        peerz("keys", "add-executor", execKey.toString(), "-o", "json")
            .ok()
            .json()
            .path("address")
            .asText();
    String subnetId = activeSubnet(queen, alice, providers, new String[] {exec});
    startServer(0, execKey, List.of());
    tx(
        "register-executor",
        "--subnet-id",
        subnetId,
        "--executor-key",
        execKey.toString(),
        "--hardware-class",
        "cpu",
        "--from",
        "p1");
    await(
        Duration.ofSeconds(180),
        "a benchmarked executor",
        () -> {
          JsonNode x = abci("/executor/" + exec);
          return x != null && x.path("benchmarked").asBoolean();
        });
    JsonNode pool =
        tx(
            "create-pool",
            "--template",
            "gpu",
            "--model",
            "fp32-gemm-128",
            "--hardware-class",
            "cpu",
            "--limit",
            "10",
            "--per-user",
            "4",
            "--price",
            "5",
            "--deposit",
            "1000",
            "--from",
            "queen");
    String poolId = PeerzCommand.event(pool, "pool_created", "pool_id");
    tx("join-pool", poolId, "--slots", "1", "--executor", execKey.toString(), "--from", "p1");
    String job = submit(poolId, 11);
    await(
        Duration.ofSeconds(120),
        "the fp32 job verified",
        () -> abci("/job/" + job).path("status").asText().equals("verified"));
    JsonNode j = query("job", job);
    assertThat(j.path("workload").asText()).isEqualTo("fp32-gemm-128");
    assertThat(j.path("executor").asText()).isEqualTo(exec);
    assertThat(j.path("payment").asLong()).isEqualTo(5);
    assertThat(j.path("attempts")).hasSize(1);
    assertThat(j.path("attempts").get(0).path("outcome").asText()).isEqualTo("verified");
    assertThat(Files.readString(serverLogs.get(0))).contains("fp32-gemm-128 assigned");
  }

  /**
   * Data jobs end to end (the buyer's own matrices): an honest executor's C fetched and verified
   * equal to the product; a cheater that corrupts one entry caught by fetch --verify and slashed
   * through a dispute; an executor that serves no output slashed through an availability request; a
   * job nobody can take explained by job-fit, one cancelled and one refunded by the queue timeout.
   */
  @Test
  void buyersOwnMatricesAreVerifiedCheatersDisputedUnavailableOutputsSlashedStuckJobsRefunded()
      throws Exception {
    String queen = key("queen");
    String alice = key("alice");
    String[] providers = {key("p1"), key("p2"), key("p3")};
    Path[] execKeys = new Path[4];
    String[] exec = new String[4];
    for (int i = 0; i < 4; i++) {
      execKeys[i] = home.resolve("executor-" + (i + 1) + ".json");
      exec[i] =
          peerz("keys", "add-executor", execKeys[i].toString(), "-o", "json")
              .ok()
              .json()
              .path("address")
              .asText();
    }
    String subnetId = activeSubnet(queen, alice, providers, exec);
    List<List<String>> faults =
        List.of(List.of(), List.of("--faulty", "corrupt-entry"), List.of("--faulty", "no-serve"));
    for (int i = 0; i < 3; i++) {
      startServer(i, execKeys[i], faults.get(i));
    }
    for (int i = 0; i < 4; i++) {
      // Executor 4 is bound to provider 1's node and never runs: it stays unbenchmarked.
      tx(
          "register-executor",
          "--subnet-id",
          subnetId,
          "--executor-key",
          execKeys[i].toString(),
          "--hardware-class",
          "cpu",
          "--from",
          "p" + (i == 3 ? 1 : i + 1));
    }
    await(
        Duration.ofSeconds(180),
        "three benchmarked executors with data endpoints",
        () -> {
          for (int i = 0; i < 3; i++) {
            JsonNode x = abci("/executor/" + exec[i]);
            if (x == null
                || !x.path("benchmarked").asBoolean()
                || x.path("data_url").asText().isEmpty()) {
              return false;
            }
          }
          return true;
        });
    String[] pools = new String[4];
    for (int i = 0; i < 4; i++) {
      pools[i] =
          PeerzCommand.event(
              tx(
                  "create-pool",
                  "--template",
                  "gpu",
                  "--workload",
                  "gemm-int8",
                  "--hardware-class",
                  "cpu",
                  "--price",
                  "5",
                  "--deposit",
                  "1000",
                  "--limit",
                  "8",
                  "--per-user",
                  "2",
                  "--from",
                  "queen"),
              "pool_created",
              "pool_id");
      tx(
          "join-pool",
          pools[i],
          "--slots",
          "1",
          "--executor",
          execKeys[i].toString(),
          "--from",
          "p" + (i == 3 ? 1 : i + 1));
    }
    // Alice's own inputs, written as numpy.save writes them.
    int m = 40;
    int k = 56;
    int n = 24;
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    byte[] ad = new byte[m * k];
    byte[] bd = new byte[k * n];
    rnd.nextBytes(ad);
    rnd.nextBytes(bd);
    Path a = home.resolve("a.npy");
    Path b = home.resolve("b.npy");
    io.peerz.attest.NpyFile.writeInt8(a, new io.peerz.attest.Int8Matrix(m, k, ad));
    io.peerz.attest.NpyFile.writeInt8(b, new io.peerz.attest.Int8Matrix(k, n, bd));
    int[] product = io.peerz.attest.CpuGemm.multiply(m, k, n, ad, bd);

    // 1. Honest, the inputs fetched by the executor from `peerz data serve` (no upload): C comes
    // back equal to A x B, verified.
    Path inputs = Files.createDirectories(home.resolve("served"));
    Files.copy(a, inputs.resolve("a.npy"));
    Files.copy(b, inputs.resolve("b.npy"));
    int dataPort = PeerzCommand.freePort();
    Path dataLog = home.resolve("data-serve.log");
    serverLogs.add(dataLog);
    servers.add(
        cli.builder("data", "serve", inputs.toString(), "--laddr", "127.0.0.1:" + dataPort)
            .redirectErrorStream(true)
            .redirectOutput(dataLog.toFile())
            .start());
    String served = "http://127.0.0.1:" + dataPort + "/";
    await(
        Duration.ofSeconds(30),
        "peerz data serve at " + served,
        () -> {
          try {
            return Files.readString(dataLog).contains(served + "a.npy");
          } catch (IOException e) {
            return false;
          }
        });
    String j1 = submitData(pools[0], a, b, "120s", served + "a.npy", served + "b.npy");
    assertThat(abci("/job/" + j1).path("status").asText()).isEqualTo("verified");
    assertThat(Files.readString(serverLogs.get(0)))
        .contains("job " + j1 + ": fetching a.npy from " + served + "a.npy");
    Path c = home.resolve("c.npy");
    Run fetched = job("fetch", j1, "--out", c.toString(), "--verify");
    assertThat(fetched.exitCode()).as(fetched.out() + fetched.err()).isZero();
    assertThat(fetched.out()).contains("verified: C = A x B");
    assertThat(io.peerz.attest.NpyFile.readInt32(c).data()).isEqualTo(product);
    assertThat(job("status", j1).out()).contains("job " + j1 + ": verified");
    // Rows asked for on chain come back through the block, checked against C's root.
    tx("request-rows", j1, "--rows", "5,2", "--from", "alice");
    await(
        Duration.ofSeconds(60),
        "job " + j1 + "'s rows posted",
        () -> abci("/job/" + j1).path("availability").path("answered_height").asLong() > 0);
    Path rows = home.resolve("rows.npy");
    Run posted = job("rows", j1, "--out", rows.toString());
    assertThat(posted.exitCode()).as(posted.out() + posted.err()).isZero();
    int[] want = new int[2 * n];
    System.arraycopy(product, 5 * n, want, 0, n);
    System.arraycopy(product, 2 * n, want, n, n);
    assertThat(io.peerz.attest.NpyFile.readInt32(rows).data()).isEqualTo(want);

    // 2. A corrupted entry: fetch --verify names it, the dispute proves it, the cheater pays.
    String j2 = submitData(pools[1], a, b);
    Path cheat = home.resolve("c-cheat.npy");
    Run caught = job("fetch", j2, "--out", cheat.toString(), "--verify");
    assertThat(caught.exitCode()).as(caught.out() + caught.err()).isEqualTo(2);
    assertThat(caught.out()).contains("WRONG: c[" + m / 2 + "][" + n / 2 + "]");
    long stake2 = abci("/node/" + subnetId + "/2").path("stake").asLong();
    Run disputed =
        job(
            "dispute",
            j2,
            "--a",
            a.toString(),
            "--b",
            b.toString(),
            "--c",
            cheat.toString(),
            "--keyring-backend",
            "test");
    assertThat(disputed.exitCode()).as(disputed.out() + disputed.err()).isZero();
    JsonNode d = abci("/job/" + j2);
    assertThat(d.path("status").asText()).isEqualTo("disputed");
    assertThat(d.path("refund").asLong()).isEqualTo(40);
    assertThat(abci("/node/" + subnetId + "/2").path("stake").asLong()).isLessThan(stake2);

    // 3. No output served: the availability request goes unanswered, the executor is slashed.
    String j3 = submitData(pools[2], a, b);
    Run missing = job("fetch", j3, "--out", home.resolve("c-none.npy").toString());
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.err()).contains("request-rows");
    tx("request-rows", j3, "--rows", "0,1", "--from", "alice");
    await(
        Duration.ofSeconds(60),
        "the availability deadline",
        () -> abci("/job/" + j3).path("status").asText().equals("refunded"));
    JsonNode u = abci("/job/" + j3);
    JsonNode last = u.path("attempts").get(u.path("attempts").size() - 1);
    assertThat(last.path("outcome").asText()).isEqualTo("unavailable");
    assertThat(last.path("slashed").asLong()).isPositive();

    // 4. Nobody can take it: job-fit says why; one is cancelled, the other times out.
    String j4 = submitData(pools[3], a, b, "0s");
    String j5 = submitData(pools[3], a, b, "0s");
    Run fit = peerz("query", "job-fit", j4, "--node", rpc);
    assertThat(fit.exitCode()).isZero();
    assertThat(fit.out()).contains(exec[3]).contains("benchmark");
    tx("cancel-job", j4, "--from", "alice");
    assertThat(abci("/job/" + j4).path("status").asText()).isEqualTo("cancelled");
    long queueDeadline = abci("/job/" + j5).path("queue_deadline_height").asLong();
    await(
        Duration.ofSeconds(120),
        "the queue timeout at height " + queueDeadline,
        () -> abci("/job/" + j5).path("status").asText().equals("refunded"));
    assertThat(abci("/job/" + j5).path("verification").asText()).startsWith("queue_timeout");
    // Every budget is settled once job 1 is paid: the escrow holds the four deposits only.
    long payout = abci("/job/" + j1).path("payout_height").asLong();
    await(
        Duration.ofSeconds(60),
        "job " + j1 + "'s payout at height " + payout,
        () -> abci("/job/" + j1).path("status").asText().equals("paid"));
    assertThat(abci("/supply").path("market_escrow").asLong()).isEqualTo(4000);
  }

  @Test
  void anMlpPoolRunsTheDigitsModelVerifiedAndACheatedHiddenActivationIsDisputed() throws Exception {
    String queen = key("queen");
    String alice = key("alice");
    String[] providers = {key("p1"), key("p2"), key("p3")};
    Path[] execKeys = new Path[2];
    String[] exec = new String[2];
    for (int i = 0; i < 2; i++) {
      execKeys[i] = home.resolve("executor-" + (i + 1) + ".json");
      exec[i] =
          peerz("keys", "add-executor", execKeys[i].toString(), "-o", "json")
              .ok()
              .json()
              .path("address")
              .asText();
    }
    String subnetId = activeSubnet(queen, alice, providers, exec);
    startServer(0, execKeys[0], List.of());
    startServer(1, execKeys[1], List.of("--faulty", "corrupt-entry"));
    for (int i = 0; i < 2; i++) {
      tx(
          "register-executor",
          "--subnet-id",
          subnetId,
          "--executor-key",
          execKeys[i].toString(),
          "--hardware-class",
          "cpu",
          "--from",
          "p" + (i + 1));
    }
    await(
        Duration.ofSeconds(180),
        "two benchmarked executors with data endpoints",
        () -> {
          for (int i = 0; i < 2; i++) {
            JsonNode x = abci("/executor/" + exec[i]);
            if (x == null
                || !x.path("benchmarked").asBoolean()
                || x.path("data_url").asText().isEmpty()) {
              return false;
            }
          }
          return true;
        });
    Path models = repoRoot().resolve("models");
    Path model = models.resolve("digits-mlp-int8.safetensors");
    Path images = models.resolve("digits-test-images.npy");
    try (var served =
        io.peerz.gpu.data.FolderServer.start(
            models,
            new java.net.InetSocketAddress("127.0.0.1", 0),
            io.peerz.gpu.data.DataLimits.defaults())) {
      String url = served.urlOf(Path.of("digits-mlp-int8.safetensors")).toString();
      // A model whose header lies about its length is refused before anything is sent.
      byte[] bytes = Files.readAllBytes(model);
      bytes[1] += 1;
      Path lying = Files.write(home.resolve("lying.safetensors"), bytes);
      Run refused = createMlpPool(lying, url);
      assertThat(refused.exitCode()).isNotZero();
      assertThat(refused.err()).contains("is not a valid mlp-int8 model");
      String[] pools = new String[2];
      for (int i = 0; i < 2; i++) {
        Run created = createMlpPool(model, url);
        assertThat(created.exitCode()).as(created.out() + created.err()).isZero();
        pools[i] = PeerzCommand.event(created.json(), "pool_created", "pool_id");
        tx(
            "join-pool",
            pools[i],
            "--slots",
            "1",
            "--executor",
            execKeys[i].toString(),
            "--from",
            "p" + (i + 1));
      }
      // A batch of the wrong width is refused before anything is sent.
      Path wide = home.resolve("wide.npy");
      io.peerz.attest.NpyFile.writeInt8(wide, new io.peerz.attest.Int8Matrix(2, 65, new byte[130]));
      Run bad =
          peerz(
              "job",
              "submit",
              "--pool",
              pools[0],
              "--input",
              wide.toString(),
              "--max-budget",
              "40",
              "--from",
              "alice",
              "--keyring-backend",
              "test",
              "--node",
              rpc);
      assertThat(bad.exitCode()).isNotZero();
      assertThat(bad.err()).contains("takes rows of 64 features");

      // 1. Honest: the logits come back, every layer verified, equal to the model's run here.
      String j1 = submitBatch(pools[0], images);
      Path logits = home.resolve("logits.npy");
      Run fetched = job("fetch", j1, "--out", logits.toString(), "--verify");
      assertThat(fetched.exitCode()).as(fetched.out() + fetched.err()).isZero();
      assertThat(fetched.out()).contains("verified: every layer's GEMM");
      io.peerz.attest.QuantizedMlp mlp = io.peerz.attest.QuantizedMlp.read(model);
      io.peerz.attest.Int8Matrix x = io.peerz.attest.NpyFile.readInt8(images);
      var want = mlp.forward(x.rows(), x.data(), io.peerz.attest.CpuGemm::multiply);
      assertThat(io.peerz.attest.NpyFile.readInt8(logits).data())
          .isEqualTo(want.get(want.size() - 1).outputs());

      // 2. One hidden activation changed: fetch --verify names it, one dispute proves it.
      String j2 = submitBatch(pools[1], images);
      Run caught = job("fetch", j2, "--out", home.resolve("cheat.npy").toString(), "--verify");
      assertThat(caught.exitCode()).as(caught.out() + caught.err()).isEqualTo(2);
      assertThat(caught.out()).contains("WRONG: layers.0.outputs[100][32]");
      long stake = abci("/node/" + subnetId + "/2").path("stake").asLong();
      Run disputed = job("dispute", j2, "--keyring-backend", "test");
      assertThat(disputed.exitCode()).as(disputed.out() + disputed.err()).isZero();
      JsonNode d = abci("/job/" + j2);
      assertThat(d.path("status").asText()).isEqualTo("disputed");
      assertThat(d.path("verification").asText()).contains("layers.0.outputs[100][32]");
      assertThat(abci("/node/" + subnetId + "/2").path("stake").asLong()).isLessThan(stake);
    }
  }

  private Run createMlpPool(Path model, String url) {
    return peerz(
        "tx",
        "create-pool",
        "--template",
        "gpu",
        "--workload",
        "mlp-int8",
        "--model",
        model.toString(),
        "--model-url",
        url,
        "--hardware-class",
        "cpu",
        "--price",
        "5",
        "--deposit",
        "1000",
        "--limit",
        "8",
        "--from",
        "queen",
        "--keyring-backend",
        "test",
        "--node",
        rpc,
        "-o",
        "json");
  }

  /** Runs peerz job submit --input; the job's id. */
  private String submitBatch(String pool, Path batch) {
    Run r =
        peerz(
            "job",
            "submit",
            "--pool",
            pool,
            "--input",
            batch.toString(),
            "--max-budget",
            "40",
            "--from",
            "alice",
            "--keyring-backend",
            "test",
            "--node",
            rpc,
            "--wait-for",
            "120s");
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    java.util.regex.Matcher mm =
        java.util.regex.Pattern.compile("job (\\d+) submitted").matcher(r.out());
    assertThat(mm.find()).as(r.out()).isTrue();
    return mm.group(1);
  }

  private static Path repoRoot() {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    return Files.isDirectory(root.resolve("models")) ? root : root.getParent();
  }

  private String submitData(String pool, Path a, Path b) {
    return submitData(pool, a, b, "120s");
  }

  /** Runs peerz job submit; the job's id. */
  private String submitData(String pool, Path a, Path b, String waitFor) {
    return submitData(pool, a, b, waitFor, null, null);
  }

  /** Runs peerz job submit, the executor fetching A and B from the URLs when given; the job id. */
  private String submitData(String pool, Path a, Path b, String waitFor, String aUrl, String bUrl) {
    List<String> urls = aUrl == null ? List.of() : List.of("--a-url", aUrl, "--b-url", bUrl);
    Run r =
        peerz(
            java.util.stream.Stream.concat(
                    java.util.stream.Stream.of(
                        "job",
                        "submit",
                        "--pool",
                        pool,
                        "--a",
                        a.toString(),
                        "--b",
                        b.toString(),
                        "--max-budget",
                        "40",
                        "--from",
                        "alice",
                        "--keyring-backend",
                        "test",
                        "--node",
                        rpc,
                        "--wait-for",
                        waitFor),
                    urls.stream())
                .toArray(String[]::new));
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    java.util.regex.Matcher mm =
        java.util.regex.Pattern.compile("job (\\d+) submitted").matcher(r.out());
    assertThat(mm.find()).as(r.out()).isTrue();
    return mm.group(1);
  }

  private Run job(String... args) {
    List<String> all = new ArrayList<>(List.of("job"));
    all.addAll(List.of(args));
    all.addAll(List.of("--node", rpc));
    return peerz(all.toArray(String[]::new));
  }

  /**
   * Funds the accounts, registers subnet "compute" with the three providers' nodes (1000 stake
   * each) and activates it; returns its id.
   */
  private String activeSubnet(String queen, String alice, String[] providers, String[] exec) {
    for (String who : List.of(queen, alice, providers[0], providers[1], providers[2])) {
      tx("bank", "send", "validator", who, "20000");
    }
    for (String e : exec) {
      tx("bank", "send", "validator", e, "2000");
    }

    JsonNode subnet =
        tx(
            "register-subnet",
            "--name",
            "compute",
            "--repo",
            "github.com/demo/compute",
            "--churn-limit",
            "64",
            "--min-stake",
            "100",
            "--max-stake",
            "10000",
            "--node-queue-epochs",
            "0",
            "--idle-classification-epochs",
            "1",
            "--included-classification-epochs",
            "1",
            "--max-node-penalties",
            "10",
            "--initial-coldkeys",
            String.join(",", providers),
            "--max-registered-nodes",
            "10",
            "--key-types",
            "ed25519",
            "--max-cost",
            "1000000",
            "--from",
            "queen");
    String subnetId = PeerzCommand.event(subnet, "subnet_registered", "subnet_id");
    for (int i = 0; i < 3; i++) {
      tx(
          "register-node",
          "--subnet-id",
          subnetId,
          "--hotkey",
          PeerzCommand.randomAddress(random),
          "--peer-id",
          PeerzCommand.randomPeerId(random),
          "--bootnode-peer-id",
          PeerzCommand.randomPeerId(random),
          "--client-peer-id",
          PeerzCommand.randomPeerId(random),
          "--stake-to-be-added",
          "1000",
          "--max-burn-amount",
          "100",
          "--from",
          "p" + (i + 1));
      tx("activate-node", "--subnet-id", subnetId, "--from", "p" + (i + 1));
    }
    tx("activate-subnet", "--subnet-id", subnetId, "--from", "queen");
    return subnetId;
  }

  private String submit(String poolId, int seed) {
    JsonNode r =
        tx(
            "submit-job",
            "--pool",
            poolId,
            "--input-seed",
            Integer.toString(seed),
            "--max-budget",
            "40",
            "--from",
            "alice");
    return PeerzCommand.event(r, "job_submitted", "job_id");
  }

  private void startServer(int i, Path key, List<String> extra) throws IOException {
    int metricsPort = PeerzCommand.freePort();
    serverMetrics.add("http://127.0.0.1:" + metricsPort + "/metrics");
    List<String> args =
        new ArrayList<>(
            List.of(
                "server",
                "--metrics-laddr",
                "127.0.0.1:" + metricsPort,
                "--home",
                home.resolve("server-" + i).toString(),
                "--executor-key",
                key.toString(),
                "--node",
                rpc,
                "--poll",
                "300ms"));
    args.addAll(extra);
    Path log = home.resolve("server-" + i + ".log");
    serverLogs.add(log);
    servers.add(
        cli.builder(args.toArray(String[]::new))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start());
  }

  private String key(String name) {
    return peerz("keys", "add", name, "--keyring-backend", "test", "--output", "json")
        .ok()
        .json()
        .path("address")
        .asText();
  }

  private JsonNode tx(String... args) {
    List<String> all = new ArrayList<>(List.of("tx"));
    all.addAll(List.of(args));
    all.addAll(List.of("--node", rpc, "--keyring-backend", "test", "--output", "json"));
    JsonNode r = peerz(all.toArray(String[]::new)).ok().json();
    assertThat(r.path("code").asInt()).as(r.toString()).isZero();
    return r;
  }

  private JsonNode query(String... args) {
    List<String> all = new ArrayList<>(List.of("query"));
    all.addAll(List.of(args));
    all.addAll(List.of("--node", rpc, "--output", "json"));
    return peerz(all.toArray(String[]::new)).ok().json();
  }

  private Run peerz(String... args) {
    return cli.run(this::context, args);
  }

  /** A committed abci_query value as JSON, or null when it fails. */
  private JsonNode abci(String path) {
    JsonNode r = get("/abci_query?path=%22" + path + "%22");
    if (r == null || r.at("/result/response/code").asInt(0) != 0) {
      return null;
    }
    try {
      return JSON.readTree(Base64.getDecoder().decode(r.at("/result/response/value").asText()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode status() {
    JsonNode s = get("/status");
    return s != null && s.has("result") ? s : null;
  }

  private JsonNode get(String pathAndQuery) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(rpc + pathAndQuery))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void await(Duration limit, String what, BooleanSupplier condition)
      throws InterruptedException {
    PeerzCommand.await(limit, what, node, this::context, condition);
  }

  private String context() {
    StringBuilder b = new StringBuilder("node log:\n").append(PeerzCommand.tail(nodeLog));
    for (Path p : serverLogs) {
      b.append("\n").append(p.getFileName()).append(":\n").append(PeerzCommand.tail(p));
    }
    return b.toString();
  }
}
