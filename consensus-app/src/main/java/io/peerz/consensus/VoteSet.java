package io.peerz.consensus;

import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.BlockIdFlag;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.CommitSig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The prevotes or precommits of one (height, round): one vote per validator, the power behind each
 * block id, and the block id (or nil) that reached more than two thirds, if any. Votes are verified
 * before they get here.
 *
 * <p>An equivocating validator's second (and third) vote is kept and counted for its own block id,
 * like CometBFT's votes-by-block after a peer claims a +2/3 majority: otherwise honest nodes that
 * saw the two halves of an equivocation in different orders could never agree that a block has +2/3
 * in that round, and a proof-of-lock built on it would not convince them. It is safe: two blocks
 * still cannot both reach +2/3 unless validators with more than 1/3 of the power sign twice. The
 * number of conflicting votes kept per validator is bounded so that signing many cannot fill
 * memory.
 */
final class VoteSet {

  /** What adding a vote did. */
  enum Added {
    ADDED,
    DUPLICATE,
    /** A second vote of a validator, for another block id: kept and counted for that one. */
    CONFLICT,
    /** A conflicting vote beyond {@link #MAX_CONFLICTS}: dropped. */
    REFUSED
  }

  final long height;
  final int round;
  final SignedMsgType type;
  final ValidatorSet validators;

  /** Conflicting votes kept per validator beyond its first. */
  static final int MAX_CONFLICTS = 2;

  private final Vote[] votes;
  private final int[] conflicts;
  private long sum;
  private final Map<String, Long> powerByBlock = new HashMap<>();
  private final Map<String, Vote[]> byBlock = new LinkedHashMap<>();
  private BlockId maj23;
  private boolean maj23Seen;

  VoteSet(long height, int round, SignedMsgType type, ValidatorSet validators) {
    this.height = height;
    this.round = round;
    this.type = type;
    this.validators = validators;
    this.votes = new Vote[validators.size()];
    this.conflicts = new int[validators.size()];
  }

  static String key(BlockId id) {
    return SignBytes.isNil(id) ? "" : Hex.encode(id.toByteArray());
  }

  Added add(Vote vote) {
    int i = vote.getValidatorIndex();
    String k = key(vote.getBlockId());
    Vote[] forBlock = byBlock.get(k);
    if (forBlock != null && forBlock[i] != null) {
      return Added.DUPLICATE;
    }
    boolean conflict = votes[i] != null;
    if (conflict && conflicts[i] >= MAX_CONFLICTS) {
      return Added.REFUSED;
    }
    long power = validators.get(i).power;
    if (conflict) {
      conflicts[i]++;
    } else {
      votes[i] = vote;
      sum += power;
    }
    byBlock.computeIfAbsent(k, x -> new Vote[votes.length])[i] = vote;
    long blockPower = powerByBlock.merge(k, power, Long::sum);
    if (!maj23Seen && validators.isQuorum(blockPower)) {
      maj23Seen = true;
      maj23 = SignBytes.isNil(vote.getBlockId()) ? BlockId.getDefaultInstance() : vote.getBlockId();
    }
    return conflict ? Added.CONFLICT : Added.ADDED;
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

  /** Whether this exact vote is held (as a first or a conflicting vote). */
  boolean contains(Vote v) {
    int i = v.getValidatorIndex();
    Vote[] forBlock = byBlock.get(key(v.getBlockId()));
    return forBlock != null && i >= 0 && i < forBlock.length && v.equals(forBlock[i]);
  }

  /** The votes held, conflicting ones included, block by block in arrival order. */
  java.util.List<Vote> all() {
    java.util.List<Vote> list = new java.util.ArrayList<>();
    for (Vote[] forBlock : byBlock.values()) {
      for (Vote v : forBlock) {
        if (v != null) {
          list.add(v);
        }
      }
    }
    return list;
  }

  /** Validators that signed more than one vote here, with the first two (evidence). */
  java.util.List<Vote[]> equivocations() {
    java.util.List<Vote[]> list = new java.util.ArrayList<>();
    for (int i = 0; i < votes.length; i++) {
      if (conflicts[i] == 0) {
        continue;
      }
      for (Vote[] forBlock : byBlock.values()) {
        Vote other = forBlock[i];
        if (other != null && !other.equals(votes[i])) {
          list.add(new Vote[] {votes[i], other});
          break;
        }
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
    Vote[] forMaj = byBlock.get(key(maj23));
    for (int i = 0; i < votes.length; i++) {
      Vote v = votes[i];
      CommitSig.Builder s =
          CommitSig.newBuilder().setValidatorAddress(validators.get(i).addressBytes());
      if (forMaj[i] != null) {
        // An equivocator's vote for the decided block is its signature in the commit.
        s.setBlockIdFlag(BlockIdFlag.BLOCK_ID_FLAG_COMMIT)
            .setTimestamp(forMaj[i].getTimestamp())
            .setSignature(forMaj[i].getSignature());
      } else if (v == null) {
        s.setBlockIdFlag(BlockIdFlag.BLOCK_ID_FLAG_ABSENT).clearValidatorAddress();
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
