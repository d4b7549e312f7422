package io.peerz.consensus;

import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.BlockIdFlag;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.CommitSig;
import java.util.HashMap;
import java.util.Map;

/**
 * The prevotes or precommits of one (height, round): one vote per validator, the power behind each
 * block id, and the block id (or nil) that reached more than two thirds, if any. Votes are verified
 * before they get here.
 */
final class VoteSet {

  /** What adding a vote did. */
  enum Added {
    ADDED,
    DUPLICATE,
    CONFLICT
  }

  final long height;
  final int round;
  final SignedMsgType type;
  final ValidatorSet validators;
  private final Vote[] votes;
  private long sum;
  private final Map<String, Long> powerByBlock = new HashMap<>();
  private BlockId maj23;
  private boolean maj23Seen;

  VoteSet(long height, int round, SignedMsgType type, ValidatorSet validators) {
    this.height = height;
    this.round = round;
    this.type = type;
    this.validators = validators;
    this.votes = new Vote[validators.size()];
  }

  static String key(BlockId id) {
    return SignBytes.isNil(id) ? "" : Hex.encode(id.toByteArray());
  }

  Added add(Vote vote) {
    int i = vote.getValidatorIndex();
    Vote existing = votes[i];
    if (existing != null) {
      return key(existing.getBlockId()).equals(key(vote.getBlockId()))
          ? Added.DUPLICATE
          : Added.CONFLICT;
    }
    votes[i] = vote;
    long power = validators.get(i).power;
    sum += power;
    String k = key(vote.getBlockId());
    long blockPower = powerByBlock.merge(k, power, Long::sum);
    if (!maj23Seen && validators.isQuorum(blockPower)) {
      maj23Seen = true;
      maj23 = SignBytes.isNil(vote.getBlockId()) ? BlockId.getDefaultInstance() : vote.getBlockId();
    }
    return Added.ADDED;
  }

  /** Whether more than two thirds of the power voted, for anything. */
  boolean hasTwoThirdsAny() {
    return validators.isQuorum(sum);
  }

  /** The block id more than two thirds voted for (an empty hash = nil), or null. */
  BlockId twoThirdsMajority() {
    return maj23Seen ? maj23 : null;
  }

  boolean hasAll() {
    return sum == validators.totalPower();
  }

  Vote get(int index) {
    return votes[index];
  }

  /** The votes held, in validator order. */
  java.util.List<Vote> all() {
    java.util.List<Vote> list = new java.util.ArrayList<>();
    for (Vote v : votes) {
      if (v != null) {
        list.add(v);
      }
    }
    return list;
  }

  /**
   * The commit of the block id with +2/3 precommits: a signature per validator in set order, COMMIT
   * for a precommit for the block, NIL for one for nil, ABSENT otherwise (CometBFT's MakeCommit).
   */
  Commit makeCommit() {
    if (type != SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT
        || maj23 == null
        || SignBytes.isNil(maj23)) {
      throw new IllegalStateException("no +2/3 precommits for a block");
    }
    Commit.Builder c = Commit.newBuilder().setHeight(height).setRound(round).setBlockId(maj23);
    String k = key(maj23);
    for (int i = 0; i < votes.length; i++) {
      Vote v = votes[i];
      CommitSig.Builder s =
          CommitSig.newBuilder().setValidatorAddress(validators.get(i).addressBytes());
      if (v == null) {
        s.setBlockIdFlag(BlockIdFlag.BLOCK_ID_FLAG_ABSENT).clearValidatorAddress();
      } else if (key(v.getBlockId()).equals(k)) {
        s.setBlockIdFlag(BlockIdFlag.BLOCK_ID_FLAG_COMMIT)
            .setTimestamp(v.getTimestamp())
            .setSignature(v.getSignature());
      } else if (SignBytes.isNil(v.getBlockId())) {
        s.setBlockIdFlag(BlockIdFlag.BLOCK_ID_FLAG_NIL)
            .setTimestamp(v.getTimestamp())
            .setSignature(v.getSignature());
      } else {
        s.setBlockIdFlag(BlockIdFlag.BLOCK_ID_FLAG_ABSENT).clearValidatorAddress();
      }
      c.addSignatures(s);
    }
    return c.build();
  }
}
