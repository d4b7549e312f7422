package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.consensus.Application;
import io.peerz.consensus.CounterApp;
import io.peerz.consensus.Replay;
import io.peerz.consensus.TestChains;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxResult;
import io.peerz.rpc.RpcBackend;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerzNodeTest {

  private static final Duration FAST = Duration.ofMillis(20);
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path home;
  private final Ed25519KeyPair validator = TestChains.key(1);

  @Test
  void aSingleValidatorCommitsSubmittedTxsInBlocks() throws Exception {
    try (PeerzNode node = TestNodes.counterNode(TestNodes.config(home, validator, FAST), null)) {
      for (int k = 0; k < 5; k++) {
        assertThat(node.backend().broadcastTx(CounterApp.tx(k)).getCode()).isZero();
      }
      RpcBackend.CommittedTx last =
          node.backend()
              .awaitCommit(Transactions.hash(CounterApp.tx(4)), WAIT)
              .get(30, TimeUnit.SECONDS);
      assertThat(last.result().getCode()).isZero();
      assertThat(node.backend().blocks().tx(Transactions.hash(CounterApp.tx(4)))).isPresent();
      RpcBackend.QueryAnswer q = node.backend().query("/counter", new byte[0], 0, false);
      assertThat(ByteBuffer.wrap(q.value()).getLong()).isEqualTo(5);
      assertThat(node.backend().mempool(10).count()).isZero();

      RpcBackend.NodeStatus status = node.backend().status();
      assertThat(status.chainId()).isEqualTo(TestChains.CHAIN_ID);
      assertThat(status.latestHeight()).isGreaterThanOrEqualTo(last.height());
      assertThat(status.validatorPower()).isEqualTo(10);
      assertThat(node.backend().validators(1)).hasValueSatisfying(v -> assertThat(v).hasSize(1));
      assertThat(node.backend().appInfo().lastBlockHeight()).isGreaterThanOrEqualTo(last.height());
      assertThat(Files.exists(home.resolve("data/priv_validator_state.json"))).isTrue();
    }
  }

  @Test
  void emptyBlocksAreCreatedWithStrictlyIncreasingTimes() {
    try (PeerzNode node = TestNodes.counterNode(TestNodes.config(home, validator, FAST), null)) {
      // Blocks are appended before they execute; wait for height 4 to be committed, not only
      // decided.
      TestChains.await(
          "height 4 committed", () -> node.backend().appInfo().lastBlockHeight() >= 4, WAIT);
      long previous = 0;
      for (long h = 1; h <= 4; h++) {
        var header = node.backend().blocks().block(h).orElseThrow().getHeader();
        long t = Blocks.millis(header.getTime());
        assertThat(t).isGreaterThan(previous);
        previous = t;
        assertThat(header.getChainId()).isEqualTo(TestChains.CHAIN_ID);
        assertThat(header.getProposerAddress().toByteArray())
            .isEqualTo(validator.address().bytes());
        assertThat(node.backend().blocks().results(h)).isPresent();
      }
    }
  }

  @Test
  void aRestartedNodeContinuesFromItsLastCommittedHeight() {
    NodeConfig config = TestNodes.config(home, validator, FAST);
    long stoppedAt;
    List<String> hashes = new ArrayList<>();
    try (PeerzNode node = TestNodes.counterNode(config, null)) {
      node.backend().broadcastTx(CounterApp.tx(0));
      TestChains.await("height 3", () -> node.backend().blocks().lastHeight() >= 3, WAIT);
      node.close();
      stoppedAt = node.backend().blocks().lastHeight();
    }
    try (PeerzNode node = TestNodes.counterNode(config, null)) {
      for (long h = 1; h <= stoppedAt; h++) {
        hashes.add(
            Hex.encode(
                node.backend().blocks().results(h).orElseThrow().getAppHash().toByteArray()));
      }
      TestChains.await(
          "two more blocks", () -> node.backend().blocks().lastHeight() >= stoppedAt + 2, WAIT);
      assertThat(node.backend().broadcastTx(CounterApp.tx(1)).getCode()).isZero();
      for (long h = 1; h <= stoppedAt; h++) {
        assertThat(
                Hex.encode(
                    node.backend().blocks().results(h).orElseThrow().getAppHash().toByteArray()))
            .isEqualTo(hashes.get((int) h - 1));
      }
    }
  }

  @Test
  void replayRebuildsTheSameAppHashAtEveryHeight() {
    NodeConfig config = TestNodes.config(home, validator, FAST);
    long last;
    try (PeerzNode node = TestNodes.counterNode(config, null)) {
      for (int k = 0; k < 3; k++) {
        node.backend().broadcastTx(CounterApp.tx(k));
      }
      TestChains.await("height 5", () -> node.backend().blocks().lastHeight() >= 5, WAIT);
      node.close();
      last = node.backend().blocks().lastHeight();
    }
    List<Long> progress = new ArrayList<>();
    Replay.Report report =
        Replay.run(home, config.genesis(), (h, l) -> progress.add(h), CounterApp::new);
    assertThat(report.ok()).isTrue();
    assertThat(report.heightsReplayed()).isEqualTo(last);
    assertThat(progress).hasSize((int) last);
  }

  @Test
  void replayStopsAtTheFirstHeightWhoseAppHashDiffers() {
    NodeConfig config = TestNodes.config(home, validator, FAST);
    try (PeerzNode node = TestNodes.counterNode(config, null)) {
      // Blocks are appended before they execute; wait for height 4 to be committed, not only
      // decided.
      TestChains.await(
          "height 4 committed", () -> node.backend().appInfo().lastBlockHeight() >= 4, WAIT);
    }
    Replay.Report report =
        Replay.run(home, config.genesis(), (h, l) -> {}, db -> new SkewedApp(new CounterApp(db)));
    assertThat(report.ok()).isFalse();
    assertThat(report.mismatchHeight()).isEqualTo(3);
    assertThat(report.heightsReplayed()).isEqualTo(2);
    assertThat(report.expectedAppHash()).isNotEqualTo(report.actualAppHash());
  }

  /** Executes like its delegate but reports a different app hash from height 3 on. */
  private record SkewedApp(CounterApp d) implements Application {
    public InfoResponse info() {
      return d.info();
    }

    public InitChainResponse initChain(InitChainRequest r) {
      return d.initChain(r);
    }

    public TxResult checkTx(byte[] tx, CheckTxKind kind) {
      return d.checkTx(tx, kind);
    }

    public List<byte[]> prepareProposal(PrepareProposalRequest r) {
      return d.prepareProposal(r);
    }

    public boolean processProposal(ProcessProposalRequest r) {
      return d.processProposal(r);
    }

    public FinalizeBlockResponse finalizeBlock(FinalizeBlockRequest r) {
      FinalizeBlockResponse f = d.finalizeBlock(r);
      if (r.height() < 3) {
        return f;
      }
      return new FinalizeBlockResponse(
          f.events(), f.txResults(), f.validatorUpdates(), new byte[32]);
    }

    public void commit() {
      d.commit();
    }

    public QueryResponse query(QueryRequest r) {
      return d.query(r);
    }
  }
}
