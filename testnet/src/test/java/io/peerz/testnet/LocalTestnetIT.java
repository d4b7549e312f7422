package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.testnet.PeerzCommand.Run;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A four-validator network of real {@code peerz start} processes on loopback, from {@code peerz
 * testnet init}: under load from {@code peerz bench}, one validator is killed with SIGKILL, the
 * other three keep committing, the killed one restarts and catches up, and all four hold the same
 * block hashes and app hashes at every height; then all stop (SIGTERM) and restart, and every
 * committed height and tx is still there while the chain goes on.
 */
class LocalTestnetIT {
  private static final int N = 4;
  private static final Duration LIMIT = Duration.ofSeconds(90);

  @TempDir Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private PeerzCommand cli;
  private Path net;
  private final Process[] nodes = new Process[N];
  private final String[] rpc = new String[N];

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : nodes) {
      if (p != null && p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : nodes) {
      if (p != null && !p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void survivesAKilledValidatorAndAFullRestartWithTheSameChainOnEveryNode() throws Exception {
    cli = new PeerzCommand(dir);
    net = dir.resolve("net");
    int base = freeBasePort();
    Run init =
        cli.run(
                () -> "",
                "testnet",
                "init",
                "--validators",
                Integer.toString(N),
                "--output",
                net.toString(),
                "--base-port",
                Integer.toString(base),
                "--timeout-commit",
                "500ms")
            .ok();
    for (int i = 0; i < N; i++) {
      rpc[i] = "http://127.0.0.1:" + (base + 10 * i + 1);
      assertThat(init.out()).contains("node" + i + " home=").contains("rpc=" + rpc[i]);
    }
    for (int i = 0; i < N; i++) {
      start(i);
    }
    for (int i = 0; i < N; i++) {
      int n = i;
      await("node" + n + " at height 2", nodes[n], () -> height(n) >= 2);
    }

    // Load through node0 while node3 is killed: the bench's txs must all commit anyway.
    Path plot = dir.resolve("bench.png");
    CompletableFuture<Run> bench =
        CompletableFuture.supplyAsync(
            () ->
                cli.run(
                    () -> logs(),
                    "bench",
                    "--node",
                    rpc[0],
                    "--home",
                    net.resolve("node0").toString(),
                    "--keyring-backend",
                    "test",
                    "--txs",
                    "400",
                    "--accounts",
                    "40",
                    "--rate",
                    "40",
                    "--plot",
                    plot.toString(),
                    "--output",
                    "json"));
    long before = height(0);
    await("the bench's first blocks", nodes[0], () -> height(0) >= before + 3 || bench.isDone());
    nodes[3].destroyForcibly(); // SIGKILL
    assertThat(nodes[3].waitFor(30, TimeUnit.SECONDS)).isTrue();
    long killedAt = height(0);
    await(
        "three validators committing without node3",
        nodes[0],
        () -> height(0) >= killedAt + 5 && height(1) >= killedAt + 5 && height(2) >= killedAt + 5);

    start(3);
    Run load = bench.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
    JsonNode report = load.ok().json();
    assertThat(report.path("committed").asInt()).isEqualTo(400);
    assertThat(report.path("rejects").size()).as("rejects: %s", report).isZero();
    assertThat(report.path("failed_in_block").size()).as("failures: %s", report).isZero();
    assertThat(report.path("latency_ms").path("p99").asLong()).isPositive();
    assertThat(plot).isNotEmptyFile();

    long target = height(0);
    await("node3 caught up to " + target, nodes[3], () -> height(3) >= target);
    List<String> hashes = sameChainOnEveryNode(target);

    // Stop all with SIGTERM, restart all: nothing committed is lost and the chain goes on.
    List<String> txs = committedTxs(target);
    assertThat(txs.size()).as("the bench's txs and the funding are in blocks").isGreaterThan(400);
    stopAll();
    for (int i = 0; i < N; i++) {
      assertThat(nodes[i].isAlive()).as("node%d stopped on SIGTERM", i).isFalse();
      start(i);
    }
    for (int i = 0; i < N; i++) {
      int n = i;
      await("node" + n + " past " + target + " after restart", nodes[n], () -> height(n) > target);
    }
    assertThat(sameChainOnEveryNode(target)).isEqualTo(hashes);
    for (int i = 0; i < N; i++) {
      for (String tx : txs) {
        JsonNode found = get(i, "/tx?hash=0x" + tx);
        assertThat(found.path("result").path("tx_result").path("code").asInt(-1))
            .as("node%d still has tx %s: %s", i, tx, found)
            .isZero();
      }
    }
    long after = height(0);
    await("blocks after the restart", nodes[0], () -> height(0) >= after + 3);
  }

  /** Block hash and app hash of every height up to {@code top}, the same on all nodes. */
  private List<String> sameChainOnEveryNode(long top) throws IOException, InterruptedException {
    List<String> chain = new ArrayList<>();
    for (long h = 1; h <= top; h++) {
      String expected = null;
      for (int i = 0; i < N; i++) {
        String blockHash = get(i, "/block?height=" + h).at("/result/block_id/hash").asText();
        String appHash = get(i, "/block_results?height=" + h).at("/result/app_hash").asText();
        assertThat(blockHash).as("node%d block hash at %d", i, h).isNotEmpty();
        assertThat(appHash).as("node%d app hash at %d", i, h).isNotEmpty();
        String both = h + " " + blockHash + " " + appHash;
        if (expected == null) {
          expected = both;
        }
        assertThat(both).as("node%d at height %d", i, h).isEqualTo(expected);
      }
      chain.add(expected);
    }
    return chain;
  }

  /** The hashes of all txs in blocks 1..top, as node0 holds them. */
  private List<String> committedTxs(long top) throws Exception {
    List<String> out = new ArrayList<>();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (long h = 1; h <= top; h++) {
      for (JsonNode tx : get(0, "/block?height=" + h).at("/result/block/data/txs")) {
        out.add(
            HexFormat.of()
                .withUpperCase()
                .formatHex(sha.digest(Base64.getDecoder().decode(tx.asText()))));
      }
    }
    return out;
  }

  private void start(int i) throws IOException {
    Path home = net.resolve("node" + i);
    nodes[i] =
        cli.builder("start", "--home", home.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()))
            .start();
  }

  /** The node's latest committed height; 0 while it does not answer. */
  private long height(int i) {
    try {
      return get(i, "/status").at("/result/sync_info/latest_block_height").asLong(0);
    } catch (IOException | RuntimeException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private JsonNode get(int i, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(rpc[i] + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return PeerzCommand.JSON.readTree(r.body());
  }

  private void await(String what, Process process, BooleanSupplier condition)
      throws InterruptedException {
    PeerzCommand.await(LIMIT, what, process, this::logs, condition);
  }

  private String logs() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < N; i++) {
      s.append("--- node").append(i).append(" ---\n");
      s.append(PeerzCommand.tail(net.resolve("node" + i).resolve("node.log"))).append('\n');
    }
    return s.toString();
  }

  /** A base port whose 2N ports (p2p base+10i, RPC base+10i+1) are all free now. */
  private static int freeBasePort() throws IOException {
    Random random = new Random();
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20000 + random.nextInt(30000);
      if (allFree(base)) {
        return base;
      }
    }
    throw new AssertionError("no free port range for " + N + " nodes");
  }

  private static boolean allFree(int base) {
    for (int i = 0; i < N; i++) {
      // p2p, RPC and metrics (testnet init turns them on at p2p + 4).
      for (int port : new int[] {base + 10 * i, base + 10 * i + 1, base + 10 * i + 4}) {
        try (ServerSocket s = new ServerSocket(port)) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          return false;
        }
      }
    }
    return true;
  }
}
