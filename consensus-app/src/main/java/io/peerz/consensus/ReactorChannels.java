package io.peerz.consensus;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.consensus.proto.RoundState;
import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.PartSetHeader;
import io.peerz.p2p.P2pChannels;
import java.util.Locale;
import java.util.Map;

/**
 * Which {@link ReactorMessage} kinds travel on which p2p channel, and the largest message an honest
 * node sends on each: the channel's size cap, so that a peer can make this node hold no more than
 * an honest message's worth on any channel.
 */
public final class ReactorChannels {
  private ReactorChannels() {}

  /** Peer ids a round state lists (ConsensusReactor sends at most this many). */
  static final int ROUND_STATE_PEERS = 64;

  /**
   * Room beyond a block's txs for its header, last commit and evidence, and for the validator sets
   * of a light block.
   */
  static final int BLOCK_OVERHEAD = 4 << 20;

  /** A ReactorMessage's tag and length around its one field. */
  private static final int ENVELOPE = 1 + 5;

  /** The largest vote: every integer at its longest encoding, every hash and key full. */
  static int largestVote() {
    byte[] hash = new byte[32];
    return ReactorMessage.newBuilder()
        .setVote(
            Vote.newBuilder()
                .setType(SignedMsgType.SIGNED_MSG_TYPE_PROPOSAL)
                .setHeight(-1)
                .setRound(-1)
                .setBlockId(
                    BlockId.newBuilder()
                        .setHash(ByteString.copyFrom(hash))
                        .setPartSetHeader(
                            PartSetHeader.newBuilder()
                                .setTotal(-1)
                                .setHash(ByteString.copyFrom(hash))))
                .setTimestamp(Timestamp.newBuilder().setSeconds(-1).setNanos(-1))
                .setValidatorAddress(ByteString.copyFrom(new byte[20]))
                .setValidatorIndex(-1)
                .setSignature(ByteString.copyFrom(new byte[64])))
        .build()
        .getSerializedSize();
  }

  /** The largest round state: every integer at its longest, {@link #ROUND_STATE_PEERS} ids. */
  static int largestRoundState() {
    RoundState.Builder rs =
        RoundState.newBuilder()
            .setHeight(-1)
            .setRound(-1)
            .setStep(-1)
            .setBaseHeight(-1)
            .setHasProposal(true);
    for (int i = 0; i < ROUND_STATE_PEERS; i++) {
      rs.addPeers("0".repeat(40));
    }
    return ReactorMessage.newBuilder().setRoundState(rs).build().getSerializedSize();
  }

  /**
   * The largest tx batch the mempool gossips: it is sent once it reaches {@code batchTxs} txs or
   * {@code batchBytes} bytes, so its last tx (up to {@code maxTxBytes}) may pass the bytes, plus
   * each tx's tag and length.
   */
  static int largestTxs(int batchTxs, int batchBytes, int maxTxBytes) {
    return ENVELOPE + batchBytes + maxTxBytes + batchTxs * (1 + 5);
  }

  /**
   * Each channel's cap for the node's reactors (the mempool's gossip batches and largest tx), for
   * blocks of up to {@code maxBlockTxBytes} bytes of txs.
   */
  public static Map<Integer, Integer> maxMessageBytes(long maxBlockTxBytes) {
    return maxMessageBytes(
        maxBlockTxBytes,
        MempoolReactor.TX_GOSSIP_BATCH,
        MempoolReactor.TX_GOSSIP_BYTES,
        Mempool.MAX_TX_BYTES);
  }

  /** Each channel's cap, for blocks of up to {@code maxBlockTxBytes} bytes of txs. */
  static Map<Integer, Integer> maxMessageBytes(
      long maxBlockTxBytes, int batchTxs, int batchBytes, int maxTxBytes) {
    int block = (int) Math.min(Integer.MAX_VALUE - ENVELOPE, maxBlockTxBytes + BLOCK_OVERHEAD);
    int vote = largestVote();
    return Map.of(
        P2pChannels.CONSENSUS_STATE,
        largestRoundState(),
        P2pChannels.CONSENSUS_DATA,
        block,
        P2pChannels.CONSENSUS_VOTE,
        vote,
        P2pChannels.MEMPOOL,
        largestTxs(batchTxs, batchBytes, maxTxBytes),
        // Nothing is sent on it yet; a pair of conflicting votes is the evidence it is for.
        P2pChannels.EVIDENCE,
        2 * vote + ENVELOPE,
        P2pChannels.BLOCK_SYNC,
        block,
        // A light block is a block and two validator sets; a snapshot list is far smaller.
        P2pChannels.STATE_SYNC_SNAPSHOT,
        block,
        // A chunk holds up to its size, or one larger state pair alone.
        P2pChannels.STATE_SYNC_CHUNK,
        StateSnapshot.DEFAULT_CHUNK_BYTES * 16);
  }

  /** Whether an honest node sends {@code kind} on {@code channel}. */
  static boolean carries(int channel, ReactorMessage.MsgCase kind) {
    return switch (kind) {
      case PROPOSAL -> channel == P2pChannels.CONSENSUS_DATA;
      case VOTE -> channel == P2pChannels.CONSENSUS_VOTE;
      case ROUND_STATE -> channel == P2pChannels.CONSENSUS_STATE;
      case TXS -> channel == P2pChannels.MEMPOOL;
      case BLOCK_REQUEST, BLOCK_RESPONSE, NO_BLOCK -> channel == P2pChannels.BLOCK_SYNC;
      case SNAPSHOTS_REQUEST, SNAPSHOTS_RESPONSE, LIGHT_BLOCK_REQUEST, LIGHT_BLOCK_RESPONSE ->
          channel == P2pChannels.STATE_SYNC_SNAPSHOT;
      case CHUNK_REQUEST, CHUNK_RESPONSE -> channel == P2pChannels.STATE_SYNC_CHUNK;
      case MSG_NOT_SET -> false;
    };
  }

  /**
   * Decodes a message that came on {@code channel}; null when the bytes do not decode, carry no
   * message this node knows (empty, or a kind from a newer protocol) or a kind that channel does
   * not carry.
   */
  static ReactorMessage decode(int channel, byte[] bytes) {
    ReactorMessage m;
    try {
      m = ReactorMessage.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
    return carries(channel, m.getMsgCase()) ? m : null;
  }

  /** Why {@link #decode} refused these bytes, for the log (the rare path: it parses again). */
  static String problem(int channel, byte[] bytes) {
    String where = "channel=0x" + Integer.toHexString(channel) + " bytes=" + bytes.length;
    try {
      ReactorMessage m = ReactorMessage.parseFrom(bytes);
      return m.getMsgCase() == ReactorMessage.MsgCase.MSG_NOT_SET
          ? "no message this node knows " + where
          : m.getMsgCase().name().toLowerCase(Locale.ROOT) + " not carried on " + where;
    } catch (InvalidProtocolBufferException e) {
      return "does not decode " + where;
    }
  }
}
