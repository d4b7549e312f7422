package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.genesis.PrivValidatorKeyFile;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.MalformedTxException;
import io.peerz.ledger.SignedTx;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidatorTxCommandsTest {
  @TempDir Path home;
  FakeNode node;
  final Ed25519KeyPair consensus = Ed25519KeyPair.fromSeed(new byte[32]);

  @BeforeEach
  void start() throws Exception {
    node = new FakeNode();
    CliRun add =
        CliRun.run("keys", "add", "alice", "--keyring-backend", "test", "--home", home.toString());
    assertThat(add.exitCode()).as(add.err()).isZero();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private CliRun run(String group, String... args) {
    String[] common = {"--home", home.toString(), "--node", node.url()};
    String[] all = new String[args.length + common.length + 1];
    all[0] = group;
    System.arraycopy(args, 0, all, 1, args.length);
    System.arraycopy(common, 0, all, 1 + args.length, common.length);
    return CliRun.run(all);
  }

  private SignedTx lastTx() throws MalformedTxException {
    SignedTx tx = Transactions.decode(node.broadcast.get(node.broadcast.size() - 1));
    assertThat(new io.peerz.ledger.TxSignatures().valid(tx)).isTrue();
    return tx;
  }

  @Test
  void createValidatorTakesThePubkeyInBase64OrHex() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(consensus.publicKey());
    CliRun r =
        run("tx", "create-validator", "--pubkey", b64, "--amount", "5000", "--from", "alice");
    assertThat(r.exitCode()).as(r.err()).isZero();
    var m = lastTx().body().getCreateValidator();
    assertThat(m.getPubKey().toByteArray()).isEqualTo(consensus.publicKey());
    assertThat(m.getAmount()).isEqualTo(5000);
    String hex = "0x" + Hex.encode(consensus.publicKey());
    assertThat(
            run("tx", "create-validator", "--pubkey", hex, "--amount", "1", "--from", "alice")
                .exitCode())
        .isZero();
    assertThat(lastTx().body().getCreateValidator().getPubKey().toByteArray())
        .isEqualTo(consensus.publicKey());
  }

  @Test
  void createValidatorReadsTheHomesPrivValidatorKeyByDefault() throws Exception {
    CliRun missing = run("tx", "create-validator", "--amount", "5000", "--from", "alice");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.err()).contains("priv_validator_key.json does not exist");
    Files.createDirectories(home.resolve("config"));
    PrivValidatorKeyFile.write(home.resolve("config/priv_validator_key.json"), consensus);
    CliRun r =
        run("tx", "create-validator", "--amount", "5000", "--from", "alice", "--output", "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Json.parse(r.out().getBytes(), "tx").path("code").asInt(-1)).isZero();
    assertThat(lastTx().body().getCreateValidator().getPubKey().toByteArray())
        .isEqualTo(consensus.publicKey());
    assertThat(r.out()).doesNotContain(Base64.getEncoder().encodeToString(consensus.privateKey()));
  }

  @Test
  void aPubkeyThatIsNotAnEd25519KeyIsRefusedBeforeSigning() {
    int before = node.broadcast.size();
    CliRun r =
        run("tx", "create-validator", "--pubkey", "AAAA", "--amount", "1", "--from", "alice");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err()).contains("not a 32-byte Ed25519 public key");
    assertThat(node.broadcast).hasSize(before);
  }

  @Test
  void bondUnbondAndUnjailSignTheirMessages() throws Exception {
    assertThat(run("tx", "bond-validator", "--amount", "7", "--from", "alice").exitCode()).isZero();
    assertThat(lastTx().body().getBondValidator().getAmount()).isEqualTo(7);
    assertThat(run("tx", "unbond-validator", "--amount", "3", "--from", "alice").exitCode())
        .isZero();
    assertThat(lastTx().body().getUnbondValidator().getAmount()).isEqualTo(3);
    assertThat(run("tx", "unjail-validator", "--from", "alice").exitCode()).isZero();
    assertThat(lastTx().body().getMsgCase()).isEqualTo(TxBody.MsgCase.UNJAIL_VALIDATOR);
    assertThat(run("tx", "unjail", "--from", "alice").exitCode()).isZero();
    assertThat(lastTx().body().getMsgCase()).isEqualTo(TxBody.MsgCase.UNJAIL_VALIDATOR);
  }

  @Test
  void queryValidatorAsksTheValidatorPath() {
    String addr = "0x" + Hex.encode(consensus.address().bytes());
    CliRun r = run("query", "validator", addr, "--output", "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out().trim()).isEqualTo("{\"address\":\"" + addr + "\"}");
  }
}
