package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peerz.testnet.PeerzCommand.Run;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's flow against a real node process: {@code peerz init}, {@code peerz start} on free
 * loopback ports, then every step as a separate {@code peerz} process (the built CLI jar and its
 * lib/), asserting outputs and exit codes, through a subnet whose nodes reach Validator class,
 * propose and attest scores and get paid.
 */
class CliFlowIT {
  private static final ObjectMapper JSON = PeerzCommand.JSON;

  @TempDir Path home;
  private final SecureRandom random = new SecureRandom();
  private final HttpClient http = HttpClient.newHttpClient();
  private PeerzCommand cli;
  private Process node;
  private Path nodeLog;
  private String rpc;

  @BeforeEach
  void startNode() throws Exception {
    cli = new PeerzCommand(home);
    int rpcPort = freePort();
    int p2pPort = freePort();
    rpc = "http://127.0.0.1:" + rpcPort;

    Run init =
        peerz("init", "--chain-id", "peerz-it", "--moniker", "it", "--epoch-length", "5").ok();
    assertThat(init.out()).contains("chain_id: peerz-it").contains("node_id: ");
    Run again = peerz("init", "--chain-id", "peerz-it");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("--overwrite");

    nodeLog = home.resolve("node.log");
    // 3s blocks: a 5-block epoch leaves room for a proposal and its attestations.
    node =
        command(
                "start",
                "--rpc.laddr",
                "tcp://127.0.0.1:" + rpcPort,
                "--p2p.laddr",
                "tcp://127.0.0.1:" + p2pPort,
                "--consensus.timeout_commit",
                "3s")
            .redirectErrorStream(true)
            .redirectOutput(nodeLog.toFile())
            .start();
    await(Duration.ofSeconds(90), "the node's RPC", () -> rpcStatus() != null);
  }

  @AfterEach
  void stopNode() throws Exception {
    if (node != null && node.isAlive()) {
      node.destroy(); // SIGTERM: the shutdown hook closes the node
      boolean stopped = node.waitFor(30, TimeUnit.SECONDS);
      if (!stopped) {
        node.destroyForcibly();
      }
      assertThat(stopped).as("node stops on SIGTERM; log:\n%s", log()).isTrue();
    }
  }

  @Test
  void subnetFlowFromFundingToRewardsThroughTheCli() throws Exception {
    JsonNode status = rpcStatus();
    assertThat(status.at("/result/node_info/network").asText()).isEqualTo("peerz-it");

    Map<String, String> addr = new LinkedHashMap<>();
    for (String k : List.of("alice", "bob", "carol", "dave")) {
      JsonNode key =
          peerz("keys", "add", k, "--keyring-backend", "test", "--output", "json").ok().json();
      addr.put(k, key.path("address").asText());
      assertThat(addr.get(k)).matches("0x[0-9a-f]{40}");
    }
    assertThat(peerz("keys", "list").ok().out()).contains("alice").contains("validator");

    // Funding from the genesis "validator" account, found in the test keyring by name.
    String fundingHash = null;
    for (String k : List.of("alice", "bob", "carol", "dave")) {
      JsonNode sent = tx("bank", "send", "validator", addr.get(k), "100000").json();
      assertThat(sent.path("code").asInt()).isZero();
      fundingHash = sent.path("txhash").asText();
    }
    assertThat(query("account", "alice").path("balance").asText()).isEqualTo("100000");
    Run text = peerz("query", "account", "alice", "--node", rpc).ok();
    assertThat(text.out()).contains("\"balance\" : \"100000\"");

    List<String> subnetFlags =
        List.of(
            "--name",
            "demo",
            "--repo",
            "github.com/demo/demo",
            "--description",
            "a demo subnet",
            "--misc",
            "demo",
            "--churn-limit",
            "64",
            "--min-stake",
            "100",
            "--max_stake",
            "1000",
            "--delegate-stake-percentage",
            "0.1",
            "--node-queue-epochs",
            "0",
            "--idle-classification-epochs",
            "1",
            "--included-classification-epochs",
            "1",
            "--max-node-penalties",
            "10",
            "--initial-coldkeys",
            "bob,carol,dave",
            "--max-registered-nodes",
            "10",
            "--key-types",
            "ed25519",
            "--bootnodes",
            "/ip4/127.0.0.1/tcp/31330",
            "--max-cost",
            "100000",
            "--from",
            "alice");
    JsonNode registered = tx(concat("register-subnet", subnetFlags)).json();
    long subnet = Long.parseLong(PeerzCommand.event(registered, "subnet_registered", "subnet_id"));
    assertThat(query("subnet", Long.toString(subnet)).path("name").asText()).isEqualTo("demo");

    // A rejected tx: the same name again. The code, codespace and log are printed in words.
    List<String> dup = new ArrayList<>(subnetFlags);
    dup.set(dup.indexOf("github.com/demo/demo"), "github.com/demo/other");
    Run rejected = peerzAt(concat(List.of("tx", "register-subnet"), dup));
    assertThat(rejected.exitCode()).as(rejected.err()).isEqualTo(1);
    assertThat(rejected.out()).contains("code: 3").contains("codespace: subnet").contains("log: ");
    assertThat(rejected.err())
        .contains("Error: the transaction failed")
        .contains("code 3 (subnet)");

    Map<String, Long> nodeOf = new HashMap<>();
    for (String k : List.of("bob", "carol", "dave")) {
      JsonNode r =
          tx(
                  "register-node",
                  "--subnet_id",
                  Long.toString(subnet),
                  "--hotkey",
                  PeerzCommand.randomAddress(random),
                  "--peer-id",
                  PeerzCommand.randomPeerId(random),
                  "--bootnode-peer-id",
                  PeerzCommand.randomPeerId(random),
                  "--client_peer_id",
                  PeerzCommand.randomPeerId(random),
                  "--bootnode",
                  "/ip4/127.0.0.1/tcp/31330",
                  "--delegate_reward_rate",
                  "0.125",
                  "--stake_to_be_added",
                  "100.00",
                  "--max-burn-amount",
                  "100",
                  "--from",
                  k)
              .json();
      nodeOf.put(k, Long.parseLong(PeerzCommand.event(r, "node_registered", "node_id")));
    }
    for (String k : List.of("bob", "carol", "dave")) {
      tx("activate-node", "--subnet-id", Long.toString(subnet), "--from", k);
    }
    tx("activate-subnet", "--subnet-id", Long.toString(subnet), "--from", "alice");
    assertThat(query("subnet", Long.toString(subnet)).path("status").asText()).isEqualTo("active");

    await(
        Duration.ofSeconds(240),
        "every node in Validator class",
        () -> {
          JsonNode nodes = query("nodes", Long.toString(subnet)).path("nodes");
          boolean all = nodes.size() == 3;
          for (JsonNode n : nodes) {
            all &= n.path("class").asText().equals("validator");
          }
          return all;
        });

    // Act at the start of a fresh epoch so the round fits in it: the txs go out without waiting
    // for blocks (the mempool keeps their order, so the attestations run after the proposal).
    long start = epochNow();
    await(Duration.ofSeconds(60), "the next epoch", () -> epochNow() > start);
    long e = epochNow();
    Map<String, Long> before = new HashMap<>();
    for (String k : List.of("alice", "bob", "carol", "dave")) {
      before.put(k, balanceNow(addr.get(k)));
    }
    JsonNode round = query("scores", Long.toString(subnet), Long.toString(e));
    assertThat(round.path("outcome").asText()).isEqualTo("open");
    long proposer = Long.parseLong(round.path("proposer_node_id").asText());
    String proposerKey =
        nodeOf.entrySet().stream()
            .filter(x -> x.getValue() == proposer)
            .findFirst()
            .orElseThrow()
            .getKey();
    String scores =
        nodeOf.get("bob") + "=100," + nodeOf.get("carol") + "=80," + nodeOf.get("dave") + "=60";
    List<String> hashes = new ArrayList<>();
    hashes.add(
        tx(
                "propose-scores",
                "--subnet-id",
                Long.toString(subnet),
                "--node-id",
                Long.toString(proposer),
                "--scores",
                scores,
                "--from",
                proposerKey,
                "--no-wait")
            .json()
            .path("txhash")
            .asText());
    List<CompletableFuture<Run>> attests = new ArrayList<>();
    for (String k : List.of("bob", "carol", "dave")) {
      if (!k.equals(proposerKey)) {
        String[] args = {
          "tx",
          "attest",
          "--subnet-id",
          Long.toString(subnet),
          "--node-id",
          Long.toString(nodeOf.get(k)),
          "--from",
          k,
          "--keyring-backend",
          "test",
          "--node",
          rpc,
          "--output",
          "json",
          "--no-wait"
        };
        attests.add(CompletableFuture.supplyAsync(() -> peerz(args)));
      }
    }
    for (CompletableFuture<Run> a : attests) {
      hashes.add(a.get().ok().json().path("txhash").asText());
    }
    for (String h : hashes) {
      await(Duration.ofSeconds(60), "tx " + h, () -> committedTx(h) != null);
      JsonNode result = committedTx(h);
      assertThat(result.at("/tx_result/code").asInt())
          .as("tx %s: %s", h, result.at("/tx_result/log").asText())
          .isZero();
      assertThat((Long.parseLong(result.path("height").asText()) - 1) / 5)
          .as("tx %s is in epoch %d", h, e)
          .isEqualTo(e);
    }

    await(Duration.ofSeconds(120), "the epoch after the round", () -> epochNow() > e);
    JsonNode settled = query("scores", Long.toString(subnet), Long.toString(e));
    long minFee = Long.parseLong(query("params").path("min_fee").asText());
    assertThat(settled.path("outcome").asText()).isNotEqualTo("open");
    assertThat(settled.path("attestations")).hasSize(2);
    assertThat(settled.path("payouts")).isNotEmpty();
    for (JsonNode p : settled.path("payouts")) {
      String who =
          addr.entrySet().stream()
              .filter(x -> x.getValue().equalsIgnoreCase(p.path("coldkey").asText()))
              .findFirst()
              .orElseThrow()
              .getKey();
      assertThat(balance(who) - before.get(who))
          .as("%s was paid its payout, less the fee of its one tx in the round", who)
          .isEqualTo(Long.parseLong(p.path("amount").asText()) - minFee);
    }
    assertThat(balance("alice") - before.get("alice"))
        .as("the subnet owner's reward")
        .isEqualTo(Long.parseLong(settled.path("owner_reward").asText()));

    // The other queries answer, and the chain reads the same over plain JSON-RPC.
    for (String[] q :
        List.of(
            new String[] {"epoch"},
            new String[] {"params"},
            new String[] {"supply"},
            new String[] {"subnets"},
            new String[] {"node", Long.toString(subnet), "1"},
            new String[] {"delegation", Long.toString(subnet), "alice"})) {
      assertThat(query(q).isObject()).as(String.join(" ", q)).isTrue();
    }
    assertThat(peerz("query", "status", "--node", rpc).ok().out()).contains("peerz-it");
    assertThat(peerz("query", "tx", fundingHash, "--node", rpc).ok().out()).contains("tx_result");
    assertThat(
            peerz("query", "block", "1", "--node", rpc, "--output", "json")
                .ok()
                .json()
                .at("/block/header/height")
                .asText())
        .isEqualTo("1");
    JsonNode committed = get("/tx?hash=0x" + fundingHash);
    assertThat(committed.at("/result/tx_result/code").asInt()).isZero();
    assertThat(get("/block").at("/result/block/header/chain_id").asText()).isEqualTo("peerz-it");
    Run badQuery = peerz("query", "subnet", "999", "--node", rpc);
    assertThat(badQuery.exitCode()).isEqualTo(1);
    assertThat(badQuery.err()).contains("query /subnet/999 failed: code");

    // Stopped with SIGTERM, the node's block log replays from genesis to the same app hashes.
    node.destroy();
    assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node stops on SIGTERM").isTrue();
    Run replay = peerz("replay").ok();
    assertThat(replay.out()).contains("every app hash matches");
  }

  // --- the CLI as a process ---

  private Run tx(String... args) {
    List<String> all = new ArrayList<>(List.of("tx"));
    all.addAll(List.of(args));
    all.addAll(List.of("--keyring-backend", "test", "--node", rpc, "--output", "json"));
    return peerz(all.toArray(String[]::new)).ok();
  }

  private Run peerzAt(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--keyring-backend", "test", "--node", rpc));
    return peerz(all.toArray(String[]::new));
  }

  private JsonNode query(String... args) {
    List<String> all = new ArrayList<>(List.of("query"));
    all.addAll(List.of(args));
    all.addAll(List.of("--node", rpc, "--output", "json"));
    return peerz(all.toArray(String[]::new)).ok().json();
  }

  private long balance(String key) {
    return Long.parseLong(query("account", key).path("balance").asText());
  }

  /** The current epoch over plain HTTP: a JVM per poll would be too slow at epoch boundaries. */
  private long epochNow() {
    return Long.parseLong(abciQuery("/epoch").path("epoch").asText());
  }

  private long balanceNow(String address) {
    return Long.parseLong(abciQuery("/account/" + address).path("balance").asText());
  }

  private JsonNode abciQuery(String path) {
    try {
      String value =
          get("/abci_query?path=%22" + path + "%22").at("/result/response/value").asText();
      return JSON.readTree(java.util.Base64.getDecoder().decode(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The committed tx's result, or null while it is not in a block. */
  private JsonNode committedTx(String hash) {
    try {
      JsonNode r = get("/tx?hash=0x" + hash);
      return r.has("result") ? r.get("result") : null;
    } catch (IOException e) {
      return null;
    }
  }

  private Run peerz(String... args) {
    return cli.run(this::log, args);
  }

  private ProcessBuilder command(String... args) {
    return cli.builder(args);
  }

  // --- the node over HTTP ---

  private JsonNode rpcStatus() {
    try {
      JsonNode s = get("/status");
      return s.has("result") ? s : null;
    } catch (IOException e) {
      return null;
    }
  }

  private JsonNode get(String pathAndQuery) throws IOException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(rpc + pathAndQuery))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private void await(Duration limit, String what, BooleanSupplier condition)
      throws InterruptedException {
    PeerzCommand.await(limit, what, node, this::log, condition);
  }

  private String log() {
    return PeerzCommand.tail(nodeLog);
  }

  // --- values ---

  private static int freePort() throws IOException {
    return PeerzCommand.freePort();
  }

  private static String[] concat(String first, List<String> rest) {
    return concat(List.of(first), rest).toArray(String[]::new);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
