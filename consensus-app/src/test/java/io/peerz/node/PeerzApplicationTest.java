package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.abci.DocsProofVerifier;
import io.peerz.consensus.Mempool;
import io.peerz.consensus.Replay;
import io.peerz.consensus.TestChains;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.StateProof;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxBody;
import io.peerz.ledger.proto.TxResult;
import io.peerz.rpc.RpcBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    NodeConfig config = TestNodes.peerzConfig(home, validator, Duration.ofMillis(300));
    try (PeerzNode node = TestNodes.peerzNode(config, null)) {
      for (int nonce = 0; nonce < 3; nonce++) {
        byte[] tx = TestChains.send(nonce, recipient, 100);
        assertThat(node.backend().checkTx(tx).getCode()).as("dry check nonce=%d", nonce).isZero();
        assertThat(node.backend().broadcastTx(tx).getCode()).as("nonce=%d", nonce).isZero();
      }
      byte[] last = TestChains.send(2, recipient, 100);
      assertThat(node.backend().broadcastTx(last).getCode()).isEqualTo(Mempool.CODE_DUPLICATE);
      RpcBackend.CommittedTx committed =
          node.backend().awaitCommit(Transactions.hash(last), WAIT).get(30, TimeUnit.SECONDS);
      assertThat(committed.result().getCode()).as(committed.result().getLog()).isZero();

      // A committed nonce cannot be replayed.
      assertThat(node.backend().broadcastTx(TestChains.send(0, recipient, 100)).getCode())
          .isNotZero();

      RpcBackend.QueryAnswer account =
          node.backend().query("/account/" + recipient.address(), new byte[0], 0, false);
      assertThat(account.code()).as(account.log()).isZero();
      assertThat(new String(account.value(), StandardCharsets.UTF_8)).contains("300");

      RpcBackend.QueryAnswer raw =
          node.backend().query("/store/" + Hex.encode(account.key()), new byte[0], 0, true);
      assertThat(raw.code()).as(raw.log()).isZero();
      assertThat(raw.value()).isNotEmpty();
      StateProof proof = StateProof.fromBytes(raw.proof());
      assertThat(proof.value()).isEqualTo(raw.value());
      assertThat(
              proof.verify(
                  node.backend()
                      .blocks()
                      .results(raw.height())
                      .orElseThrow()
                      .getAppHash()
                      .toByteArray()))
          .isTrue();

      // The account's own path with prove=true: its stored value and one peerz:smt op, checked
      // as a wallet would (docs/cometbft.md) against block H + 1's header app_hash.
      RpcBackend.QueryAnswer proven =
          node.backend().query("/account/" + recipient.address(), new byte[0], 0, true);
      assertThat(proven.code()).as(proven.log()).isZero();
      assertThat(proven.key()).isEqualTo(account.key());
      assertThat(io.peerz.state.proto.Account.parseFrom(proven.value()).getBalance())
          .isEqualTo(300);
      long next = proven.height() + 1;
      TestChains.await(
          "block " + next, () -> node.backend().blocks().block(next).isPresent(), WAIT);
      byte[] headerAppHash =
          node.backend().blocks().block(next).orElseThrow().getHeader().getAppHash().toByteArray();
      assertThat(
              DocsProofVerifier.verify(
                  DocsProofVerifier.OP_TYPE,
                  proven.key(),
                  proven.proof(),
                  proven.key(),
                  proven.value(),
                  headerAppHash))
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
    TxBody.Builder body =
        TxBody.newBuilder()
            .setChainId(TestChains.CHAIN_ID)
            .setSignerPubKey(ByteString.copyFrom(from.publicKey()))
            .setFee(1);
    byte[] bigMemo =
        Transactions.sign(
                body.clone()
                    .setMemo("m".repeat(1 << 20))
                    .setSend(
                        MsgSend.newBuilder()
                            .setTo(ByteString.copyFrom(recipient.address().bytes()))
                            .setAmount(1))
                    .build(),
                from)
            .toByteArray();
    byte[] noMessage = Transactions.sign(body.build(), from).toByteArray();
    try (PeerzNode node = TestNodes.peerzNode(TestNodes.peerzConfig(home, validator, FAST), null)) {
      for (TxResult r :
          List.of(node.backend().broadcastTx(bigMemo), node.backend().checkTx(bigMemo))) {
        assertThat(r.getCodespace() + "/" + r.getCode()).as(r.getLog()).isEqualTo("ante/1");
      }
      for (TxResult r :
          List.of(node.backend().broadcastTx(noMessage), node.backend().checkTx(noMessage))) {
        assertThat(r.getCodespace() + "/" + r.getCode()).as(r.getLog()).isEqualTo("ante/3");
      }
    }
  }

  @Test
  void aQueryReadsAKeptEarlierHeightAndRefusesOneAboveTheLatestInTheQueryCodespace() {
    try (PeerzNode node = TestNodes.peerzNode(TestNodes.peerzConfig(home, validator, FAST), null)) {
      TestChains.await("height 2", () -> node.backend().appInfo().lastBlockHeight() >= 2, WAIT);
      // An earlier height is kept (pruning "default"): answered from that height's state.
      RpcBackend.QueryAnswer earlier = node.backend().query("/epoch", new byte[0], 1, false);
      assertThat(earlier.code()).as(earlier.log()).isZero();
      assertThat(earlier.height()).isEqualTo(1);
      RpcBackend.QueryAnswer q = node.backend().query("/store/00", new byte[0], 1_000_000, false);
      // docs/errors.md: query / 4 height_unavailable, query / 2 bad_argument.
      assertThat(q.codespace()).isEqualTo("query");
      assertThat(q.code()).isEqualTo(4);
      assertThat(q.log()).contains("height 1000000 must be less than or equal to");
      RpcBackend.QueryAnswer bad = node.backend().query("/store/zz", new byte[0], 0, false);
      assertThat(bad.codespace()).isEqualTo("query");
      assertThat(bad.code()).isEqualTo(2);
      RpcBackend.QueryAnswer absent = node.backend().query("/store/00", new byte[0], 0, false);
      assertThat(absent.codespace()).isEqualTo("query");
      assertThat(absent.code()).isEqualTo(3);
    }
  }
}
