package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.SignedTx;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Offline signing as the Cosmos CLI does it: {@code tx ... --generate-only}, {@code tx sign},
 * {@code tx broadcast}, against a stand-in node ({@link FakeNode}, chain "peerz-test", nonce 3, min
 * fee 7).
 */
class OfflineSigningTest {
  private static final String BOB = "0x" + "11".repeat(20);
  private static final String NOWHERE = "http://127.0.0.1:1";

  @TempDir Path home;
  @TempDir Path files;
  FakeNode node;
  String alice;

  /** The file keyring: signing needs this passphrase, generating must not. */
  private static final Map<String, String> PASS = Map.of(Passphrase.ENV, "correct horse battery");

  @BeforeEach
  void start() throws Exception {
    node = new FakeNode();
    CliRun add =
        CliRun.withInput("", PASS, "keys", "add", "alice", "--home", home.toString(), "-o", "json");
    assertThat(add.exitCode()).as(add.err()).isZero();
    alice =
        Json.parse(add.out().getBytes(StandardCharsets.UTF_8), "keys add").path("address").asText();
    CliRun mallory =
        CliRun.run(
            "keys", "add", "mallory", "--keyring-backend", "test", "--home", home.toString());
    assertThat(mallory.exitCode()).as(mallory.err()).isZero();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private CliRun run(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--home", home.toString()));
    return CliRun.run(env, all.toArray(String[]::new));
  }

  private Path write(String name, CliRun r) throws Exception {
    assertThat(r.exitCode()).as(r.err()).isZero();
    Path f = files.resolve(name);
    Files.writeString(f, r.out());
    return f;
  }

  private Path unsignedSend(String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "tx", "bank", "send", "alice", BOB, "5", "--generate-only", "--node", node.url()));
    args.addAll(List.of(extra));
    return write("unsigned.json", run(Map.of(), args.toArray(String[]::new)));
  }

  private Path signedOffline(Path unsigned) throws Exception {
    return write(
        "signed.json",
        run(
            PASS,
            "tx",
            "sign",
            unsigned.toString(),
            "--from",
            "alice",
            "--offline",
            "--node",
            NOWHERE));
  }

  private static JsonNode json(Path f) throws Exception {
    return Json.parse(Files.readAllBytes(f), f.toString());
  }

  @Test
  void generateOnlyWritesTheUnsignedTxWithTheNodesChainIdNonceAndFeeAndUnlocksNothing()
      throws Exception {
    CliRun sealed = CliRun.withInput("", PASS, "keys", "add", "frank", "--home", home.toString());
    assertThat(sealed.exitCode()).as(sealed.err()).isZero();
    // No passphrase is given now: a key that had to be unlocked would fail.
    JsonNode f =
        json(
            write(
                "frank.json",
                run(
                    Map.of(),
                    "tx",
                    "bank",
                    "send",
                    "frank",
                    BOB,
                    "5",
                    "--generate-only",
                    "--node",
                    node.url())));
    assertThat(f.path("signer_pub_key").asText()).isNotEmpty();

    JsonNode n = json(unsignedSend());

    assertThat(n.path("type").asText()).isEqualTo("peerz/unsigned-tx");
    assertThat(n.path("chain_id").asText()).isEqualTo("peerz-test");
    assertThat(n.path("signer").asText()).isEqualTo(alice);
    assertThat(n.path("nonce").asText()).isEqualTo("3");
    assertThat(n.path("fee").asText()).isEqualTo("7");
    assertThat(n.path("message").path("send").path("amount").asText()).isEqualTo("5");
    assertThat(node.broadcast).as("nothing is sent").isEmpty();
  }

  @Test
  void generateOnlyOfflineNeedsChainIdNonceAndFeeAndAsksNoNode() throws Exception {
    CliRun missing =
        run(
            Map.of(),
            "tx",
            "bank",
            "send",
            "alice",
            BOB,
            "5",
            "--generate-only",
            "--offline",
            "--nonce",
            "1",
            "--fee",
            "2",
            "--node",
            NOWHERE);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("--offline: --chain-id is required");

    JsonNode n =
        json(
            write(
                "u.json",
                run(
                    Map.of(),
                    "tx",
                    "bank",
                    "send",
                    "alice",
                    BOB,
                    "5",
                    "--generate-only",
                    "--offline",
                    "--chain-id",
                    "c1",
                    "--nonce",
                    "9",
                    "--fee",
                    "2",
                    "--node",
                    NOWHERE)));
    assertThat(n.path("chain_id").asText()).isEqualTo("c1");
    assertThat(n.path("nonce").asText()).isEqualTo("9");
    assertThat(n.path("fee").asText()).isEqualTo("2");
  }

  @Test
  void offlineWithoutGenerateOnlyIsRefused() {
    CliRun r =
        run(Map.of(), "tx", "bank", "send", "alice", BOB, "5", "--offline", "--node", node.url());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("--offline goes with --generate-only");
    assertThat(node.broadcast).isEmpty();
  }

  @Test
  void generateSignOfflineAndBroadcastSendsTheTxTheSignerSaw() throws Exception {
    Path signed = signedOffline(unsignedSend());
    JsonNode s = json(signed);

    CliRun sent = CliRun.run("tx", "broadcast", signed.toString(), "--node", node.url());

    assertThat(sent.exitCode()).as(sent.err()).isZero();
    assertThat(sent.out())
        .contains("code: 0 (success)")
        .contains("txhash: " + s.path("hash").asText());
    assertThat(node.broadcast).hasSize(1);
    byte[] bytes = node.broadcast.get(0);
    assertThat(Base64.getEncoder().encodeToString(bytes)).isEqualTo(s.path("tx").asText());
    SignedTx tx = Transactions.decode(bytes);
    assertThat(tx.signer().toString()).isEqualTo(alice);
    assertThat(
            Ed25519.verify(
                tx.body().getSignerPubKey().toByteArray(),
                tx.tx().getBody().toByteArray(),
                tx.tx().getSignature().toByteArray()))
        .isTrue();
    TxBody b = tx.body();
    assertThat(b.getChainId()).isEqualTo("peerz-test");
    assertThat(b.getNonce()).isEqualTo(3);
    assertThat(b.getFee()).isEqualTo(7);
    assertThat(b.getSend().getAmount()).isEqualTo(5);
    assertThat(io.peerz.ledger.Hex.encode(b.getSend().getTo().toByteArray()))
        .isEqualTo("11".repeat(20));
  }

  @Test
  void signOfflineTakesNonceAndChainIdFromTheFlagsAsTheCosmosCliDoes() throws Exception {
    Path unsigned = unsignedSend();

    CliRun r =
        run(
            PASS,
            "tx",
            "sign",
            unsigned.toString(),
            "--from",
            "alice",
            "--offline",
            "--nonce",
            "8",
            "--chain-id",
            "peerz-test",
            "--node",
            NOWHERE);

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err())
        .contains("signing with nonce 8 (the file says 3)")
        .contains("signing: send {to: " + BOB);
    JsonNode s = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "signed");
    assertThat(
            Transactions.decode(Base64.getDecoder().decode(s.path("tx").asText()))
                .body()
                .getNonce())
        .isEqualTo(8);
  }

  @Test
  void aFileMadeFromAnAddressAloneGetsItsPublicKeyWhenSigned() throws Exception {
    JsonNode u =
        json(
            write(
                "u.json",
                CliRun.run(
                    "tx",
                    "bank",
                    "send",
                    alice,
                    BOB,
                    "5",
                    "--generate-only",
                    "--node",
                    node.url(),
                    "--home",
                    files.resolve("empty-home").toString())));
    assertThat(u.path("signer_pub_key").asText()).isEmpty();

    Path signed = signedOffline(files.resolve("u.json"));

    assertThat(CliRun.run("tx", "broadcast", signed.toString(), "--node", node.url()).exitCode())
        .isZero();
    assertThat(Transactions.decode(node.broadcast.get(0)).signer().toString()).isEqualTo(alice);
  }

  @Test
  void aSignerThatIsNotTheKeysAddressIsRefused() throws Exception {
    Path unsigned = unsignedSend();

    CliRun r = run(PASS, "tx", "sign", unsigned.toString(), "--from", "mallory", "--offline");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("is to be signed by " + alice).contains("key 'mallory' is");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void signingForAnotherChainThanTheFilesIsRefused() throws Exception {
    CliRun r =
        run(
            PASS,
            "tx",
            "sign",
            unsignedSend().toString(),
            "--from",
            "alice",
            "--offline",
            "--chain-id",
            "other-chain");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("is a tx for chain 'peerz-test', not 'other-chain'");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void signingOnlineChecksTheNodesChainAndTakesItsNonce() throws Exception {
    Path unsigned =
        write(
            "u.json",
            run(
                Map.of(),
                "tx",
                "bank",
                "send",
                "alice",
                BOB,
                "5",
                "--generate-only",
                "--offline",
                "--chain-id",
                "c1",
                "--nonce",
                "0",
                "--fee",
                "7"));
    CliRun wrongChain =
        run(PASS, "tx", "sign", unsigned.toString(), "--from", "alice", "--node", node.url());
    assertThat(wrongChain.exitCode()).isEqualTo(1);
    assertThat(wrongChain.err())
        .contains("is a tx for chain 'c1', but the node at")
        .contains("runs 'peerz-test'");

    Path right = unsignedSend("--nonce", "0");
    CliRun r = run(PASS, "tx", "sign", right.toString(), "--from", "alice", "--node", node.url());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("signing with nonce 3 (the file says 0)");
  }

  @Test
  void aFileSignedForAnotherChainIsNotSent() throws Exception {
    Path unsigned =
        write(
            "u.json",
            run(
                Map.of(),
                "tx",
                "bank",
                "send",
                "alice",
                BOB,
                "5",
                "--generate-only",
                "--offline",
                "--chain-id",
                "other-chain",
                "--nonce",
                "3",
                "--fee",
                "7"));
    Path signed = signedOffline(unsigned);

    CliRun r = CliRun.run("tx", "broadcast", signed.toString(), "--node", node.url());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err())
        .contains("is signed for chain 'other-chain', but the node at")
        .contains("runs 'peerz-test'; nothing sent");
    assertThat(node.broadcast).isEmpty();
  }

  private CliRun broadcastTampered(java.util.function.Consumer<ObjectNode> change)
      throws Exception {
    Path signed = signedOffline(unsignedSend());
    ObjectNode n = (ObjectNode) json(signed);
    change.accept(n);
    Files.write(signed, Json.render(n));
    return CliRun.run("tx", "broadcast", signed.toString(), "--node", node.url());
  }

  @Test
  void aTamperedFieldIsNamedAndNothingIsSent() throws Exception {
    CliRun fee = broadcastTampered(n -> n.put("fee", "1"));
    CliRun amount =
        broadcastTampered(n -> ((ObjectNode) n.path("message").path("send")).put("amount", "5000"));
    CliRun chain = broadcastTampered(n -> n.put("chain_id", "c2"));

    assertThat(fee.err())
        .contains("altered after signing: its \"fee\" is not the one in the signed bytes");
    assertThat(amount.err()).contains("its \"message\" is not the one in the signed bytes");
    assertThat(chain.err()).contains("its \"chain_id\" is not the one in the signed bytes");
    assertThat(List.of(fee.exitCode(), amount.exitCode(), chain.exitCode())).containsOnly(1);
    assertThat(node.broadcast).isEmpty();
  }

  @Test
  void tamperedTxBytesOrHashAreRefusedAndNothingIsSent() throws Exception {
    CliRun bytes =
        broadcastTampered(
            n -> {
              byte[] tx = Base64.getDecoder().decode(n.path("tx").asText());
              tx[tx.length - 70] ^= 1; // inside the body, before the 64-byte signature
              n.put("tx", Base64.getEncoder().encodeToString(tx));
            });
    CliRun hash = broadcastTampered(n -> n.put("hash", "00".repeat(32)));

    assertThat(bytes.exitCode()).isEqualTo(1);
    assertThat(bytes.err()).containsAnyOf("signature does not verify", "is not a peerz tx");
    assertThat(hash.err()).contains("\"hash\" is not the hash of \"tx\"");
    assertThat(node.broadcast).isEmpty();
  }

  @Test
  void broadcastingAnUnsignedFileSaysToSignIt() throws Exception {
    Path unsigned = unsignedSend();

    CliRun r = CliRun.run("tx", "broadcast", unsigned.toString(), "--node", node.url());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("is not signed: sign it with 'peerz tx sign");
    assertThat(node.broadcast).isEmpty();
  }

  @Test
  void everyTxCommandCanGenerateOnly() {
    CommandLine tx =
        PeerzCli.commandLine(new PeerzCli(Map.of(), null, new SecureRandom()))
            .getSubcommands()
            .get("tx");
    List<CommandLine> commands = new ArrayList<>();
    collect(tx, commands);
    assertThat(commands).hasSizeGreaterThan(25);
    for (CommandLine c : commands) {
      assertThat(c.getCommandSpec().findOption("--generate-only"))
          .as(c.getCommandSpec().qualifiedName())
          .isNotNull();
    }
  }

  private static void collect(CommandLine c, List<CommandLine> out) {
    if (c.getCommand() instanceof TxSubcommand) {
      out.add(c);
    }
    c.getSubcommands().values().forEach(s -> collect(s, out));
  }
}
