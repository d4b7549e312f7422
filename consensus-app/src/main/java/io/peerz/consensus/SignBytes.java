package io.peerz.consensus;

import com.google.protobuf.Timestamp;
import io.peerz.consensus.proto.CanonicalProposal;
import io.peerz.consensus.proto.CanonicalVote;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.proto.BlockId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The bytes validators sign: the length-delimited canonical encoding of a vote or proposal, which
 * includes the chain id so a signature is valid on one chain only (CometBFT's VoteSignBytes).
 */
final class SignBytes {
  private SignBytes() {}

  static byte[] vote(String chainId, Vote v) {
    CanonicalVote.Builder b =
        CanonicalVote.newBuilder()
            .setType(v.getType())
            .setHeight(v.getHeight())
            .setRound(v.getRound())
            .setTimestamp(v.getTimestamp())
            .setChainId(chainId);
    if (!isNil(v.getBlockId())) {
      b.setBlockId(v.getBlockId());
    }
    return delimited(b.build());
  }

  static byte[] proposal(String chainId, Proposal p) {
    return delimited(
        CanonicalProposal.newBuilder()
            .setType(p.getType())
            .setHeight(p.getHeight())
            .setRound(p.getRound())
            .setPolRound(p.getPolRound())
            .setBlockId(p.getBlockId())
            .setTimestamp(p.getTimestamp())
            .setChainId(chainId)
            .build());
  }

  static boolean isNil(BlockId id) {
    return id == null || id.getHash().isEmpty();
  }

  static Timestamp timestamp(long millis) {
    return Timestamp.newBuilder()
        .setSeconds(Math.floorDiv(millis, 1000))
        .setNanos((int) Math.floorMod(millis, 1000) * 1_000_000)
        .build();
  }

  private static byte[] delimited(com.google.protobuf.MessageLite m) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      m.writeDelimitedTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
