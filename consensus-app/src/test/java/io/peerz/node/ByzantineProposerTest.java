package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.consensus.Application;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.TestChains;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.TxResult;
import io.peerz.p2p.NodeId;
import io.peerz.state.StateMachine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded sequencer asks the application's ProcessProposal as CometBFT does: a byzantine
 * proposer's block carrying txs that would execute without paying a fee is not committed, and the
 * chain goes on with the honest validator's proposals.
 */
class ByzantineProposerTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final byte[] GARBAGE = "not a tx: a free ride".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  /**
   * The peerz application, except that its proposals carry an undecodable tx and it accepts any
   * proposal: a proposer filling blocks it does not pay for.
   */
  private static final class GarbageProposer implements Application {
    private final PeerzApplication app;
    final AtomicInteger proposals = new AtomicInteger();

    GarbageProposer(PeerzApplication app) {
      this.app = app;
    }

    @Override
    public List<byte[]> prepareProposal(Application.PrepareProposalRequest request) {
      proposals.incrementAndGet();
      List<byte[]> txs = new ArrayList<>(app.prepareProposal(request));
      txs.add(GARBAGE);
      return txs;
    }

    @Override
    public boolean processProposal(Application.ProcessProposalRequest request) {
      return true;
    }

    @Override
    public Application.InfoResponse info() {
      return app.info();
    }

    @Override
    public Application.InitChainResponse initChain(Application.InitChainRequest request) {
      return app.initChain(request);
    }

    @Override
    public TxResult checkTx(byte[] tx, Application.CheckTxKind kind) {
      return app.checkTx(tx, kind);
    }

    @Override
    public Application.FinalizeBlockResponse finalizeBlock(
        Application.FinalizeBlockRequest request) {
      return app.finalizeBlock(request);
    }

    @Override
    public void commit() {
      app.commit();
    }

    @Override
    public Application.QueryResponse query(Application.QueryRequest request) {
      return app.query(request);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static PeerzNode start(
      Path home,
      GenesisDoc g,
      Ed25519KeyPair validator,
      Ed25519KeyPair nodeKey,
      int port,
      String peer,
      boolean byzantine,
      List<GarbageProposer> byzantines) {
    NodeConfig config =
        new NodeConfig(
            home,
            g,
            validator,
            nodeKey,
            "n" + port,
            "127.0.0.1:0",
            "127.0.0.1:" + port,
            Duration.ofMillis(50),
            List.of(peer));
    LedgerDb db = LedgerDb.open(PeerzNode.dataDir(home).resolve("ledger.db"));
    StateMachine machine = new StateMachine();
    PeerzApplication peerz = new PeerzApplication(db, machine, g.chainId());
    Application app = peerz;
    if (byzantine) {
      GarbageProposer garbage = new GarbageProposer(peerz);
      byzantines.add(garbage);
      app = garbage;
    }
    PeerzNode node = new PeerzNode(config, db, app, peerz::checkTxDry, machine.signatures(), null);
    node.startConsensus();
    node.startP2p();
    return node;
  }

  private static GenesisDoc genesis(Ed25519KeyPair a, Ed25519KeyPair b) {
    String appState =
        "{\"accounts\":[{\"address\":\""
            + TestChains.funded().address()
            + "\",\"balance\":\"1000000\"}]}";
    return new GenesisDoc(
        TestChains.CHAIN_ID,
        TestChains.GENESIS_MILLIS,
        1,
        List.of(
            new GenesisDoc.Validator(a.publicKey(), 10, "byzantine"),
            new GenesisDoc.Validator(b.publicKey(), 10, "honest")),
        appState.getBytes(StandardCharsets.UTF_8),
        ("{\"chain_id\":\"" + TestChains.CHAIN_ID + "\",\"app_state\":" + appState + "}")
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aBlockWithATxThatCannotPayIsRejectedAndOnlyHonestBlocksCommit() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair vb = TestChains.key(2);
    Ed25519KeyPair na = TestChains.key(61);
    Ed25519KeyPair nb = TestChains.key(62);
    GenesisDoc g = genesis(va, vb);
    int pa = freePort();
    int pb = freePort();
    List<GarbageProposer> byzantines = new ArrayList<>();
    try (PeerzNode a =
            start(
                dir.resolve("a"),
                g,
                va,
                na,
                pa,
                NodeId.of(nb.publicKey()) + "@127.0.0.1:" + pb,
                true,
                byzantines);
        PeerzNode b =
            start(
                dir.resolve("b"),
                g,
                vb,
                nb,
                pb,
                NodeId.of(na.publicKey()) + "@127.0.0.1:" + pa,
                false,
                byzantines)) {
      // Half the power each: a block needs both, so a's garbage blocks commit only if b accepts.
      TestChains.await(
          "a garbage proposal made and height 3 committed on both",
          () ->
              byzantines.get(0).proposals.get() > 0
                  && a.backend().appInfo().lastBlockHeight() >= 3
                  && b.backend().appInfo().lastBlockHeight() >= 3,
          WAIT);
      long top =
          Math.min(
              a.backend().appInfo().lastBlockHeight(), b.backend().appInfo().lastBlockHeight());
      for (long h = 1; h <= top; h++) {
        Block block = b.backend().blocks().block(h).orElseThrow();
        assertThat(block.getTxsList())
            .as("height %d", h)
            .doesNotContain(ByteString.copyFrom(GARBAGE));
        assertThat(block.getHeader().getProposerAddress().toByteArray())
            .as("height %d proposer", h)
            .isEqualTo(vb.address().bytes());
      }
    }
  }
}
