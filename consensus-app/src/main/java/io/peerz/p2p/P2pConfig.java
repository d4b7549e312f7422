package io.peerz.p2p;

import io.peerz.ledger.Ed25519KeyPair;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Settings of one {@link P2pNode}.
 *
 * @param nodeKey the node's Ed25519 key; its node id is {@link NodeId#of} the public key
 * @param chainId peers on another chain id are refused during the handshake
 * @param listenAddress {@code host:port} to listen on (port 0 picks a free one), {@code tcp://}
 *     prefix accepted
 * @param persistentPeers CometBFT's {@code id@host:port}: dialed at start and after every
 *     disconnect
 * @param maxMessageBytes the largest payload accepted per channel id; a channel not listed here is
 *     unknown, and a peer that sends on it is dropped
 * @param queueCapacity messages waiting to be written per peer and per channel; beyond it {@link
 *     P2pNode#send} drops
 * @param dialTimeout TCP connect timeout, also the time allowed for the handshake to finish
 * @param reconnectBackoffMin first delay before re-dialing a persistent peer
 * @param reconnectBackoffMax the delay doubles up to this bound
 * @param jitterSeed seeds the Random that jitters reconnect delays
 * @param limits peer counts, packet size, byte rates and bans ({@link PeerLimits#DEFAULT} when
 *     null)
 */
public record P2pConfig(
    Ed25519KeyPair nodeKey,
    String chainId,
    String listenAddress,
    List<String> persistentPeers,
    Map<Integer, Integer> maxMessageBytes,
    int queueCapacity,
    Duration dialTimeout,
    Duration reconnectBackoffMin,
    Duration reconnectBackoffMax,
    long jitterSeed,
    PeerLimits limits) {

  /** CometBFT's default P2P port. */
  public static final String DEFAULT_LISTEN = "tcp://0.0.0.0:26656";

  public P2pConfig {
    Objects.requireNonNull(nodeKey, "nodeKey");
    Objects.requireNonNull(chainId, "chainId");
    if (chainId.isEmpty()) {
      throw new IllegalArgumentException("chainId is empty");
    }
    PeerAddress.parseListen(listenAddress);
    persistentPeers = List.copyOf(persistentPeers);
    persistentPeers.forEach(PeerAddress::parsePeer);
    SortedMap<Integer, Integer> sizes = new TreeMap<>(maxMessageBytes);
    if (sizes.isEmpty()) {
      throw new IllegalArgumentException("no channels");
    }
    sizes.forEach(
        (channel, max) -> {
          if (channel < 0 || channel > 0xff || max <= 0) {
            throw new IllegalArgumentException("bad channel " + channel + " max " + max);
          }
        });
    maxMessageBytes = Collections.unmodifiableSortedMap(sizes);
    if (queueCapacity <= 0) {
      throw new IllegalArgumentException("queueCapacity must be positive");
    }
    if (dialTimeout.isNegative()
        || dialTimeout.isZero()
        || reconnectBackoffMin.isNegative()
        || reconnectBackoffMin.isZero()
        || reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
      throw new IllegalArgumentException("timeouts must be positive and min <= max");
    }
    limits = limits == null ? PeerLimits.DEFAULT : limits;
  }

  /** Settings with {@link PeerLimits#DEFAULT}. */
  public P2pConfig(
      Ed25519KeyPair nodeKey,
      String chainId,
      String listenAddress,
      List<String> persistentPeers,
      Map<Integer, Integer> maxMessageBytes,
      int queueCapacity,
      Duration dialTimeout,
      Duration reconnectBackoffMin,
      Duration reconnectBackoffMax,
      long jitterSeed) {
    this(
        nodeKey,
        chainId,
        listenAddress,
        persistentPeers,
        maxMessageBytes,
        queueCapacity,
        dialTimeout,
        reconnectBackoffMin,
        reconnectBackoffMax,
        jitterSeed,
        null);
  }

  /** These settings with other limits. */
  public P2pConfig withLimits(PeerLimits other) {
    return new P2pConfig(
        nodeKey,
        chainId,
        listenAddress,
        persistentPeers,
        maxMessageBytes,
        queueCapacity,
        dialTimeout,
        reconnectBackoffMin,
        reconnectBackoffMax,
        jitterSeed,
        other);
  }

  /**
   * Defaults for a local validator: the six CometBFT channels (1 MiB each, 4 MiB for block sync),
   * 1024 queued messages per channel, 3 s dial timeout, back-off 1 s to 60 s.
   */
  public static P2pConfig defaults(
      Ed25519KeyPair nodeKey, String chainId, String listenAddress, List<String> persistentPeers) {
    int mib = 1 << 20;
    return new P2pConfig(
        nodeKey,
        chainId,
        listenAddress,
        persistentPeers,
        Map.of(
            P2pChannels.CONSENSUS_STATE, mib,
            P2pChannels.CONSENSUS_DATA, mib,
            P2pChannels.CONSENSUS_VOTE, mib,
            P2pChannels.MEMPOOL, mib,
            P2pChannels.EVIDENCE, mib,
            P2pChannels.BLOCK_SYNC, 4 * mib),
        1024,
        Duration.ofSeconds(3),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        0L);
  }

  /** This node's id. */
  public String nodeId() {
    return NodeId.of(nodeKey.publicKey());
  }

  /**
   * Node ids exempt from the peer counts and from bans: the persistent peers and {@link
   * PeerLimits#unconditionalPeerIds}.
   */
  Set<String> privilegedPeerIds() {
    Set<String> ids = new TreeSet<>(limits.unconditionalPeerIds());
    persistentPeers.forEach(p -> ids.add(PeerAddress.parsePeer(p).id()));
    return Collections.unmodifiableSet(ids);
  }
}
