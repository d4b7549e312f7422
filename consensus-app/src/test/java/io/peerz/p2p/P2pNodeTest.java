package io.peerz.p2p;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.p2p.proto.ChannelMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class P2pNodeTest {
  private static final String CHAIN = "peerz-test-1";
  private static final int MAX = 16 * 1024;
  private static final int[] CHANNELS = {
    P2pChannels.CONSENSUS_STATE, P2pChannels.CONSENSUS_VOTE, P2pChannels.MEMPOOL
  };

  private final List<P2pNode> nodes = new ArrayList<>();

  @AfterEach
  void closeNodes() {
    nodes.forEach(P2pNode::close);
  }

  private static Ed25519KeyPair key(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    seed[31] = 0x5a;
    return Ed25519KeyPair.fromSeed(seed);
  }

  private static P2pConfig config(
      Ed25519KeyPair key, String chain, String listen, List<String> peers, int queueCapacity) {
    return new P2pConfig(
        key,
        chain,
        listen,
        peers,
        Map.of(
            P2pChannels.CONSENSUS_STATE, MAX,
            P2pChannels.CONSENSUS_DATA, 4 * MAX,
            P2pChannels.CONSENSUS_VOTE, MAX,
            P2pChannels.MEMPOOL, MAX),
        queueCapacity,
        Duration.ofSeconds(2),
        Duration.ofMillis(50),
        Duration.ofMillis(400),
        1L);
  }

  private P2pNode start(int keyIndex, RecordingListener listener, String... peers) {
    return start(config(key(keyIndex), CHAIN, "tcp://127.0.0.1:0", List.of(peers), 256), listener);
  }

  private P2pNode start(P2pConfig config, RecordingListener listener) {
    P2pNode node = P2pNode.start(config, listener);
    nodes.add(node);
    return node;
  }

  private static String addressOf(P2pNode node) {
    return node.nodeId() + "@" + node.listenAddress();
  }

  private static byte[] text(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void twoNodesConnectAndExchangeMessagesInOrderPerChannel() {
    RecordingListener la = new RecordingListener();
    RecordingListener lb = new RecordingListener();
    P2pNode a = start(1, la);
    P2pNode b = start(2, lb, addressOf(a));
    la.await("a sees b", () -> a.connectedPeers().contains(b.nodeId()));
    lb.await("b sees a", () -> b.connectedPeers().contains(a.nodeId()));

    List<String> expected = IntStream.range(0, 200).mapToObj(i -> "m" + i).toList();
    for (String m : expected) {
      for (int channel : CHANNELS) {
        a.send(b.nodeId(), channel, text(channel + ":" + m));
        b.send(a.nodeId(), channel, text(channel + ":" + m));
      }
    }
    for (int channel : CHANNELS) {
      List<String> want = expected.stream().map(m -> channel + ":" + m).toList();
      lb.await("b gets channel " + channel, () -> lb.texts(a.nodeId(), channel).size() >= 200);
      la.await("a gets channel " + channel, () -> la.texts(b.nodeId(), channel).size() >= 200);
      assertThat(lb.texts(a.nodeId(), channel)).containsExactlyElementsOf(want);
      assertThat(la.texts(b.nodeId(), channel)).containsExactlyElementsOf(want);
    }
    assertThat(a.droppedMessages()).isZero();
    assertThat(la.events()).containsExactly("+" + b.nodeId());
  }

  @Test
  void fourNodesFormAFullMeshAndBroadcastReachesEveryPeerInOrder() {
    List<RecordingListener> listeners = new ArrayList<>();
    List<P2pNode> mesh = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      RecordingListener l = new RecordingListener();
      // Each node lists the ones started before it, so every pair is dialed by one side.
      P2pNode node =
          start(10 + i, l, mesh.stream().map(P2pNodeTest::addressOf).toArray(String[]::new));
      listeners.add(l);
      mesh.add(node);
    }
    for (int i = 0; i < 4; i++) {
      P2pNode node = mesh.get(i);
      listeners.get(i).await("full mesh at node " + i, () -> node.connectedPeers().size() == 3);
    }
    for (P2pNode node : mesh) {
      for (int k = 0; k < 50; k++) {
        node.broadcast(P2pChannels.CONSENSUS_VOTE, text(node.nodeId() + "/" + k));
      }
    }
    for (int i = 0; i < 4; i++) {
      RecordingListener l = listeners.get(i);
      for (int j = 0; j < 4; j++) {
        if (i == j) {
          continue;
        }
        String from = mesh.get(j).nodeId();
        List<String> want = IntStream.range(0, 50).mapToObj(k -> from + "/" + k).toList();
        l.await("votes from " + j, () -> l.texts(from, P2pChannels.CONSENSUS_VOTE).size() >= 50);
        assertThat(l.texts(from, P2pChannels.CONSENSUS_VOTE)).containsExactlyElementsOf(want);
      }
    }
  }

  @Test
  void nodesListingEachOtherConnectOnceAndLoseNothing() throws IOException {
    int portA = freePort();
    int portB = freePort();
    Ed25519KeyPair ka = key(20);
    Ed25519KeyPair kb = key(21);
    String idA = NodeId.of(ka.publicKey());
    String idB = NodeId.of(kb.publicKey());
    RecordingListener la = new RecordingListener();
    RecordingListener lb = new RecordingListener();
    P2pNode a =
        start(
            config(ka, CHAIN, "127.0.0.1:" + portA, List.of(idB + "@127.0.0.1:" + portB), 256), la);
    P2pNode b =
        start(
            config(kb, CHAIN, "127.0.0.1:" + portB, List.of(idA + "@127.0.0.1:" + portA), 256), lb);
    la.await("a sees b", () -> a.connectedPeers().contains(idB));
    lb.await("b sees a", () -> b.connectedPeers().contains(idA));

    for (int k = 0; k < 100; k++) {
      a.send(idB, P2pChannels.MEMPOOL, text("a" + k));
      b.send(idA, P2pChannels.MEMPOOL, text("b" + k));
    }
    lb.await("b gets all", () -> lb.texts(idA, P2pChannels.MEMPOOL).size() >= 100);
    la.await("a gets all", () -> la.texts(idB, P2pChannels.MEMPOOL).size() >= 100);
    assertThat(lb.texts(idA, P2pChannels.MEMPOOL))
        .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(k -> "a" + k).toList());
    assertThat(la.texts(idB, P2pChannels.MEMPOOL))
        .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(k -> "b" + k).toList());
    assertThat(la.events()).containsExactly("+" + idB);
    assertThat(lb.events()).containsExactly("+" + idA);
  }

  @Test
  void dialerRefusesAPeerWhoseIdDiffersFromTheExpectedOne() {
    try (LogCapture log = new LogCapture()) {
      RecordingListener la = new RecordingListener();
      RecordingListener lb = new RecordingListener();
      P2pNode a = start(1, la);
      String wrongId = NodeId.of(key(99).publicKey());
      P2pNode b = start(2, lb, wrongId + "@" + a.listenAddress());
      lb.await("b refuses a", () -> b.droppedPeers() >= 2);

      assertThat(log.contains("peer dropped peer=" + a.nodeId())).isTrue();
      assertThat(log.contains("reason=wrong_peer_id")).isTrue();
      assertThat(b.connectedPeers()).isEmpty();
      assertThat(lb.events()).isEmpty();
    }
  }

  @Test
  void peerOnAnotherChainIdIsRefusedByBothSides() {
    try (LogCapture log = new LogCapture()) {
      RecordingListener la = new RecordingListener();
      RecordingListener lb = new RecordingListener();
      P2pNode a = start(1, la);
      P2pNode b =
          start(config(key(2), "other-chain", "127.0.0.1:0", List.of(addressOf(a)), 256), lb);
      la.await("a refuses b", () -> a.droppedPeers() >= 1);
      lb.await("b refuses a", () -> b.droppedPeers() >= 1);

      assertThat(log.contains("reason=chain_id_mismatch")).isTrue();
      assertThat(a.connectedPeers()).isEmpty();
      assertThat(b.connectedPeers()).isEmpty();
      assertThat(la.events()).isEmpty();
      assertThat(lb.events()).isEmpty();
    }
  }

  @Test
  void garbageBytesGetTheConnectionDroppedWhileTheNodeKeepsServingOthers() throws IOException {
    RecordingListener la = new RecordingListener();
    RecordingListener lb = new RecordingListener();
    P2pNode a = start(1, la);
    P2pNode b = start(2, lb, addressOf(a));
    lb.await("b sees a", () -> b.connectedPeers().contains(a.nodeId()));

    try (LogCapture log = new LogCapture();
        RawPeer http = new RawPeer(key(50), a.listenAddress());
        RawPeer fake = new RawPeer(key(51), a.listenAddress());
        RawPeer empty = new RawPeer(key(52), a.listenAddress())) {
      http.writeRaw(text("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      assertThat(http.closedByRemote()).isTrue();

      // A well-formed ephemeral key, then noise where the sealed auth frame should be.
      fake.readFrame();
      fake.writeFrame(
          SessionKeys.ephemeralPublic(SessionKeys.newEphemeralPrivate(new SecureRandom())));
      fake.writeFrame(new byte[100]);
      assertThat(fake.closedByRemote()).isTrue();

      // An empty frame where the 32-byte ephemeral key belongs.
      empty.writeFrame(new byte[0]);
      assertThat(empty.closedByRemote()).isTrue();

      assertThat(log.contains("reason=frame_too_long")).isTrue();
      assertThat(log.contains("reason=bad_frame")).isTrue();
      assertThat(log.contains("reason=malformed_handshake")).isTrue();
      la.await("three drops", () -> a.droppedPeers() == 3);
    }
    a.send(b.nodeId(), P2pChannels.CONSENSUS_STATE, text("still here"));
    lb.await(
        "b still served",
        () -> lb.texts(a.nodeId(), P2pChannels.CONSENSUS_STATE).contains("still here"));
  }

  @Test
  void tamperedCiphertextFrameDropsAnAuthenticatedPeer() throws IOException {
    RecordingListener la = new RecordingListener();
    RecordingListener lb = new RecordingListener();
    P2pNode a = start(1, la);
    P2pNode b = start(2, lb, addressOf(a));
    lb.await("b sees a", () -> b.connectedPeers().contains(a.nodeId()));

    try (LogCapture log = new LogCapture();
        RawPeer raw = new RawPeer(key(60), a.listenAddress())) {
      raw.handshake(CHAIN, a.nodeId());
      la.await("a admits raw", () -> a.connectedPeers().contains(raw.id));
      raw.sendMessage(P2pChannels.MEMPOOL, text("honest"));
      la.await("honest message", () -> la.texts(raw.id, P2pChannels.MEMPOOL).contains("honest"));

      byte[] frame = raw.sealMessage(P2pChannels.MEMPOOL, text("forged"));
      frame[frame.length / 2] ^= 0x01;
      raw.writeFrame(frame);

      assertThat(raw.closedByRemote()).isTrue();
      // The listener hears of the drop after the peer table changes: wait for both.
      la.await(
          "a drops raw",
          () -> !a.connectedPeers().contains(raw.id) && la.events().contains("-" + raw.id));
      assertThat(log.contains("peer dropped peer=" + raw.id)).isTrue();
      assertThat(log.contains("reason=bad_frame")).isTrue();
      assertThat(la.texts(raw.id, P2pChannels.MEMPOOL)).containsExactly("honest");
      assertThat(la.events()).endsWith("+" + raw.id, "-" + raw.id);
    }
    a.send(b.nodeId(), P2pChannels.MEMPOOL, text("after"));
    lb.await("b still served", () -> lb.texts(a.nodeId(), P2pChannels.MEMPOOL).contains("after"));
  }

  @Test
  void nodeRefusesAConnectionFromItsOwnKey() throws IOException {
    try (LogCapture log = new LogCapture()) {
      RecordingListener la = new RecordingListener();
      P2pNode a = start(1, la);
      try (RawPeer self = new RawPeer(key(1), a.listenAddress())) {
        assertThatThrownBy(() -> self.handshake(CHAIN, a.nodeId())).isInstanceOf(IOException.class);
      }
      la.await("a drops itself", () -> a.droppedPeers() >= 1);
      assertThat(log.contains("reason=self_connection")).isTrue();
      assertThat(a.connectedPeers()).isEmpty();
      assertThat(la.events()).isEmpty();
    }
  }

  /** A key whose node id sorts above (or below) the given one. */
  private static Ed25519KeyPair keyWithIdRelativeTo(String id, boolean above) {
    for (int n = 100; ; n++) {
      Ed25519KeyPair k = key(n);
      if (NodeId.of(k.publicKey()).compareTo(id) > 0 == above) {
        return k;
      }
    }
  }

  @Test
  void lowerIdNodeKeepsTheFirstConnectionAndRefusesOneDialedTheOtherWay() throws IOException {
    try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      listener.setSoTimeout((int) RecordingListener.DEADLINE_MILLIS);
      RecordingListener la = new RecordingListener();
      String idA = NodeId.of(key(1).publicKey());
      Ed25519KeyPair kr = keyWithIdRelativeTo(idA, true);
      String idR = NodeId.of(kr.publicKey());
      P2pNode a =
          start(
              config(
                  key(1),
                  CHAIN,
                  "127.0.0.1:0",
                  List.of(idR + "@127.0.0.1:" + listener.getLocalPort()),
                  256),
              la);
      try (RawPeer dialedByA = new RawPeer(kr, listener.accept());
          RawPeer dialedByR = new RawPeer(kr, a.listenAddress())) {
        assertThat(dialedByA.handshake(CHAIN, idA, true)).as("first connection admitted").isTrue();
        assertThat(dialedByR.handshake(CHAIN, idA, true))
            .as("crossing connection admitted")
            .isFalse();
        assertThat(dialedByR.closedByRemote()).isTrue();

        a.send(idR, P2pChannels.MEMPOOL, text("on the kept one"));
        assertThat(dialedByA.readMessage().getPayload().toStringUtf8())
            .isEqualTo("on the kept one");
        assertThat(la.events()).containsExactly("+" + idR);
      }
    }
  }

  @Test
  void secondConnectionDialedTheSameWayReplacesTheFirst() throws IOException {
    RecordingListener la = new RecordingListener();
    P2pNode a = start(1, la);
    Ed25519KeyPair kr = keyWithIdRelativeTo(a.nodeId(), true);
    String idR = NodeId.of(kr.publicKey());
    try (RawPeer first = new RawPeer(kr, a.listenAddress());
        RawPeer second = new RawPeer(kr, a.listenAddress())) {
      first.handshake(CHAIN, a.nodeId());
      la.await("first admitted", () -> a.connectedPeers().contains(idR));
      // The dialer only dials again when it believes the old connection dead (it restarted).
      second.handshake(CHAIN, a.nodeId());
      assertThat(first.closedByRemote()).isTrue();
      la.await("replaced", () -> la.events().size() == 3);
      assertThat(la.events()).containsExactly("+" + idR, "-" + idR, "+" + idR);
      a.send(idR, P2pChannels.MEMPOOL, text("to the new one"));
      assertThat(second.readMessage().getPayload().toStringUtf8()).isEqualTo("to the new one");
    }
  }

  @Test
  void higherIdNodeFollowsTheLowerIdPeersAdmissionDecision() throws IOException {
    try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      listener.setSoTimeout((int) RecordingListener.DEADLINE_MILLIS);
      RecordingListener la = new RecordingListener();
      String idA = NodeId.of(key(1).publicKey());
      Ed25519KeyPair kr = keyWithIdRelativeTo(idA, false);
      String idR = NodeId.of(kr.publicKey());
      P2pNode a =
          start(
              config(
                  key(1),
                  CHAIN,
                  "127.0.0.1:0",
                  List.of(idR + "@127.0.0.1:" + listener.getLocalPort()),
                  256),
              la);
      try (RawPeer dialedByA = new RawPeer(kr, listener.accept());
          RawPeer dialedByR = new RawPeer(kr, a.listenAddress())) {
        dialedByA.handshake(CHAIN, idA, true);
        dialedByR.handshake(CHAIN, idA, false);
        assertThat(dialedByR.closedByRemote()).isTrue();
        la.await("a follows", () -> a.connectedPeers().contains(idR));

        dialedByA.sendMessage(P2pChannels.MEMPOOL, text("from the arbiter"));
        la.await("delivered", () -> !la.texts(idR, P2pChannels.MEMPOOL).isEmpty());
        assertThat(la.texts(idR, P2pChannels.MEMPOOL)).containsExactly("from the arbiter");
        assertThat(la.events()).containsExactly("+" + idR);
      }
    }
  }

  @Test
  void oversizeMessagesAreRefusedOnSendAndFromPeers() throws IOException {
    RecordingListener la = new RecordingListener();
    P2pNode a = start(1, la);
    assertThatThrownBy(() -> a.broadcast(P2pChannels.MEMPOOL, new byte[MAX + 1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> a.send("ab", P2pChannels.EVIDENCE, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown channel");

    try (LogCapture log = new LogCapture();
        RawPeer overChannel = new RawPeer(key(70), a.listenAddress());
        RawPeer overFrame = new RawPeer(key(71), a.listenAddress())) {
      overChannel.handshake(CHAIN, a.nodeId());
      // Within the frame limit (CONSENSUS_DATA allows 4x), over MEMPOOL's own limit.
      overChannel.sendMessage(P2pChannels.MEMPOOL, new byte[MAX + 1]);
      assertThat(overChannel.closedByRemote()).isTrue();
      assertThat(log.contains("reason=oversize_message")).isTrue();

      overFrame.handshake(CHAIN, a.nodeId());
      overFrame.writeRaw(ByteBuffer.allocate(4).putInt(64 * MAX).array());
      assertThat(overFrame.closedByRemote()).isTrue();
      assertThat(log.contains("reason=frame_too_long")).isTrue();
    }
    assertThat(la.received()).isEmpty();
  }

  @Test
  void restartedNodeOnTheSamePortIsReconnectedByItsPeers() {
    RecordingListener la = new RecordingListener();
    RecordingListener lb = new RecordingListener();
    RecordingListener lc = new RecordingListener();
    P2pNode a = start(1, la);
    String aAddress = addressOf(a);
    P2pNode b = start(2, lb, aAddress);
    P2pNode c = start(3, lc, aAddress, addressOf(b));
    lc.await("c meshed", () -> c.connectedPeers().size() == 2);
    lb.await("b meshed", () -> b.connectedPeers().size() == 2);

    a.close();
    lb.await("b loses a", () -> !b.connectedPeers().contains(a.nodeId()));
    lc.await("c loses a", () -> !c.connectedPeers().contains(a.nodeId()));

    RecordingListener la2 = new RecordingListener();
    // The restarted node also lists its peers, so both sides may dial at once.
    P2pNode a2 =
        start(
            config(
                key(1),
                CHAIN,
                "tcp://" + a.listenAddress(),
                List.of(addressOf(b), addressOf(c)),
                256),
            la2);
    la2.await("a2 meshed", () -> a2.connectedPeers().size() == 2);
    lb.await("b regains a", () -> b.connectedPeers().contains(a2.nodeId()));
    lc.await("c regains a", () -> c.connectedPeers().contains(a2.nodeId()));

    b.send(a2.nodeId(), P2pChannels.CONSENSUS_VOTE, text("welcome back"));
    a2.send(c.nodeId(), P2pChannels.CONSENSUS_VOTE, text("hello c"));
    la2.await(
        "a2 gets b",
        () -> la2.texts(b.nodeId(), P2pChannels.CONSENSUS_VOTE).contains("welcome back"));
    lc.await(
        "c gets a2", () -> lc.texts(a2.nodeId(), P2pChannels.CONSENSUS_VOTE).contains("hello c"));
    assertThat(lb.events())
        .containsSubsequence("+" + a.nodeId(), "-" + a.nodeId(), "+" + a.nodeId());
  }

  @Test
  void fullQueueDropsMessagesInsteadOfBlockingTheSender() throws IOException {
    RecordingListener la = new RecordingListener();
    RecordingListener lb = new RecordingListener();
    P2pNode a = start(config(key(1), CHAIN, "127.0.0.1:0", List.of(), 4), la);
    P2pNode b = start(2, lb, addressOf(a));
    lb.await("b sees a", () -> b.connectedPeers().contains(a.nodeId()));

    try (LogCapture log = new LogCapture();
        RawPeer stalled = new RawPeer(key(80), a.listenAddress())) {
      stalled.handshake(CHAIN, a.nodeId());
      la.await("a admits stalled", () -> a.connectedPeers().contains(stalled.id));
      // The stalled peer never reads: socket buffers fill, then the 4-slot queue, then drops.
      byte[] block = new byte[4 * MAX];
      for (int k = 0; k < 2000; k++) {
        a.send(stalled.id, P2pChannels.CONSENSUS_DATA, block);
      }
      assertThat(a.droppedMessages()).isPositive();
      assertThat(log.contains("p2p queue full peer=" + stalled.id)).isTrue();

      // Other peers are still served while one is stuck.
      a.send(b.nodeId(), P2pChannels.CONSENSUS_STATE, text("not stuck"));
      lb.await(
          "b served",
          () -> lb.texts(a.nodeId(), P2pChannels.CONSENSUS_STATE).contains("not stuck"));

      // What was queued before the drops arrives intact.
      ChannelMessage first = stalled.readMessage();
      assertThat(first.getChannel()).isEqualTo(P2pChannels.CONSENSUS_DATA);
      assertThat(first.getPayload().size()).isEqualTo(block.length);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
