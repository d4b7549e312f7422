package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.testnet.PeerzCommand.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a wallet user and a new operator do first, against a real node process: restore a key from
 * its BIP-39 mnemonic, register a subnet and a node with only the README's flags, and send a
 * transfer signed on a machine that never talks to the node ({@code tx ... --generate-only}, {@code
 * tx sign --offline}, {@code tx broadcast}); a file signed for another chain is not sent.
 */
class WalletFlowIT {
  /** BIP-39's all-zero mnemonic; its peerz key (m/44'/73379'/0'/0'/0') is pinned in the cli. */
  private static final String ABANDON = "abandon ".repeat(11) + "about";

  private static final String ABANDON_ADDRESS = "0x096e1c1d6be2900e96fe44f24bf862b10869a1b6";

  @TempDir Path home;
  @TempDir Path offlineHome;
  private final SecureRandom random = new SecureRandom();
  private PeerzCommand cli;
  private Process node;
  private Path nodeLog;
  private String rpc;

  @BeforeEach
  void startNode() throws Exception {
    cli = new PeerzCommand(home);
    int rpcPort = PeerzCommand.freePort();
    rpc = "http://127.0.0.1:" + rpcPort;
    peerz("init", "--chain-id", "peerz-it", "--moniker", "wallet").ok();
    nodeLog = home.resolve("node.log");
    node =
        cli.builder(
                "start",
                "--rpc.laddr",
                "tcp://127.0.0.1:" + rpcPort,
                "--p2p.laddr",
                "tcp://127.0.0.1:" + PeerzCommand.freePort(),
                "--consensus.timeout_commit",
                "500ms")
            .redirectErrorStream(true)
            .redirectOutput(nodeLog.toFile())
            .start();
    PeerzCommand.await(
        Duration.ofSeconds(90),
        "the node's RPC",
        node,
        () -> PeerzCommand.tail(nodeLog),
        () -> peerz("query", "status", "--node", rpc).exitCode() == 0);
  }

  @AfterEach
  void stopNode() throws Exception {
    if (node != null && node.isAlive()) {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  @Test
  void mnemonicKeysReadmeRegistrationsAndOfflineSigningAgainstARealNode() throws Exception {
    // The key of a written-down mnemonic, restored from standard input.
    JsonNode alice =
        cli.runWithInput(
                () -> "",
                ABANDON + "\n",
                "keys",
                "add",
                "alice",
                "--recover",
                "--keyring-backend",
                "test",
                "-o",
                "json")
            .ok()
            .json();
    assertThat(alice.path("address").asText()).isEqualTo(ABANDON_ADDRESS);
    for (String k : List.of("bob", "carol", "dave")) {
      peerz("keys", "add", k, "--keyring-backend", "test", "--no-backup").ok();
    }
    String dave = peerz("keys", "show", "dave", "-a").ok().out().trim();
    for (String k : List.of("alice", "bob")) {
      tx("bank", "send", "validator", k, "100000");
    }

    // The README's register-subnet and register-node, with nothing but the flags shown there.
    JsonNode subnet =
        tx(
            "register-subnet",
            "--name",
            "demo",
            "--repo",
            "github.com/demo/demo",
            "--description",
            "...",
            "--min-stake",
            "100",
            "--max-stake",
            "1000",
            "--delegate-stake-percentage",
            "0.1",
            "--initial-coldkeys",
            "bob,carol,dave",
            "--key-types",
            "ed25519",
            "--max-cost",
            "100000",
            "--from",
            "alice");
    String subnetId = PeerzCommand.event(subnet, "subnet_registered", "subnet_id");
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
        "100",
        "--from",
        "bob");
    tx("activate-node", "--subnet-id", subnetId, "--from", "bob");

    // Offline signing: the online machine writes the unsigned tx (nonce, fee, chain id from the
    // node), a machine with only the mnemonic signs it without a network, the online one sends it.
    Path passphrase = offlineHome.resolve("passphrase");
    Files.writeString(passphrase, "offline machine passphrase\n");
    cli.runWithInput(
            () -> "",
            ABANDON + "\n",
            "keys",
            "add",
            "alice",
            "--recover",
            "--home",
            offlineHome.toString(),
            "--keyring-passphrase-file",
            passphrase.toString())
        .ok();
    Path unsigned = home.resolve("unsigned.json");
    Files.writeString(
        unsigned,
        peerz("tx", "bank", "send", "alice", dave, "123", "--generate-only", "--node", rpc)
            .ok()
            .out());
    JsonNode u = PeerzCommand.JSON.readTree(unsigned.toFile());
    Path signed = home.resolve("signed.json");
    Files.writeString(
        signed,
        peerz(
                "tx",
                "sign",
                unsigned.toString(),
                "--from",
                "alice",
                "--offline",
                "--nonce",
                u.path("nonce").asText(),
                "--chain-id",
                "peerz-it",
                "--home",
                offlineHome.toString(),
                "--keyring-passphrase-file",
                passphrase.toString(),
                "--node",
                "http://127.0.0.1:1")
            .ok()
            .out());
    long daveBefore = balance(dave);
    JsonNode sent =
        peerz("tx", "broadcast", signed.toString(), "--node", rpc, "-o", "json").ok().json();
    assertThat(sent.path("code").asInt()).isZero();
    assertThat(sent.path("txhash").asText())
        .isEqualTo(PeerzCommand.JSON.readTree(signed.toFile()).path("hash").asText());
    assertThat(balance(dave) - daveBefore).isEqualTo(123);

    // Signed for another chain: refused before anything is sent.
    String nonce = account(ABANDON_ADDRESS).path("nonce").asText();
    Path other = home.resolve("other-unsigned.json");
    Files.writeString(
        other,
        peerz(
                "tx",
                "bank",
                "send",
                "alice",
                dave,
                "1",
                "--generate-only",
                "--offline",
                "--chain-id",
                "another-chain",
                "--nonce",
                nonce,
                "--fee",
                "10")
            .ok()
            .out());
    Path otherSigned = home.resolve("other-signed.json");
    Files.writeString(
        otherSigned,
        peerz(
                "tx",
                "sign",
                other.toString(),
                "--from",
                "alice",
                "--offline",
                "--home",
                offlineHome.toString(),
                "--keyring-passphrase-file",
                passphrase.toString())
            .ok()
            .out());
    Run refused = peerz("tx", "broadcast", otherSigned.toString(), "--node", rpc);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err())
        .contains("is signed for chain 'another-chain'")
        .contains("runs 'peerz-it'; nothing sent");
    assertThat(account(ABANDON_ADDRESS).path("nonce").asText()).isEqualTo(nonce);
  }

  private Run peerz(String... args) {
    return cli.run(() -> PeerzCommand.tail(nodeLog), args);
  }

  /** A tx as the README writes it, plus the test's keyring, node and JSON output. */
  private JsonNode tx(String... args) {
    List<String> all = new ArrayList<>(List.of("tx"));
    all.addAll(List.of(args));
    all.addAll(List.of("--keyring-backend", "test", "--node", rpc, "--output", "json"));
    JsonNode r = peerz(all.toArray(String[]::new)).ok().json();
    assertThat(r.path("code").asInt()).as(r.toString()).isZero();
    return r;
  }

  private JsonNode account(String address) throws IOException {
    return PeerzCommand.JSON.readTree(
        peerz("query", "account", address, "--node", rpc, "-o", "json").ok().out());
  }

  private long balance(String address) throws IOException {
    return Long.parseLong(account(address).path("balance").asText("0"));
  }
}
