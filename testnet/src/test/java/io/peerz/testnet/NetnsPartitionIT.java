package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four validators, each {@code peerz start} in its own network namespace on a bridge (the layout of
 * testnet/wan-bench.sh, made by testnet/netns.sh): node3's link is cut, the other three keep
 * committing, the link comes back, and node3 catches up to the same blocks and app hashes. Skips,
 * saying why, only where network namespaces cannot be made (not root, or no netns support).
 */
class NetnsPartitionIT {
  private static final int N = 4;
  private static final Duration LIMIT = Duration.ofSeconds(45);
  private static final Pattern PEER = Pattern.compile("@127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Process[] nodes = new Process[N];
  private final String[] rpc = new String[N];
  private final Path[] logs = new Path[N];
  private final String prefix = "pz" + (ProcessHandle.current().pid() % 100_000);
  private final String subnet = "10.213." + (ProcessHandle.current().pid() % 250);
  private Path netns;
  private boolean made;

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : nodes) {
      if (p != null && p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : nodes) {
      if (p != null && !p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (made) {
      script("down", prefix);
    }
  }

  @Test
  void aPartitionedValidatorCatchesUpToTheSameAppHashAfterHealing() throws Exception {
    netns = netnsScript();
    int check = run(List.of("bash", netns.toString(), "check"));
    Assumptions.assumeTrue(
        check == 0,
        "network namespaces cannot be made here (needs root and ip netns); this test makes four");
    PeerzCommand cli = new PeerzCommand(dir);
    Path net = dir.resolve("net");
    int base = 27000;
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
            "300ms")
        .ok();
    made = true;
    assertThat(script("up", prefix, Integer.toString(N), subnet)).isZero();
    for (int i = 0; i < N; i++) {
      Path toml = net.resolve("node" + i + "/config/config.toml");
      Files.writeString(toml, inNamespace(Files.readString(toml), i, base));
      rpc[i] = "http://" + ip(i) + ":" + (base + 10 * i + 1);
    }
    for (int i = 0; i < N; i++) {
      logs[i] = dir.resolve("node" + i + ".log");
      ProcessBuilder pb = cli.builder("start", "--home", net.resolve("node" + i).toString());
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", prefix + "-n" + i));
      cmd.addAll(pb.command());
      pb.command(cmd);
      nodes[i] = pb.redirectErrorStream(true).redirectOutput(logs[i].toFile()).start();
    }
    for (int i = 0; i < N; i++) {
      int n = i;
      await("node" + n + " at height 2", n, () -> height(n) >= 2);
    }

    assertThat(script("cut", prefix, "3")).isZero();
    long cutAt = height(0);
    await(
        "three validators committing without node3",
        0,
        () -> height(0) >= cutAt + 4 && height(1) >= cutAt + 4 && height(2) >= cutAt + 4);
    assertThat(nodes[3].isAlive()).isTrue();

    assertThat(script("heal", prefix, "3")).isZero();
    long target = height(0);
    await("node3 caught up to " + target, 3, () -> height(3) >= target);
    for (long h = Math.max(1, cutAt - 1); h <= target; h++) {
      JsonNode first = get(0, "/block?height=" + h);
      for (int i = 1; i < N; i++) {
        JsonNode other = get(i, "/block?height=" + h);
        assertThat(other.at("/result/block_id/hash").asText())
            .as("block hash of node%d at height %d", i, h)
            .isEqualTo(first.at("/result/block_id/hash").asText());
        assertThat(other.at("/result/block/header/app_hash").asText())
            .as("app hash of node%d at height %d", i, h)
            .isEqualTo(first.at("/result/block/header/app_hash").asText());
      }
    }
  }

  /** The config of node {@code i} with its addresses in its namespace's subnet. */
  private String inNamespace(String toml, int i, int base) {
    String own = toml.replace("laddr = \"tcp://127.0.0.1:", "laddr = \"tcp://" + ip(i) + ":");
    Matcher m = PEER.matcher(own);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int j = (Integer.parseInt(m.group(1)) - base) / 10;
      m.appendReplacement(out, "@" + ip(j) + ":" + m.group(1));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String ip(int i) {
    return subnet + "." + (i + 1);
  }

  private static Path netnsScript() {
    Path here = Path.of(System.getProperty("user.dir"));
    Path script = here.resolve("netns.sh");
    return Files.exists(script) ? script : here.resolve("testnet/netns.sh");
  }

  private int script(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", netns.toString()));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  private int run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish");
    }
    if (p.exitValue() != 0) {
      System.err.println(cmd + " exited " + p.exitValue() + ": " + out);
    }
    return p.exitValue();
  }

  private void await(String what, int node, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    PeerzCommand.await(LIMIT, what, nodes[node], () -> PeerzCommand.tail(logs[node]), condition);
  }

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
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return PeerzCommand.JSON.readTree(r.body());
  }
}
