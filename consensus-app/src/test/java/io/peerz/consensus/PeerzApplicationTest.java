package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.StateProof;
import io.peerz.ledger.Transactions;
import io.peerz.rpc.RpcBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node with the real state machine: transfers commit, queries read them, proofs verify. */
class PeerzApplicationTest {

  private static final Duration FAST = Duration.ofMillis(20);
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path home;
  private final Ed25519KeyPair validator = TestChains.key(1);
  private final Ed25519KeyPair recipient = TestChains.key(2);

  @Test
  void transfersSubmittedToTheNodeCommitAndTheirStateIsQueryableWithProofs() throws Exception {
    // Blocks a little apart, so the proof's height is still the latest when it is checked.
    NodeConfig config = TestChains.peerzConfig(home, validator, Duration.ofMillis(300));
    try (PeerzNode node = TestChains.peerzNode(config, null)) {
      for (int nonce = 0; nonce < 3; nonce++) {
        byte[] tx = TestChains.send(nonce, recipient, 100);
        assertThat(node.checkTx(tx).getCode()).as("dry check nonce=%d", nonce).isZero();
        assertThat(node.broadcastTx(tx).getCode()).as("nonce=%d", nonce).isZero();
      }
      byte[] last = TestChains.send(2, recipient, 100);
      assertThat(node.broadcastTx(last).getCode()).isEqualTo(Mempool.CODE_DUPLICATE);
      RpcBackend.CommittedTx committed =
          node.awaitCommit(Transactions.hash(last), WAIT).get(30, TimeUnit.SECONDS);
      assertThat(committed.result().getCode()).as(committed.result().getLog()).isZero();

      // A committed nonce cannot be replayed.
      assertThat(node.broadcastTx(TestChains.send(0, recipient, 100)).getCode()).isNotZero();

      RpcBackend.QueryAnswer account =
          node.query("/account/" + recipient.address(), new byte[0], 0, false);
      assertThat(account.code()).as(account.log()).isZero();
      assertThat(new String(account.value(), StandardCharsets.UTF_8)).contains("300");

      RpcBackend.QueryAnswer raw =
          node.query("/store/" + Hex.encode(account.key()), new byte[0], 0, true);
      assertThat(raw.code()).as(raw.log()).isZero();
      assertThat(raw.value()).isNotEmpty();
      StateProof proof = StateProof.fromBytes(raw.proof());
      assertThat(proof.value()).isEqualTo(raw.value());
      assertThat(
              proof.verify(
                  node.blocks().results(raw.height()).orElseThrow().getAppHash().toByteArray()))
          .isTrue();
    }
    Replay.Report report = Replay.run(home, config.genesis(), (h, l) -> {});
    assertThat(report.ok()).as("%s", report).isTrue();
    assertThat(report.heightsReplayed()).isPositive();
  }

  @Test
  void theNodeRefusesAnOversizeMemoAndAMissingMessageWithTheCodesDocsErrorsMdGives() {
    // Issue 15: a 1 MiB memo got mempool/1, a body without a message ante/2.
    Ed25519KeyPair from = TestChains.funded();
    io.peerz.ledger.proto.TxBody.Builder body =
        io.peerz.ledger.proto.TxBody.newBuilder()
            .setChainId(TestChains.CHAIN_ID)
            .setSignerPubKey(com.google.protobuf.ByteString.copyFrom(from.publicKey()))
            .setFee(1);
    byte[] bigMemo =
        Transactions.sign(
                body.clone()
                    .setMemo("m".repeat(1 << 20))
                    .setSend(
                        io.peerz.ledger.proto.MsgSend.newBuilder()
                            .setTo(
                                com.google.protobuf.ByteString.copyFrom(
                                    recipient.address().bytes()))
                            .setAmount(1))
                    .build(),
                from)
            .toByteArray();
    byte[] noMessage = Transactions.sign(body.build(), from).toByteArray();
    try (PeerzNode node =
        TestChains.peerzNode(TestChains.peerzConfig(home, validator, FAST), null)) {
      for (io.peerz.ledger.proto.TxResult r :
          java.util.List.of(node.broadcastTx(bigMemo), node.checkTx(bigMemo))) {
        assertThat(r.getCodespace() + "/" + r.getCode()).as(r.getLog()).isEqualTo("ante/1");
      }
      for (io.peerz.ledger.proto.TxResult r :
          java.util.List.of(node.broadcastTx(noMessage), node.checkTx(noMessage))) {
        assertThat(r.getCodespace() + "/" + r.getCode()).as(r.getLog()).isEqualTo("ante/3");
      }
    }
  }

  @Test
  void aQueryForAHeightThatIsNotTheLatestIsRefused() {
    try (PeerzNode node =
        TestChains.peerzNode(TestChains.peerzConfig(home, validator, FAST), null)) {
      TestChains.await("height 2", () -> node.appInfo().lastBlockHeight() >= 2, WAIT);
      RpcBackend.QueryAnswer q = node.query("/store/00", new byte[0], 1, false);
      assertThat(q.code()).isEqualTo(PeerzApplication.CODE_HEIGHT_UNAVAILABLE);
      RpcBackend.QueryAnswer bad = node.query("/store/zz", new byte[0], 0, false);
      assertThat(bad.code()).isEqualTo(PeerzApplication.CODE_BAD_QUERY);
    }
  }
}
