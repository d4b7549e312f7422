package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.consensus.AppOptions;
import io.peerz.consensus.PruningConfig;
import io.peerz.consensus.Replay;
import io.peerz.consensus.SnapshotConfig;
import io.peerz.consensus.StateSyncConfig;
import io.peerz.consensus.TestChains;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.StateSnapshot;
import io.peerz.p2p.NodeId;
import io.peerz.rpc.RpcBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * min-retain-blocks and state pruning on a running node: the old blocks and versions go, what state
 * sync serves and what a restart needs stays, a pruned height answers CometBFT's error, and replay
 * starts from a snapshot.
 */
class BoundedDiskIT {
  private static final Duration COMMIT = Duration.ofMillis(30);
  // The pruning node serves state sync while it prunes: its blocks come slowly enough, and its
  // snapshots (every 10, 3 kept) span enough heights, that a syncing peer on a loaded machine
  // still finds the light blocks of the snapshot it chose.
  private static final Duration SERVING_COMMIT = Duration.ofMillis(200);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static NodeConfig config(
      Path home,
      GenesisDoc g,
      Ed25519KeyPair validator,
      Ed25519KeyPair nodeKey,
      int port,
      List<String> peers,
      StateSyncConfig stateSync,
      AppOptions app) {
    return new NodeConfig(
        home,
        g,
        validator,
        nodeKey,
        "n" + port,
        "127.0.0.1:0",
        "127.0.0.1:" + port,
        SERVING_COMMIT,
        peers,
        SnapshotConfig.every(10, 3),
        stateSync,
        true,
        null,
        null,
        app);
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

  private static long lowestSnapshot(PeerzNode n) {
    List<StateSnapshot> list = n.application().listSnapshots();
    return list.isEmpty() ? 0 : list.get(list.size() - 1).height();
  }

  @Test
  void aPruningNodeKeepsWhatStateSyncAndARestartNeedAndAnswersCometBftsErrorBelowIt()
      throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair na = TestChains.key(51);
    Ed25519KeyPair nb = TestChains.key(52);
    Ed25519KeyPair recipient = TestChains.key(20);
    GenesisDoc g = TestChains.peerzGenesis(va);
    int pa = freePort();
    int pb = freePort();
    AppOptions pruning =
        new AppOptions(new PruningConfig(PruningConfig.Strategy.CUSTOM, 3, 10), 5, 0, 0);
    NodeConfig configA =
        config(dir.resolve("a"), g, va, na, pa, List.of(), StateSyncConfig.DISABLED, pruning);
    long lastA;
    try (PeerzNode a = PeerzNode.start(configA)) {
      int nonce = 0;
      while (a.backend().appInfo().lastBlockHeight() < 60) {
        long h = a.backend().appInfo().lastBlockHeight();
        if (nonce < 20) {
          assertThat(a.backend().broadcastTx(TestChains.send(nonce++, recipient, 1)).getCode())
              .isZero();
        }
        TestChains.await(
            "a past height " + h, () -> a.backend().appInfo().lastBlockHeight() > h, WAIT);
      }
      long base = a.backend().blocks().baseHeight();
      long last = a.backend().blocks().lastHeight();
      long snapshot = lowestSnapshot(a);
      // Pruned: the snapshots (every 10, 3 kept) hold the retain height, min-retain-blocks 5
      // would go further.
      assertThat(base).isGreaterThan(20);
      assertThat(snapshot).isPositive();
      assertThat(base).isLessThanOrEqualTo(snapshot);
      assertThat(a.backend().blocks().block(snapshot)).isPresent();
      assertThat(a.backend().blocks().block(snapshot + 1)).isPresent();
      assertThat(a.backend().blocks().block(base - 1)).isEmpty();
      assertThat(a.backend().blocks().results(base - 1)).isEmpty();
      // The node runs on, so the lowest height may have moved up since it was read.
      assertThat(rpc(a, "/block?height=1"))
          .containsPattern("\"data\":\"height 1 is not available, lowest height is \\d+\"");
      assertThat(rpc(a, "/block_results?height=" + (base - 1)))
          .containsPattern(
              "\"data\":\"height " + (base - 1) + " is not available, lowest height is \\d+\"");
      assertThat(rpc(a, "/block?height=" + last)).doesNotContain("error");

      // State versions: 3 recent kept, older ones pruned every 10 heights.
      String path = "/account/" + recipient.address();
      RpcBackend.QueryAnswer old = a.backend().query(path, new byte[0], 5, false);
      assertThat(old.codespace()).isEqualTo("query");
      assertThat(old.code()).isEqualTo(4);
      assertThat(old.log()).matches("height 5 is not available, lowest height is \\d+");
      long kept = a.backend().appInfo().lastBlockHeight() - 1;
      RpcBackend.QueryAnswer recent = a.backend().query(path, new byte[0], kept, false);
      assertThat(recent.code()).as(recent.log()).isZero();
      assertThat(recent.height()).isEqualTo(kept);

      // A fresh node restores from the pruning node's snapshot and follows it.
      NodeConfig configB =
          config(
              dir.resolve("b"),
              g,
              TestChains.key(3),
              nb,
              pb,
              List.of(NodeId.of(na.publicKey()) + "@127.0.0.1:" + pa),
              StateSyncConfig.enabled(WAIT),
              AppOptions.DEFAULT);
      try (PeerzNode b = PeerzNode.start(configB)) {
        long target = a.backend().appInfo().lastBlockHeight();
        TestChains.await(
            "b synced to " + target, () -> b.backend().appInfo().lastBlockHeight() >= target, WAIT);
      }
      lastA = a.backend().appInfo().lastBlockHeight();
    }

    // A restart resumes from the anchor, the blocks below it gone.
    long stoppedAt = lastA;
    try (PeerzNode a = PeerzNode.start(configA)) {
      TestChains.await(
          "a past " + stoppedAt,
          () -> a.backend().appInfo().lastBlockHeight() > stoppedAt + 2,
          WAIT);
    }

    Replay.Report report = Replay.run(configA.home(), g, (h, l) -> {});
    assertThat(report.ok()).as("%s", report).isTrue();
    assertThat(report.snapshotHeight()).isPositive();
    assertThat(report.heightsReplayed()).isGreaterThan(5);
  }

  @Test
  void theNodeStopsAfterItsHaltHeightAndStaysThereUntilTheHaltHeightIsLifted() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    NodeConfig base = TestNodes.peerzConfig(dir.resolve("h"), va, COMMIT);
    NodeConfig halting = base.withApp(new AppOptions(PruningConfig.DEFAULT, 0, 6, 0));
    PeerzNode node = PeerzNode.start(halting);
    assertThat(node.awaitTermination(WAIT)).as("stopped at its halt height").isTrue();
    try (io.peerz.ledger.LedgerDb db =
        io.peerz.ledger.LedgerDb.open(PeerzNode.dataDir(halting.home()).resolve("ledger.db"))) {
      assertThat(db.state().height()).isEqualTo(6);
      assertThat(db.blocks().lastHeight()).isEqualTo(6);
    }
    // Nothing of height 7 was signed.
    com.fasterxml.jackson.databind.JsonNode signed =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                PeerzNode.dataDir(halting.home()).resolve("priv_validator_state.json").toFile());
    assertThat(signed.get("height").asLong()).isEqualTo(6);

    // Started again at its halt point, it starts nothing.
    try (PeerzNode again = PeerzNode.start(halting)) {
      assertThat(again.haltedAtStart()).isTrue();
    }
    // A halt height the chain has passed is refused.
    NodeConfig passed = base.withApp(new AppOptions(PruningConfig.DEFAULT, 0, 4, 0));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PeerzNode.start(passed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("halt-height 4 is below the latest committed height 6");
    // Lifted, the chain goes on from where it stopped.
    try (PeerzNode on = PeerzNode.start(base)) {
      TestChains.await("past 8", () -> on.backend().appInfo().lastBlockHeight() >= 8, WAIT);
    }
  }

  @Test
  void theNodeStopsAfterTheFirstBlockAtOrAfterItsHaltTime() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    NodeConfig config = TestNodes.peerzConfig(dir.resolve("t"), va, COMMIT);
    try (PeerzNode node = PeerzNode.start(config)) {
      TestChains.await("height 3", () -> node.backend().appInfo().lastBlockHeight() >= 3, WAIT);
    }
    long haltTime;
    try (io.peerz.ledger.LedgerDb db =
        io.peerz.ledger.LedgerDb.open(PeerzNode.dataDir(config.home()).resolve("ledger.db"))) {
      // Two seconds of blocks past the last one this run committed (it ran on while closing).
      haltTime = time(db.blocks().block(db.blocks().lastHeight()).orElseThrow()) / 1000 + 2;
    }
    PeerzNode node =
        PeerzNode.start(config.withApp(new AppOptions(PruningConfig.DEFAULT, 0, 0, haltTime)));
    assertThat(node.awaitTermination(WAIT)).as("stopped at its halt time").isTrue();
    try (io.peerz.ledger.LedgerDb db =
        io.peerz.ledger.LedgerDb.open(PeerzNode.dataDir(config.home()).resolve("ledger.db"))) {
      long last = db.blocks().lastHeight();
      assertThat(db.state().height()).isEqualTo(last);
      assertThat(time(db.blocks().block(last).orElseThrow()))
          .isGreaterThanOrEqualTo(haltTime * 1000);
      assertThat(time(db.blocks().block(last - 1).orElseThrow())).isLessThan(haltTime * 1000);
    }
  }

  private static long time(io.peerz.ledger.proto.Block b) {
    return io.peerz.ledger.Blocks.millis(b.getHeader().getTime());
  }
}
