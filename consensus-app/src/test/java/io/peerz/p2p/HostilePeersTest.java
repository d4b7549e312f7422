package io.peerz.p2p;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.Ed25519KeyPair;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a peer that presents the right chain id can make a node hold, and how the node refuses it:
 * the failures of issue 15 (hundreds of peers each sending most of a 16 MiB frame; undecodable
 * messages that kept the peer) reproduced against one node.
 */
@Timeout(60)
class HostilePeersTest {
  private static final String CHAIN = "peerz-test-1";
  private static final int MAX = 16 * 1024;
  private static final int PACKET = 4096;

  private final List<P2pNode> nodes = new ArrayList<>();
  private final List<RawPeer> raw = new ArrayList<>();

  @AfterEach
  void close() throws IOException {
    for (RawPeer p : raw) {
      p.close();
    }
    nodes.forEach(P2pNode::close);
  }

  private static Ed25519KeyPair key(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    seed[31] = 0x3c;
    return Ed25519KeyPair.fromSeed(seed);
  }

  private static String id(int n) {
    return NodeId.of(key(n).publicKey());
  }

  private static PeerLimits limits(int maxInbound) {
    return PeerLimits.DEFAULT
        .with(maxInbound, 10, PACKET, PeerLimits.DEFAULT_RATE, PeerLimits.DEFAULT_RATE)
        .withBan(Duration.ofMinutes(10), PeerLimits.DEFAULT_SHARED_ASSEMBLY_BYTES);
  }

  private P2pNode start(int keyIndex, List<String> peers, PeerLimits limits, RecordingListener l) {
    P2pConfig config =
        new P2pConfig(
            key(keyIndex),
            CHAIN,
            "127.0.0.1:0",
            peers,
            Map.of(
                P2pChannels.CONSENSUS_STATE, MAX,
                P2pChannels.CONSENSUS_DATA, 4 * MAX,
                P2pChannels.CONSENSUS_VOTE, MAX,
                P2pChannels.MEMPOOL, MAX),
            256,
            Duration.ofSeconds(2),
            Duration.ofMillis(50),
            Duration.ofMillis(400),
            1L,
            limits);
    P2pNode node = P2pNode.start(config, l);
    nodes.add(node);
    return node;
  }

  private RawPeer peer(int keyIndex, P2pNode node) throws IOException {
    RawPeer p = new RawPeer(key(keyIndex), node.listenAddress());
    raw.add(p);
    return p;
  }

  /** A connected, authenticated peer the node kept. */
  private RawPeer admitted(int keyIndex, P2pNode node, RecordingListener l) throws IOException {
    RawPeer p = peer(keyIndex, node);
    assertThat(p.tryHandshake(CHAIN, node.nodeId())).as("handshake of key " + keyIndex).isTrue();
    l.await("node keeps key " + keyIndex, () -> node.connectedPeers().contains(p.id));
    return p;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static byte[] filled(int n, char c) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  @Test
  void connectionsBeyondMaxNumInboundPeersAreClosedBeforeAnyHandshake() throws IOException {
    RecordingListener l = new RecordingListener();
    P2pNode node = start(1, List.of(), limits(2), l);
    try (LogCapture log = new LogCapture()) {
      RawPeer first = admitted(10, node, l);
      admitted(11, node, l);

      RawPeer third = peer(12, node);
      assertThat(third.tryHandshake(CHAIN, node.nodeId())).isFalse();
      assertThat(
              log.contains(
                  "reason=inbound_connections_full detail=\"2 inbound connections open"
                      + " (max_num_inbound_peers plus listed peers)\""))
          .isTrue();
      assertThat(node.connectedPeers()).containsExactlyInAnyOrder(id(10), id(11));
      assertThat(node.refusedPeers()).isEqualTo(1);

      // A place frees up when a peer leaves.
      first.close();
      l.await("first gone", () -> !node.connectedPeers().contains(id(10)));
      admitted(13, node, l);
    }
  }

  @Test
  void persistentAndUnconditionalPeersKeepTheirPlaceWhenInboundIsFull() throws IOException {
    RecordingListener l = new RecordingListener();
    // The persistent peer's own address refuses dials, so it only ever comes in.
    String persistent = id(30) + "@127.0.0.1:" + closedPort();
    PeerLimits limits = limits(1).withUnconditionalPeerIds(List.of(id(31)));
    P2pNode node = start(1, List.of(persistent), limits, l);
    try (LogCapture log = new LogCapture()) {
      admitted(20, node, l);
      // Sockets are free (two are kept for the listed peers), peer places are not.
      RawPeer unlisted = peer(21, node);
      unlisted.tryHandshake(CHAIN, node.nodeId());
      assertThat(unlisted.closedByRemote()).isTrue();
      assertThat(
              log.contains("peer refused peer=" + unlisted.id + " remote=")
                  && log.contains(
                      "reason=inbound_full detail=\"1 peers, max_num_inbound_peers 1\""))
          .isTrue();

      admitted(30, node, l);
      admitted(31, node, l);
      assertThat(node.connectedPeers()).containsExactlyInAnyOrder(id(20), id(30), id(31));

      // Sockets beyond max_num_inbound_peers plus the listed peers are closed before a handshake.
      RawPeer overSockets = peer(22, node);
      assertThat(overSockets.closedByRemote()).isTrue();
      assertThat(log.contains("reason=inbound_connections_full")).isTrue();
    }
  }

  @Test
  void aFrameAnnouncedOverOnePacketIsRefusedBeforeItsBytesArriveAndThePeerIsBanned()
      throws IOException {
    RecordingListener l = new RecordingListener();
    P2pNode node = start(1, List.of(), limits(40), l);
    try (LogCapture log = new LogCapture()) {
      RawPeer before = peer(40, node);
      before.writeRaw(ByteBuffer.allocate(4).putInt(16 << 20).array());
      assertThat(before.closedByRemote()).isTrue();

      RawPeer after = admitted(41, node, l);
      // What the attack of issue 15 announced: a 16 MiB frame, whose bytes never come.
      after.writeRaw(ByteBuffer.allocate(4).putInt(16 << 20).array());
      assertThat(after.closedByRemote()).isTrue();
      assertThat(log.contains("reason=frame_too_long")).isTrue();
      assertThat(log.contains("frame of 16777216 bytes announced, max")).isTrue();
      assertThat(node.isBanned(id(41))).isTrue();

      RawPeer again = peer(41, node);
      again.tryHandshake(CHAIN, node.nodeId());
      assertThat(again.closedByRemote()).isTrue();
      assertThat(log.contains("reason=banned")).isTrue();
    }
    assertThat(l.received()).isEmpty();
  }

  @Test
  void aMessageInPacketsArrivesWholeUpToItsChannelCapAndNotOneByteMore() throws IOException {
    RecordingListener l = new RecordingListener();
    P2pNode node = start(1, List.of(), limits(40), l);
    RawPeer honest = admitted(50, node, l);
    for (int i = 0; i < 3; i++) {
      honest.sendPacket(P2pChannels.MEMPOOL, filled(PACKET, (char) ('a' + i)), true);
    }
    honest.sendPacket(P2pChannels.MEMPOOL, filled(PACKET, 'd'), false);
    l.await("whole message", () -> l.texts(id(50), P2pChannels.MEMPOOL).size() == 1);
    assertThat(l.texts(id(50), P2pChannels.MEMPOOL).get(0))
        .isEqualTo(
            new String(filled(PACKET, 'a'), UTF_8)
                + new String(filled(PACKET, 'b'), UTF_8)
                + new String(filled(PACKET, 'c'), UTF_8)
                + new String(filled(PACKET, 'd'), UTF_8));

    try (LogCapture log = new LogCapture()) {
      RawPeer over = admitted(51, node, l);
      for (int i = 0; i < 4; i++) {
        over.sendPacket(P2pChannels.MEMPOOL, filled(PACKET, 'x'), true);
      }
      // The byte past MEMPOOL's 16 KiB ends it, whatever the rest would have been.
      over.sendPacket(P2pChannels.MEMPOOL, new byte[1], true);
      assertThat(over.closedByRemote()).isTrue();
      assertThat(log.contains("reason=oversize_message")).isTrue();
      assertThat(node.isBanned(id(51))).isTrue();
    }
    assertThat(l.texts(id(51), P2pChannels.MEMPOOL)).isEmpty();
  }

  @Test
  void packetsOfTwoMessagesMayNotInterleave() throws IOException {
    RecordingListener l = new RecordingListener();
    P2pNode node = start(1, List.of(), limits(40), l);
    try (LogCapture log = new LogCapture()) {
      RawPeer p = admitted(60, node, l);
      p.sendPacket(P2pChannels.MEMPOOL, filled(100, 'a'), true);
      p.sendPacket(P2pChannels.CONSENSUS_VOTE, filled(100, 'b'), false);
      assertThat(p.closedByRemote()).isTrue();
      assertThat(log.contains("reason=interleaved_message")).isTrue();
    }
    assertThat(l.received()).isEmpty();
  }

  @Test
  void partialMessagesOfUnlistedPeersShareOneBudgetAndTheOneThatPassesItIsDroppedNotBanned()
      throws IOException {
    RecordingListener l = new RecordingListener();
    PeerLimits limits = limits(40).withBan(Duration.ofMinutes(10), 5 * PACKET);
    P2pNode node = start(1, List.of(), limits, l);
    try (LogCapture log = new LogCapture()) {
      RawPeer first = admitted(70, node, l);
      RawPeer second = admitted(71, node, l);
      for (int i = 0; i < 3; i++) {
        first.sendPacket(P2pChannels.MEMPOOL, filled(PACKET, 'f'), true);
      }
      l.await("first's packets held", () -> node.sharedAssembly().get() == 3 * PACKET);
      // Three packets of the first and two of the second fill the budget; the third passes it.
      for (int i = 0; i < 3; i++) {
        second.sendPacket(P2pChannels.MEMPOOL, filled(PACKET, 's'), true);
      }
      assertThat(second.closedByRemote()).isTrue();
      assertThat(log.contains("reason=assembly_budget_full")).isTrue();
      assertThat(node.isBanned(id(71))).isFalse();

      first.sendPacket(P2pChannels.MEMPOOL, filled(10, 'f'), false);
      l.await("first's message", () -> l.texts(id(70), P2pChannels.MEMPOOL).size() == 1);
      assertThat(l.texts(id(70), P2pChannels.MEMPOOL).get(0)).hasSize(3 * PACKET + 10);

      // The budget is free again: the dropped peer comes back and sends its message.
      RawPeer back = admitted(71, node, l);
      for (int i = 0; i < 3; i++) {
        back.sendPacket(P2pChannels.MEMPOOL, filled(PACKET, 's'), i < 2);
      }
      l.await("second's message", () -> l.texts(id(71), P2pChannels.MEMPOOL).size() == 1);
    }
  }

  @Test
  void anUndecodableMessageReportedByTheLayerAboveDropsAndBansThePeerForTheBanDuration()
      throws IOException {
    RecordingListener l = new RecordingListener();
    PeerLimits limits =
        limits(40).withBan(Duration.ofMillis(300), PeerLimits.DEFAULT_SHARED_ASSEMBLY_BYTES);
    P2pNode node = start(1, List.of(), limits, l);
    try (LogCapture log = new LogCapture()) {
      RawPeer p = admitted(80, node, l);
      node.reportMisbehavior(p.id, Misbehavior.UNDECODABLE, "bytes are not a ReactorMessage");
      assertThat(p.closedByRemote()).isTrue();
      assertThat(
              log.contains(
                  "peer dropped peer="
                      + p.id
                      + " reason=undecodable score=100 detail=\"bytes are not a ReactorMessage\""))
          .isTrue();
      assertThat(node.isBanned(p.id)).isTrue();

      RawPeer refused = peer(80, node);
      refused.tryHandshake(CHAIN, node.nodeId());
      assertThat(refused.closedByRemote()).isTrue();

      l.await("ban over", () -> !node.isBanned(id(80)));
      admitted(80, node, l);
    }
  }

  @Test
  void unsolicitedMessagesDropAPeerOnlyOnceTheyPileUp() throws IOException {
    RecordingListener l = new RecordingListener();
    P2pNode node = start(1, List.of(), limits(40), l);
    RawPeer p = admitted(90, node, l);
    for (int i = 0; i < 9; i++) {
      node.reportMisbehavior(p.id, Misbehavior.UNSOLICITED, "late response " + i);
    }
    assertThat(node.connectedPeers()).contains(p.id);
    // Decay may have taken a point or two: a few more reports reach the drop score.
    for (int i = 0; i < 5 && node.connectedPeers().contains(p.id); i++) {
      node.reportMisbehavior(p.id, Misbehavior.UNSOLICITED, "late response");
    }
    assertThat(p.closedByRemote()).isTrue();
    assertThat(node.isBanned(p.id)).isTrue();
  }

  @Test
  void aMisbehavingPersistentPeerIsDroppedAndRedialedNotBanned() {
    RecordingListener la = new RecordingListener();
    RecordingListener lb = new RecordingListener();
    P2pNode a = start(1, List.of(), limits(40), la);
    P2pNode b = start(2, List.of(a.nodeId() + "@" + a.listenAddress()), limits(40), lb);
    lb.await("b sees a", () -> b.connectedPeers().contains(a.nodeId()));
    try (LogCapture log = new LogCapture()) {
      b.reportMisbehavior(a.nodeId(), Misbehavior.UNDECODABLE, "garbage");
      lb.await("b dropped a", () -> lb.events().contains("-" + a.nodeId()));
      assertThat(b.isBanned(a.nodeId())).isFalse();
      assertThat(log.contains("peer not banned peer=" + a.nodeId())).isTrue();
      lb.await(
          "b redials a",
          () -> lb.events().stream().filter(e -> e.equals("+" + a.nodeId())).count() == 2);
    }
  }

  @Test
  void messagesLargerThanAPacketArriveWholeAndInOrderUnderALowSendRate() {
    RecordingListener la = new RecordingListener();
    RecordingListener lb = new RecordingListener();
    PeerLimits slow =
        PeerLimits.DEFAULT.with(40, 10, PeerLimits.MIN_PACKET_PAYLOAD, 32 * 1024, 32 * 1024);
    P2pNode a = start(1, List.of(), slow, la);
    P2pNode b = start(2, List.of(a.nodeId() + "@" + a.listenAddress()), slow, lb);
    lb.await("b sees a", () -> b.connectedPeers().contains(a.nodeId()));
    List<String> big = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String text = new String(filled(3 * MAX, (char) ('k' + i)), UTF_8) + i;
      big.add(text);
      b.send(a.nodeId(), P2pChannels.CONSENSUS_DATA, text.getBytes(UTF_8));
      b.send(a.nodeId(), P2pChannels.CONSENSUS_VOTE, ("vote " + i).getBytes(UTF_8));
    }
    la.await(
        "all of b's messages", () -> la.texts(b.nodeId(), P2pChannels.CONSENSUS_DATA).size() == 3);
    assertThat(la.texts(b.nodeId(), P2pChannels.CONSENSUS_DATA)).containsExactlyElementsOf(big);
    la.await("votes", () -> la.texts(b.nodeId(), P2pChannels.CONSENSUS_VOTE).size() == 3);
    assertThat(la.texts(b.nodeId(), P2pChannels.CONSENSUS_VOTE))
        .containsExactly("vote 0", "vote 1", "vote 2");
  }
}
