package io.peerz.p2p;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How much a node gives its peers, under CometBFT's {@code [p2p]} names: how many peers, how large
 * a packet, how many bytes per second each way, and who is exempt from the counts.
 *
 * @param maxNumInboundPeers peers that dialed this node, beyond which another is refused after its
 *     handshake ({@code max_num_inbound_peers}); persistent and unconditional peers do not count
 * @param maxNumOutboundPeers peers this node dialed, other than persistent and unconditional ones
 *     ({@code max_num_outbound_peers}); peerz dials only persistent peers today, so this bounds the
 *     dials a peer exchange would add
 * @param maxPacketMsgPayloadSize a message travels in packets of at most this many payload bytes
 *     ({@code max_packet_msg_payload_size}); one sealed frame per packet, so no frame from a peer
 *     is larger than this plus its framing
 * @param sendRate bytes per second written to one peer ({@code send_rate}); a burst of one second's
 *     worth goes out at once
 * @param recvRate bytes per second read from one peer ({@code recv_rate}); past it the node stops
 *     reading that socket until the rate allows
 * @param unconditionalPeerIds node ids exempt from both counts ({@code unconditional_peer_ids}),
 *     besides the persistent peers: list the validators here when they are not persistent peers
 * @param banDuration how long a peer dropped for misbehaving is refused
 * @param sharedAssemblyBytes the bytes that partial messages of peers neither persistent nor
 *     unconditional may hold together: a block or two in flight from such peers, not one per
 *     hostile connection (a peer whose packet would pass it is dropped, not banned)
 */
public record PeerLimits(
    int maxNumInboundPeers,
    int maxNumOutboundPeers,
    int maxPacketMsgPayloadSize,
    long sendRate,
    long recvRate,
    List<String> unconditionalPeerIds,
    Duration banDuration,
    long sharedAssemblyBytes) {

  /** CometBFT's {@code max_num_inbound_peers}. */
  public static final int DEFAULT_MAX_INBOUND = 40;

  /** CometBFT's {@code max_num_outbound_peers}. */
  public static final int DEFAULT_MAX_OUTBOUND = 10;

  /**
   * 64 KiB, where CometBFT's default is 1,024: peerz seals each packet as its own AES-GCM frame, so
   * 1 KiB packets would cost a 4 MiB block 4,096 seals, frames and writes per peer.
   */
  public static final int DEFAULT_MAX_PACKET_MSG_PAYLOAD_SIZE = 64 << 10;

  /** CometBFT's {@code send_rate} and {@code recv_rate}: 5,120,000 bytes per second. */
  public static final long DEFAULT_RATE = 5_120_000;

  /** The smallest packet payload accepted: below it the framing outweighs the payload. */
  static final int MIN_PACKET_PAYLOAD = 1024;

  /** {@link #sharedAssemblyBytes}: 64 MiB, eight of the largest blocks' worth of txs. */
  public static final long DEFAULT_SHARED_ASSEMBLY_BYTES = 64L << 20;

  /** CometBFT's defaults, no unconditional peers, bans of 10 minutes. */
  public static final PeerLimits DEFAULT =
      new PeerLimits(
          DEFAULT_MAX_INBOUND,
          DEFAULT_MAX_OUTBOUND,
          DEFAULT_MAX_PACKET_MSG_PAYLOAD_SIZE,
          DEFAULT_RATE,
          DEFAULT_RATE,
          List.of(),
          Duration.ofMinutes(10),
          DEFAULT_SHARED_ASSEMBLY_BYTES);

  public PeerLimits {
    if (maxNumInboundPeers < 0) {
      throw new IllegalArgumentException(
          "p2p.max_num_inbound_peers must be 0 or more, got " + maxNumInboundPeers);
    }
    if (maxNumOutboundPeers < 0) {
      throw new IllegalArgumentException(
          "p2p.max_num_outbound_peers must be 0 or more, got " + maxNumOutboundPeers);
    }
    if (maxPacketMsgPayloadSize < MIN_PACKET_PAYLOAD) {
      throw new IllegalArgumentException(
          "p2p.max_packet_msg_payload_size must be at least "
              + MIN_PACKET_PAYLOAD
              + ", got "
              + maxPacketMsgPayloadSize);
    }
    if (sendRate <= 0) {
      throw new IllegalArgumentException("p2p.send_rate must be positive, got " + sendRate);
    }
    if (recvRate <= 0) {
      throw new IllegalArgumentException("p2p.recv_rate must be positive, got " + recvRate);
    }
    unconditionalPeerIds =
        unconditionalPeerIds.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
    for (String id : unconditionalPeerIds) {
      if (!NodeId.isValid(id)) {
        throw new IllegalArgumentException(
            "p2p.unconditional_peer_ids: expected 40-hex node ids, got " + id);
      }
    }
    if (banDuration.isNegative()) {
      throw new IllegalArgumentException("banDuration must not be negative");
    }
    if (sharedAssemblyBytes <= 0) {
      throw new IllegalArgumentException("sharedAssemblyBytes must be positive");
    }
  }

  /** These limits with CometBFT's five settings replaced; unconditional peers and bans kept. */
  public PeerLimits with(
      int maxInbound, int maxOutbound, int maxPacketPayload, long send, long recv) {
    return new PeerLimits(
        maxInbound,
        maxOutbound,
        maxPacketPayload,
        send,
        recv,
        unconditionalPeerIds,
        banDuration,
        sharedAssemblyBytes);
  }

  /** These limits with other unconditional peers. */
  public PeerLimits withUnconditionalPeerIds(List<String> ids) {
    return new PeerLimits(
        maxNumInboundPeers,
        maxNumOutboundPeers,
        maxPacketMsgPayloadSize,
        sendRate,
        recvRate,
        ids,
        banDuration,
        sharedAssemblyBytes);
  }

  /** These limits with another ban duration and shared assembly budget (tests). */
  PeerLimits withBan(Duration ban, long sharedBytes) {
    return new PeerLimits(
        maxNumInboundPeers,
        maxNumOutboundPeers,
        maxPacketMsgPayloadSize,
        sendRate,
        recvRate,
        unconditionalPeerIds,
        ban,
        sharedBytes);
  }
}
