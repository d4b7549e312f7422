package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.consensus.ConsensusConfig;
import io.peerz.consensus.MempoolReactor;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.ReactorChannels;
import io.peerz.consensus.TestChains;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.Transactions;
import io.peerz.p2p.NodeId;
import io.peerz.p2p.P2pChannels;
import io.peerz.p2p.P2pConfig;
import io.peerz.p2p.P2pNode;
import io.peerz.p2p.PeerLimits;
import io.peerz.state.StateMachine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real PeerzNodes (real state machine, RocksDB, p2p on loopback) reaching consensus. */
class PeerzNetworkTest {

  private static final Duration COMMIT = Duration.ofMillis(50);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static GenesisDoc genesis(List<Ed25519KeyPair> validators) {
    String appState =
        "{\"accounts\":[{\"address\":\""
            + TestChains.funded().address()
            + "\",\"balance\":\"1000000\"}]}";
    List<GenesisDoc.Validator> vs = new ArrayList<>();
    for (int i = 0; i < validators.size(); i++) {
      vs.add(new GenesisDoc.Validator(validators.get(i).publicKey(), 10, "v" + i));
    }
    byte[] raw =
        ("{\"chain_id\":\"" + TestChains.CHAIN_ID + "\",\"app_state\":" + appState + "}")
            .getBytes(StandardCharsets.UTF_8);
    return new GenesisDoc(
        TestChains.CHAIN_ID,
        TestChains.GENESIS_MILLIS,
        1,
        vs,
        appState.getBytes(StandardCharsets.UTF_8),
        raw);
  }

  private static String peer(Ed25519KeyPair nodeKey, int port) {
    return NodeId.of(nodeKey.publicKey()) + "@127.0.0.1:" + port;
  }

  private static PeerzNode start(
      Path home,
      GenesisDoc g,
      Ed25519KeyPair validator,
      Ed25519KeyPair nodeKey,
      int port,
      List<String> peers) {
    return start(home, g, validator, nodeKey, port, peers, COMMIT);
  }

  private static PeerzNode start(
      Path home,
      GenesisDoc g,
      Ed25519KeyPair validator,
      Ed25519KeyPair nodeKey,
      int port,
      List<String> peers,
      Duration timeoutCommit) {
    NodeConfig config =
        new NodeConfig(
            home,
            g,
            validator,
            nodeKey,
            "n" + port,
            "127.0.0.1:0",
            "127.0.0.1:" + port,
            timeoutCommit,
            peers);
    LedgerDb db = LedgerDb.open(PeerzNode.dataDir(home).resolve("ledger.db"));
    StateMachine machine = new StateMachine();
    PeerzApplication app = new PeerzApplication(db, machine, g.chainId());
    PeerzNode node = new PeerzNode(config, db, app, app::checkTxDry, machine.signatures(), null);
    node.startConsensus();
    node.startP2p();
    return node;
  }

  private static String blockHash(PeerzNode n, long h) {
    return Hex.encode(n.backend().blocks().blockHash(h).orElseThrow());
  }

  private static String appHash(PeerzNode n, long h) {
    return Hex.encode(n.backend().blocks().results(h).orElseThrow().getAppHash().toByteArray());
  }

  /** A p2p node that is no PeerzNode: it sends whatever a test gives it. */
  private static P2pNode hostile(Ed25519KeyPair key, PeerzNode target, List<String> events) {
    P2pConfig config =
        P2pConfig.defaults(
                key,
                TestChains.CHAIN_ID,
                "127.0.0.1:0",
                List.of(target.p2pNode().nodeId() + "@" + target.p2pAddress()))
            .withLimits(PeerLimits.DEFAULT);
    return P2pNode.start(
        new P2pConfig(
            config.nodeKey(),
            config.chainId(),
            config.listenAddress(),
            config.persistentPeers(),
            ReactorChannels.maxMessageBytes(4 << 20),
            64,
            Duration.ofSeconds(2),
            Duration.ofMillis(50),
            Duration.ofMillis(200),
            1L),
        new P2pNode.Listener() {
          @Override
          public void onPeerConnected(String peerId) {
            events.add("+" + peerId);
          }

          @Override
          public void onPeerDisconnected(String peerId) {
            events.add("-" + peerId);
          }

          @Override
          public void onMessage(String peerId, int channel, byte[] message) {}
        });
  }

  @Test
  void peersSendingUndecodableMisroutedOrUnsolicitedMessagesAreDroppedAndBanned() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    GenesisDoc g = genesis(List.of(va));
    try (PeerzNode a = start(dir.resolve("a"), g, va, TestChains.key(51), freePort(), List.of())) {
      P2pNode node = a.p2pNode();
      List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
      byte[] txs =
          io.peerz.consensus.proto.ReactorMessage.newBuilder()
              .setTxs(io.peerz.consensus.proto.Txs.newBuilder())
              .build()
              .toByteArray();
      byte[] chunk =
          io.peerz.consensus.proto.ReactorMessage.newBuilder()
              .setChunkResponse(io.peerz.consensus.proto.ChunkResponse.newBuilder().setHeight(5))
              .build()
              .toByteArray();
      byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
      List<P2pNode> peers = new ArrayList<>();
      try {
        // Random bytes on a known channel (issue 15: logged, the peer kept), a message on a
        // channel that does not carry it, state sync answers nobody asked for.
        for (int i = 0; i < 3; i++) {
          P2pNode h = hostile(TestChains.key(60 + i), a, events);
          peers.add(h);
          TestChains.await(
              "hostile " + i + " connected",
              () ->
                  node.connectedPeers().contains(h.nodeId())
                      && h.connectedPeers().contains(node.nodeId()),
              WAIT);
        }
        peers.get(0).send(node.nodeId(), P2pChannels.CONSENSUS_VOTE, garbage);
        peers.get(1).send(node.nodeId(), P2pChannels.CONSENSUS_VOTE, txs);
        for (int k = 0; k < 12; k++) {
          peers.get(2).send(node.nodeId(), P2pChannels.STATE_SYNC_CHUNK, chunk);
        }
        for (P2pNode h : peers) {
          TestChains.await("hostile banned", () -> node.isBanned(h.nodeId()), WAIT);
        }
        TestChains.await("hostiles dropped", () -> node.connectedPeers().isEmpty(), WAIT);
        long height = a.backend().appInfo().lastBlockHeight();
        TestChains.await(
            "the chain goes on", () -> a.backend().appInfo().lastBlockHeight() >= height + 3, WAIT);
        // Their re-dials are refused while the ban lasts.
        TestChains.await("re-dials refused", () -> node.refusedPeers() >= 3, WAIT);
        assertThat(node.connectedPeers()).isEmpty();
      } finally {
        peers.forEach(P2pNode::close);
      }
    }
  }

  @Test
  void twoValidatorsOverP2pCommitTheSameBlocksAndGossipTxs() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair vb = TestChains.key(2);
    Ed25519KeyPair na = TestChains.key(51);
    Ed25519KeyPair nb = TestChains.key(52);
    GenesisDoc g = genesis(List.of(va, vb));
    int pa = freePort();
    int pb = freePort();
    try (PeerzNode a = start(dir.resolve("a"), g, va, na, pa, List.of(peer(nb, pb)));
        PeerzNode b = start(dir.resolve("b"), g, vb, nb, pb, List.of(peer(na, pa)))) {
      byte[] tx = TestChains.send(0, TestChains.key(8), 5);
      assertThat(a.backend().broadcastTx(tx).getCode()).isZero();
      // Each validator has half the power: no block without both, so b's blocks prove p2p works.
      TestChains.await(
          "the tx committed on b",
          () -> b.backend().blocks().tx(Transactions.hash(tx)).isPresent(),
          WAIT);
      TestChains.await(
          "height 4 committed on both",
          () ->
              a.backend().appInfo().lastBlockHeight() >= 4
                  && b.backend().appInfo().lastBlockHeight() >= 4,
          WAIT);
      long top =
          Math.min(
              a.backend().appInfo().lastBlockHeight(), b.backend().appInfo().lastBlockHeight());
      for (long h = 1; h <= top; h++) {
        assertThat(blockHash(b, h)).as("height %d", h).isEqualTo(blockHash(a, h));
        assertThat(appHash(b, h)).as("height %d", h).isEqualTo(appHash(a, h));
        assertThat(
                b.backend().blocks().seenCommit(h).orElseThrow().getSignaturesList().stream()
                    .filter(
                        s ->
                            s.getBlockIdFlag()
                                == io.peerz.ledger.proto.BlockIdFlag.BLOCK_ID_FLAG_COMMIT)
                    .count())
            .isEqualTo(2);
      }
      assertThat(Path.of(dir.resolve("a").toString(), "data", "cs.wal")).exists();
    }
  }

  /**
   * Broadcasts a tx at the first of three nodes and checks, once it has reached the other two and
   * committed everywhere, that each of those two received exactly one copy from peers and the first
   * none.
   */
  private static void broadcastAndCountCopies(List<PeerzNode> nodes) throws Exception {
    byte[] tx = TestChains.send(0, TestChains.key(8), 5);
    assertThat(nodes.get(0).backend().broadcastTx(tx).getCode()).isZero();
    TestChains.await(
        "the tx gossiped to the other two nodes",
        () ->
            nodes.get(1).mempoolReactor().txsFromPeers() >= 1
                && nodes.get(2).mempoolReactor().txsFromPeers() >= 1,
        WAIT);
    TestChains.await(
        "the tx committed on every node",
        () ->
            nodes.stream()
                .allMatch(x -> x.backend().blocks().tx(Transactions.hash(tx)).isPresent()),
        WAIT);
    assertThat(nodes.stream().map(n -> n.mempoolReactor().txsFromPeers()))
        .containsExactly(0L, 1L, 1L);
  }

  @Test
  void inAFullMeshEachTxCrossesEachLinkOnce() throws Exception {
    Ed25519KeyPair[] v = {TestChains.key(1), TestChains.key(2), TestChains.key(3)};
    Ed25519KeyPair[] n = {TestChains.key(51), TestChains.key(52), TestChains.key(53)};
    int[] port = {freePort(), freePort(), freePort()};
    GenesisDoc g = genesis(List.of(v));
    List<PeerzNode> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        List<String> others = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          if (j != i) {
            others.add(peer(n[j], port[j]));
          }
        }
        nodes.add(start(dir.resolve("n" + i), g, v[i], n[i], port[i], others));
      }
      TestChains.await(
          "every node heard its peers' peer lists",
          () ->
              nodes.stream()
                  .allMatch(
                      x ->
                          x.mempoolReactor().peersOfPeers().size() == 2
                              && x.mempoolReactor().peersOfPeers().values().stream()
                                  .allMatch(s -> s.size() == 2)),
          WAIT);
      // Each node but the sender got the tx once: nobody relayed it back or across.
      broadcastAndCountCopies(nodes);
    } finally {
      nodes.forEach(PeerzNode::close);
    }
  }

  @Test
  void inALineATxIsRelayedToTheNodeTwoHopsAway() throws Exception {
    Ed25519KeyPair[] v = {TestChains.key(1), TestChains.key(2), TestChains.key(3)};
    Ed25519KeyPair[] n = {TestChains.key(51), TestChains.key(52), TestChains.key(53)};
    int[] port = {freePort(), freePort(), freePort()};
    GenesisDoc g = genesis(List.of(v));
    // a - b - c: a and c are not connected; blocks are far apart, so the tx waits in mempools.
    Duration slow = Duration.ofSeconds(5);
    List<PeerzNode> nodes = new ArrayList<>();
    try {
      nodes.add(
          start(dir.resolve("a"), g, v[0], n[0], port[0], List.of(peer(n[1], port[1])), slow));
      nodes.add(
          start(
              dir.resolve("b"),
              g,
              v[1],
              n[1],
              port[1],
              List.of(peer(n[0], port[0]), peer(n[2], port[2])),
              slow));
      nodes.add(
          start(dir.resolve("c"), g, v[2], n[2], port[2], List.of(peer(n[1], port[1])), slow));
      TestChains.await(
          "height 1 committed on every node",
          () -> nodes.stream().allMatch(x -> x.backend().appInfo().lastBlockHeight() >= 1),
          WAIT);
      // c got it once, relayed by b; nobody relayed it back.
      broadcastAndCountCopies(nodes);
    } finally {
      nodes.forEach(PeerzNode::close);
    }
  }

  @Test
  void aProposalThatTravelsCarriesAtMostOneMibOfTxs() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair vb = TestChains.key(2);
    Ed25519KeyPair na = TestChains.key(51);
    Ed25519KeyPair nb = TestChains.key(52);
    GenesisDoc g = genesis(List.of(va, vb));
    int pa = freePort();
    int pb = freePort();
    // Blocks 5 s apart: the txs below all wait in the mempools for the same next proposal.
    Duration slow = Duration.ofSeconds(5);
    try (PeerzNode a = start(dir.resolve("a"), g, va, na, pa, List.of(peer(nb, pb)), slow);
        PeerzNode b = start(dir.resolve("b"), g, vb, nb, pb, List.of(peer(na, pa)), slow)) {
      List<byte[]> txs = new ArrayList<>();
      long bytes = 0;
      for (int i = 0; bytes <= ConsensusConfig.PROPOSAL_TX_BYTES * 5 / 4; i++) {
        byte[] tx = TestChains.send(i, TestChains.key(8), 1);
        txs.add(tx);
        bytes += tx.length;
      }
      TestChains.await(
          "height 1 committed on both",
          () ->
              a.backend().appInfo().lastBlockHeight() >= 1
                  && b.backend().appInfo().lastBlockHeight() >= 1,
          WAIT);
      for (byte[] tx : txs) {
        assertThat(a.backend().broadcastTx(tx).getCode()).isZero();
      }
      byte[] last = txs.get(txs.size() - 1);
      TestChains.await(
          "every tx committed",
          () -> a.backend().blocks().tx(Transactions.hash(last)).isPresent(),
          WAIT);
      int withTxs = 0;
      for (long h = 1; h <= a.backend().appInfo().lastBlockHeight(); h++) {
        long blockBytes =
            a.backend().blocks().block(h).orElseThrow().getTxsList().stream()
                .mapToLong(com.google.protobuf.ByteString::size)
                .sum();
        assertThat(blockBytes)
            .as("height %d", h)
            .isLessThanOrEqualTo(ConsensusConfig.PROPOSAL_TX_BYTES);
        withTxs += blockBytes > 0 ? 1 : 0;
      }
      assertThat(withTxs).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void relayRuleSkipsTheSenderAndItsPeers() {
    Map<String, java.util.Set<String>> known =
        Map.of("a", java.util.Set.of("b", "x"), "c", java.util.Set.of("b"));
    assertThat(MempoolReactor.relays(null, "a", known)).as("own txs go to everyone").isTrue();
    assertThat(MempoolReactor.relays("a", "a", known)).as("not back to the sender").isFalse();
    assertThat(MempoolReactor.relays("a", "x", known)).as("x has it from a").isFalse();
    assertThat(MempoolReactor.relays("a", "c", known)).as("a and c are not connected").isTrue();
    assertThat(MempoolReactor.relays("b", "c", known)).as("c says it is connected to b").isFalse();
    assertThat(MempoolReactor.relays("z", "y", known)).as("unknown peers: relay").isTrue();
  }

  @Test
  void aNodeStartedLateDialsALoneValidatorAndBlockSyncsToTheSameAppHash() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair follower = TestChains.key(3);
    Ed25519KeyPair na = TestChains.key(51);
    Ed25519KeyPair nb = TestChains.key(52);
    GenesisDoc g = genesis(List.of(va));
    int pa = freePort();
    int pb = freePort();
    // a has no persistent peers: it still listens, and b dials it.
    try (PeerzNode a = start(dir.resolve("a"), g, va, na, pa, List.of())) {
      for (int k = 0; k < 3; k++) {
        assertThat(a.backend().broadcastTx(TestChains.send(k, TestChains.key(8), 5)).getCode())
            .isZero();
      }
      TestChains.await("height 30 on a", () -> a.backend().appInfo().lastBlockHeight() >= 30, WAIT);
      assertThat(
              a.backend().blocks().tx(Transactions.hash(TestChains.send(2, TestChains.key(8), 5))))
          .isPresent();
      try (PeerzNode b = start(dir.resolve("b"), g, follower, nb, pb, List.of(peer(na, pa)))) {
        long target = a.backend().appInfo().lastBlockHeight();
        // Committed, not just appended: a block's results are stored after it executes.
        TestChains.await(
            "b synced to " + target, () -> b.backend().appInfo().lastBlockHeight() >= target, WAIT);
        for (long h = 1; h <= target; h++) {
          assertThat(appHash(b, h)).as("height %d", h).isEqualTo(appHash(a, h));
          assertThat(blockHash(b, h)).as("height %d", h).isEqualTo(blockHash(a, h));
        }
        TestChains.await("b no longer catching up", () -> !b.backend().status().catchingUp(), WAIT);
        assertThat(b.backend().validators(target)).isEqualTo(a.backend().validators(target));
      }
    }
  }
}
