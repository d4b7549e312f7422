package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real engine: {@code testnet/cometbft.sh} runs four CometBFT v0.38.17 validators on loopback,
 * each driving its own {@code peerz start --abci}, from one genesis made by peerz (CometBFT is
 * built by {@code testnet/install-cometbft.sh} when this machine has none yet; that needs {@code
 * go} and the Go module proxy). Through CometBFT's own RPC: {@code peerz tx} sends commit and are
 * found by {@code tx}; {@code @cosmjs/tendermint-rpc} runs the same checks as against a peerz node
 * ({@code cosmjs-e2e.js}); a proven query verifies with the documented verifier ({@code
 * verify-proof.js}). One validator is killed (-9, both processes) and restarted and catches up; a
 * fifth node joins by state sync from the validators' peerz snapshots; every node's application
 * reports the same app hash at every height.
 */
class CometBftIT {
  private static final Duration INIT_LIMIT = Duration.ofMinutes(10); // may build CometBFT
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int VALIDATORS = 4;

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<Integer, Process> nodes = new TreeMap<>();
  private Path home;
  private Path script;
  private int basePort;

  @AfterEach
  void stopNodes() throws InterruptedException {
    for (Process p : nodes.values()) {
      stop(p);
    }
  }

  /** TERM: the script stops its peerz and CometBFT cleanly. */
  private static void stop(Process p) throws InterruptedException {
    if (p.isAlive()) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        kill(p);
      }
    }
  }

  /** kill -9 of the node's processes (peerz, CometBFT) and of the script that started them. */
  private static void kill(Process p) throws InterruptedException {
    List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
    all.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    for (ProcessHandle h : all) {
      h.onExit().join();
    }
    p.waitFor(30, TimeUnit.SECONDS);
  }

  @Test
  void fourCometBftValidatorsDrivePeerzAndAFifthNodeStateSyncs() throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    if (!Files.exists(root.resolve("testnet/cometbft.sh"))) {
      root = root.getParent();
    }
    script = root.resolve("testnet/cometbft.sh");
    home = tmp.resolve("net");
    basePort = freeBasePort(VALIDATORS + 1);
    NodeScripts js = NodeScripts.install();

    String init =
        script(
            INIT_LIMIT,
            "init",
            "--home",
            home.toString(),
            "--validators",
            Integer.toString(VALIDATORS),
            "--base-port",
            Integer.toString(basePort),
            "--timeout-commit",
            "500ms",
            "--snapshot-interval",
            "5",
            "--snapshot-keep-recent",
            "20");
    assertThat(init).contains(VALIDATORS + " CometBFT validators written");
    for (int i = 0; i < VALIDATORS; i++) {
      start(i);
    }
    for (int i = 0; i < VALIDATORS; i++) {
      awaitHeight(i, 2);
    }

    // A tx through CometBFT's RPC with the peerz CLI (broadcast_tx_sync, then tx until committed).
    PeerzCommand cli = new PeerzCommand(home.resolve("node0"));
    String recipient = PeerzCommand.randomAddress(new Random(7));
    JsonNode sent =
        cli.run(
                this::logs,
                "tx",
                "bank",
                "send",
                "validator",
                recipient,
                "1234",
                "--keyring-backend",
                "test",
                "--node",
                rpc(1),
                "--output",
                "json")
            .ok()
            .json();
    assertThat(sent.path("code").asInt()).as("%s", sent).isZero();
    // Found by CometBFT's tx on another validator.
    JsonNode found = get(rpc(2), "/tx?hash=0x" + sent.path("txhash").asText());
    assertThat(found.at("/result/tx_result/code").asInt()).as("%s", found).isZero();
    assertThat(found.at("/result/height").asText()).isEqualTo(sent.path("height").asText());
    JsonNode account =
        cli.run(this::logs, "query", "account", recipient, "--node", rpc(3), "--output", "json")
            .ok()
            .json();
    assertThat(account.path("balance").asText()).isEqualTo("1234");

    // A proven query, verified from the docs by a wallet's script against CometBFT's headers.
    NodeScripts.Result proof =
        js.run(
            "verify-proof.js",
            Map.of(),
            tmp.resolve("verify-proof.log"),
            Duration.ofSeconds(90),
            rpc(0),
            "/account/" + recipient);
    assertThat(proof.exitCode()).as(proof.output()).isZero();
    assertThat(proof.output()).contains("value ").contains(" verified against block");

    // cosmjs, unchanged from CosmjsIT, reading CometBFT's RPC and websocket.
    JsonNode key =
        PeerzCommand.JSON.readTree(home.resolve("node2/keyring-test/validator.json").toFile());
    Ed25519KeyPair signer =
        Ed25519KeyPair.fromSeed(Base64.getDecoder().decode(key.path("priv_key").asText()));
    long fee = minFee(rpc(2));
    byte[] to = new byte[20];
    ThreadLocalRandom.current().nextBytes(to);
    NodeScripts.Result cosmjs =
        js.run(
            "cosmjs-e2e.js",
            Map.of(
                "PEERZ_RPC", rpc(2),
                "PEERZ_CHAIN_ID", "peerz-cometbft",
                "PEERZ_ACCOUNT", key.path("address").asText(),
                "PEERZ_TX_SYNC", Base64.getEncoder().encodeToString(send(signer, 0, fee, to, 11)),
                "PEERZ_TX_COMMIT",
                    Base64.getEncoder().encodeToString(send(signer, 1, fee, to, 13))),
            tmp.resolve("cosmjs.log"),
            Duration.ofMinutes(3));
    assertThat(cosmjs.exitCode()).as("cosmjs-e2e.js:\n%s", cosmjs.output()).isZero();
    assertThat(cosmjs.output()).contains("cosmjs end-to-end: all checks passed");

    // kill -9 one validator (its CometBFT and its peerz), let the others go on, restart it.
    kill(nodes.get(3));
    long killedAt = height(0);
    awaitHeight(0, killedAt + 3);
    start(3);
    long target = height(0) + 2;
    awaitHeight(3, target);
    assertThat(status(3).path("catching_up").asBoolean()).isFalse();

    // A fifth node, not a validator, joins by state sync from the peerz snapshots.
    String added = script(Duration.ofMinutes(2), "add-node", "--home", home.toString());
    // stdout is the new node's index; stderr (merged here) says how to start it.
    int joiner =
        Integer.parseInt(added.lines().filter(l -> l.matches("[0-9]+")).findFirst().orElseThrow());
    assertThat(joiner).isEqualTo(VALIDATORS);
    start(joiner);
    awaitHeight(joiner, height(0) + 2);
    long base = Long.parseLong(status(joiner).path("earliest_block_height").asText());
    assertThat(base).as("the joiner's first block (restored, not replayed)").isGreaterThan(1);
    assertThat(Files.readString(home.resolve("node" + joiner + "/app.log")))
        .contains("state restored from snapshot");

    // Every application computed the same app hash at every height it executed.
    long top = Long.MAX_VALUE;
    for (int i = 0; i <= joiner; i++) {
      top = Math.min(top, height(i));
    }
    for (long h = 1; h <= top; h++) {
      String expected = appHash(0, h);
      for (int i = 1; i <= joiner; i++) {
        if (i == joiner && h < base) {
          continue;
        }
        assertThat(appHash(i, h)).as("node%d height %d", i, h).isEqualTo(expected);
      }
    }
  }

  private void start(int node) throws IOException {
    Path log = home.resolve("start-" + node + ".log");
    Process p =
        new ProcessBuilder(
                script.toString(), "start", "--home", home.toString(), "--node", "" + node)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    nodes.put(node, p);
  }

  private String script(Duration limit, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "script", ".log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean finished = p.waitFor(limit.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      kill(p);
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(finished && p.exitValue() == 0)
        .as("cometbft.sh %s:\n%s", String.join(" ", args), output)
        .isTrue();
    return output;
  }

  private String rpc(int node) {
    return "http://127.0.0.1:" + (basePort + 10 * node + 1);
  }

  private JsonNode status(int node) throws IOException {
    return get(rpc(node), "/status").path("result").path("sync_info");
  }

  private long height(int node) {
    try {
      return Long.parseLong(status(node).path("latest_block_height").asText("0"));
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** The app hash node {@code node}'s application returned for height {@code h}. */
  private String appHash(int node, long h) throws IOException {
    JsonNode r = get(rpc(node), "/block_results?height=" + h);
    String hash = r.at("/result/app_hash").asText();
    assertThat(hash).as("node%d block_results %d: %s", node, h, r).isNotEmpty();
    return hash;
  }

  private void awaitHeight(int node, long h) throws InterruptedException {
    PeerzCommand.await(
        WAIT,
        "node" + node + " at height " + h,
        nodes.get(node),
        this::logs,
        () -> height(node) >= h);
  }

  private String logs() {
    StringBuilder out = new StringBuilder();
    try (var dirs = Files.list(home)) {
      for (Path d : dirs.sorted().toList()) {
        for (String name : List.of("app.log", "cometbft.log")) {
          Path log = d.resolve(name);
          if (Files.exists(log)) {
            out.append("==== ").append(log).append('\n').append(PeerzCommand.tail(log));
            out.append('\n');
          }
        }
      }
    } catch (IOException e) {
      out.append("(").append(e).append(")");
    }
    return out.toString();
  }

  private long minFee(String rpc) throws IOException {
    JsonNode answer = get(rpc, "/abci_query?path=%22/params%22").at("/result/response");
    JsonNode params =
        PeerzCommand.JSON.readTree(Base64.getDecoder().decode(answer.path("value").asText()));
    JsonNode fee = params.findValue("min_fee");
    return fee == null || fee.isNull() ? 0 : Long.parseLong(fee.asText());
  }

  private static byte[] send(Ed25519KeyPair key, long nonce, long fee, byte[] to, long amount) {
    TxBody body =
        TxBody.newBuilder()
            .setChainId("peerz-cometbft")
            .setSignerPubKey(ByteString.copyFrom(key.publicKey()))
            .setNonce(nonce)
            .setFee(fee)
            .setSend(MsgSend.newBuilder().setTo(ByteString.copyFrom(to)).setAmount(amount))
            .build();
    return Transactions.sign(body, key).toByteArray();
  }

  private JsonNode get(String rpc, String pathAndQuery) throws IOException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(rpc + pathAndQuery))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return PeerzCommand.JSON.readTree(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** A base port whose ports (p2p, RPC, ABCI of each node: base + 10i + 0..2) are all free. */
  private static int freeBasePort(int nodes) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20_000 + 10 * ThreadLocalRandom.current().nextInt(3_000);
      if (allFree(base, nodes)) {
        return base;
      }
    }
    throw new IOException("no free block of ports for " + nodes + " nodes");
  }

  private static boolean allFree(int base, int nodes) {
    for (int i = 0; i < nodes; i++) {
      for (int k = 0; k < 3; k++) {
        try (ServerSocket s =
            new ServerSocket(base + 10 * i + k, 1, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          return false;
        }
      }
    }
    return true;
  }
}
