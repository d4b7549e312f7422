package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.consensus.Application;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.Replay;
import io.peerz.consensus.SnapshotConfig;
import io.peerz.consensus.StateSyncChecks;
import io.peerz.consensus.StateSyncConfig;
import io.peerz.consensus.TestChains;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.p2p.NodeId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedded state sync between real PeerzNodes on loopback: a fresh node restores from a peer's
 * snapshot, block-syncs the rest and then has the peer's app hash at every height.
 */
class PeerzStateSyncIT {

  private static final Duration COMMIT = Duration.ofMillis(50);
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static GenesisDoc genesis(Ed25519KeyPair... validators) {
    String appState =
        "{\"accounts\":[{\"address\":\""
            + TestChains.funded().address()
            + "\",\"balance\":\"1000000\"}]}";
    byte[] raw =
        ("{\"chain_id\":\"" + TestChains.CHAIN_ID + "\",\"app_state\":" + appState + "}")
            .getBytes(StandardCharsets.UTF_8);
    return new GenesisDoc(
        TestChains.CHAIN_ID,
        TestChains.GENESIS_MILLIS,
        1,
        java.util.Arrays.stream(validators)
            .map(v -> new GenesisDoc.Validator(v.publicKey(), 10, "v"))
            .toList(),
        appState.getBytes(StandardCharsets.UTF_8),
        raw);
  }

  private static NodeConfig config(
      Path home,
      GenesisDoc g,
      Ed25519KeyPair validator,
      Ed25519KeyPair nodeKey,
      int port,
      List<String> peers,
      StateSyncConfig stateSync) {
    return new NodeConfig(
        home,
        g,
        validator,
        nodeKey,
        "n" + port,
        "127.0.0.1:0",
        "127.0.0.1:" + port,
        COMMIT,
        peers,
        SnapshotConfig.every(10, 2),
        stateSync,
        true);
  }

  private static String peer(Ed25519KeyPair nodeKey, int port) {
    return NodeId.of(nodeKey.publicKey()) + "@127.0.0.1:" + port;
  }

  private static String appHash(PeerzNode n, long h) {
    return Hex.encode(n.backend().blocks().results(h).orElseThrow().getAppHash().toByteArray());
  }

  private static String blockHash(PeerzNode n, long h) {
    return Hex.encode(n.backend().blocks().blockHash(h).orElseThrow());
  }

  /** Serves the first chunk it is asked for with one bit flipped, every later one intact. */
  private static final class TamperingApp implements Application, AutoCloseable {
    private final PeerzApplication d;
    final java.util.concurrent.atomic.AtomicInteger tampered =
        new java.util.concurrent.atomic.AtomicInteger();

    TamperingApp(PeerzApplication d) {
      this.d = d;
    }

    @Override
    public byte[] loadSnapshotChunk(long height, int format, int chunk) {
      byte[] c = d.loadSnapshotChunk(height, format, chunk);
      if (c.length > 0 && tampered.getAndIncrement() == 0) {
        c[c.length - 1] ^= 1;
      }
      return c;
    }

    @Override
    public List<io.peerz.ledger.StateSnapshot> listSnapshots() {
      return d.listSnapshots();
    }

    @Override
    public InfoResponse info() {
      return d.info();
    }

    @Override
    public InitChainResponse initChain(InitChainRequest request) {
      return d.initChain(request);
    }

    @Override
    public io.peerz.ledger.proto.TxResult checkTx(byte[] tx, CheckTxKind kind) {
      return d.checkTx(tx, kind);
    }

    @Override
    public List<byte[]> prepareProposal(PrepareProposalRequest request) {
      return d.prepareProposal(request);
    }

    @Override
    public boolean processProposal(ProcessProposalRequest request) {
      return d.processProposal(request);
    }

    @Override
    public FinalizeBlockResponse finalizeBlock(FinalizeBlockRequest request) {
      return d.finalizeBlock(request);
    }

    @Override
    public void commit() {
      d.commit();
    }

    @Override
    public QueryResponse query(QueryRequest request) {
      return d.query(request);
    }

    @Override
    public void close() {
      d.close();
    }
  }

  @Test
  void aTamperedChunkFromThePeerRejectsThatSnapshotAndTheNodeRestoresALaterOne() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair na = TestChains.key(51);
    Ed25519KeyPair nb = TestChains.key(52);
    GenesisDoc g = genesis(va);
    int pa = freePort();
    int pb = freePort();
    NodeConfig configA =
        config(dir.resolve("a"), g, va, na, pa, List.of(peer(nb, pb)), StateSyncConfig.DISABLED);
    io.peerz.ledger.LedgerDb db =
        io.peerz.ledger.LedgerDb.open(PeerzNode.dataDir(configA.home()).resolve("ledger.db"));
    io.peerz.state.StateMachine machine = new io.peerz.state.StateMachine();
    PeerzApplication real =
        new PeerzApplication(
            db,
            machine,
            g.chainId(),
            PeerzNode.dataDir(configA.home()).resolve("snapshots"),
            configA.snapshots());
    TamperingApp tampering = new TamperingApp(real);
    try (PeerzNode a =
        new PeerzNode(configA, db, tampering, real::checkTxDry, machine.signatures(), null)) {
      a.startConsensus();
      a.startP2p();
      TestChains.await("height 20 on a", () -> a.backend().appInfo().lastBlockHeight() >= 20, WAIT);
      NodeConfig configB =
          config(
              dir.resolve("b"),
              g,
              TestChains.key(3),
              nb,
              pb,
              List.of(peer(na, pa)),
              StateSyncConfig.enabled(WAIT));
      try (PeerzNode b = PeerzNode.start(configB)) {
        TestChains.await(
            "b commits past its snapshot", () -> b.backend().blocks().baseHeight() > 0, WAIT);
        long snapshotHeight = b.backend().blocks().baseHeight() - 1;
        assertThat(tampering.tampered.get()).isGreaterThan(1);
        assertThat(snapshotHeight % 10).isZero();
        long target = a.backend().appInfo().lastBlockHeight();
        TestChains.await(
            "b synced to " + target, () -> b.backend().appInfo().lastBlockHeight() >= target, WAIT);
        for (long h = snapshotHeight + 1; h <= target; h++) {
          assertThat(appHash(b, h)).as("height %d", h).isEqualTo(appHash(a, h));
        }
      }
    }
  }

  private static Long commonSnapshot(PeerzNode a, PeerzNode b) {
    for (io.peerz.ledger.StateSnapshot s : b.application().listSnapshots()) {
      if (snapshotAt(a, s.height()) != null) {
        return s.height();
      }
    }
    return null;
  }

  private static io.peerz.ledger.StateSnapshot snapshotAt(PeerzNode n, long height) {
    for (io.peerz.ledger.StateSnapshot s : n.application().listSnapshots()) {
      if (s.height() == height) {
        return s;
      }
    }
    return null;
  }

  private static String rpc(PeerzNode n, String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + n.rpcAddress() + pathAndQuery))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  @Test
  void aFreshNodeRestoresFromAPeersSnapshotAndThenHasItsAppHashAtEveryHeight() throws Exception {
    // Two validators of equal power (neither decides alone) and a follower that state-syncs.
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair va2 = TestChains.key(2);
    Ed25519KeyPair follower = TestChains.key(3);
    Ed25519KeyPair na = TestChains.key(51);
    Ed25519KeyPair na2 = TestChains.key(53);
    Ed25519KeyPair nb = TestChains.key(52);
    GenesisDoc g = genesis(va, va2);
    int pa = freePort();
    int pa2 = freePort();
    int pb = freePort();
    Path homeA = dir.resolve("a");
    Path homeB = dir.resolve("b");
    NodeConfig configA =
        config(
            homeA, g, va, na, pa, List.of(peer(na2, pa2), peer(nb, pb)), StateSyncConfig.DISABLED);
    NodeConfig configA2 =
        config(
            dir.resolve("a2"),
            g,
            va2,
            na2,
            pa2,
            List.of(peer(na, pa), peer(nb, pb)),
            StateSyncConfig.DISABLED);
    NodeConfig configB =
        config(
            homeB,
            g,
            follower,
            nb,
            pb,
            List.of(peer(na, pa), peer(na2, pa2)),
            StateSyncConfig.enabled(WAIT));
    long snapshotHeight;
    try (PeerzNode a = PeerzNode.start(configA);
        PeerzNode a2 = PeerzNode.start(configA2)) {
      for (int k = 0; k < 12; k++) {
        assertThat(
                a.backend()
                    .broadcastTx(TestChains.send(k, TestChains.key(10 + k % 5), 5))
                    .getCode())
            .isZero();
      }
      TestChains.await("height 30 on a", () -> a.backend().appInfo().lastBlockHeight() >= 30, WAIT);
      long targetA;
      try (PeerzNode b = PeerzNode.start(configB)) {
        // start returns once the snapshot is restored; block sync then appends from the next
        // height, which becomes the block store's base.
        assertThat(b.backend().appInfo().lastBlockHeight()).isGreaterThanOrEqualTo(30);
        TestChains.await(
            "b commits past its snapshot", () -> b.backend().blocks().baseHeight() > 0, WAIT);
        snapshotHeight = b.backend().blocks().baseHeight() - 1;
        assertThat(snapshotHeight).isGreaterThanOrEqualTo(30);
        assertThat(snapshotHeight % 10).isZero();
        long target = a.backend().appInfo().lastBlockHeight();
        TestChains.await(
            "b synced to " + target, () -> b.backend().appInfo().lastBlockHeight() >= target, WAIT);
        // The restored state is a's state at the snapshot height: block h+1 commits to it.
        assertThat(
                Hex.encode(
                    b.backend()
                        .blocks()
                        .block(snapshotHeight + 1)
                        .orElseThrow()
                        .getHeader()
                        .getAppHash()
                        .toByteArray()))
            .isEqualTo(appHash(a, snapshotHeight));
        for (long h = snapshotHeight + 1; h <= target; h++) {
          assertThat(appHash(b, h)).as("height %d", h).isEqualTo(appHash(a, h));
          assertThat(blockHash(b, h)).as("height %d", h).isEqualTo(blockHash(a, h));
        }
        assertThat(b.backend().blocks().block(snapshotHeight)).isEmpty();
        assertThat(rpc(b, "/block?height=" + snapshotHeight))
            .contains("height is not available")
            .contains("base height: " + (snapshotHeight + 1));
        // A tx after the sync commits on both to the same state.
        byte[] tx = TestChains.send(12, TestChains.key(20), 9);
        assertThat(b.backend().broadcastTx(tx).getCode()).isZero();
        TestChains.await(
            "the tx committed on a",
            () -> a.backend().blocks().tx(io.peerz.ledger.Transactions.hash(tx)).isPresent(),
            WAIT);
        targetA = a.backend().appInfo().lastBlockHeight();
        TestChains.await(
            "b at " + targetA, () -> b.backend().appInfo().lastBlockHeight() >= targetA, WAIT);
        assertThat(appHash(b, targetA)).isEqualTo(appHash(a, targetA));
        TestChains.await("b no longer catching up", () -> !b.backend().status().catchingUp(), WAIT);
        // b rebuilt the validator sets with their proposer priorities.
        assertThat(b.backend().validators(targetA))
            .isPresent()
            .isEqualTo(a.backend().validators(targetA));
        assertThat(b.backend().validators(snapshotHeight - 1)).isEmpty();
        // b, restored, takes its own snapshots: byte-identical to a's at the same height.
        TestChains.await(
            "a snapshot height both nodes list", () -> commonSnapshot(a, b) != null, WAIT);
        long common = commonSnapshot(a, b);
        assertThat(common).isGreaterThan(snapshotHeight);
        assertThat(snapshotAt(b, common)).isEqualTo(snapshotAt(a, common));
      }

      StateSyncChecks.verificationRefusesForgedLightBlocks(
          PeerzNode.dataDir(homeB), g, snapshotHeight, appHash(a, snapshotHeight));

      // Restarted, b resumes from its snapshot anchor and keeps following a.
      try (PeerzNode b = PeerzNode.start(configB)) {
        assertThat(b.backend().blocks().baseHeight()).isEqualTo(snapshotHeight + 1);
        long target = a.backend().appInfo().lastBlockHeight();
        TestChains.await(
            "restarted b synced to " + target,
            () -> b.backend().appInfo().lastBlockHeight() >= target,
            WAIT);
        for (long h = targetA; h <= target; h++) {
          assertThat(appHash(b, h)).as("height %d", h).isEqualTo(appHash(a, h));
        }
      }
    }
    // Replay on a (every block from genesis) still reaches the recorded app hashes.
    Replay.Report report = Replay.run(homeA, g, (h, l) -> {});
    assertThat(report.ok()).as("%s", report).isTrue();
    assertThat(report.heightsReplayed()).isGreaterThan(30);
    // b has no blocks below its snapshot: replay says so instead of diverging.
    assertThatThrownBy(() -> Replay.run(homeB, g, (h, l) -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("restored by state sync");
  }
}
