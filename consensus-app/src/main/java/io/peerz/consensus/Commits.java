package io.peerz.consensus;

import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.BlockIdFlag;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.CommitSig;
import java.util.Arrays;

/**
 * Verification of a commit's precommit signatures (CometBFT's VerifyCommit and
 * VerifyCommitTrusting).
 */
final class Commits {
  private Commits() {}

  /**
   * Why {@code c} does not prove that validators with more than two thirds of {@code vals}' power
   * precommitted {@code id} at height {@code h}, or null when it does (CometBFT's VerifyCommit).
   */
  static String invalid(
      String chainId, Commit c, long h, BlockId id, ValidatorSet vals, SignatureCache signatures) {
    if (c.getHeight() != h
        || !c.getBlockId().equals(id)
        || vals == null
        || c.getSignaturesCount() != vals.size()) {
      return "commit_shape";
    }
    long power = 0;
    for (int i = 0; i < c.getSignaturesCount(); i++) {
      CommitSig s = c.getSignatures(i);
      if (s.getBlockIdFlag() != BlockIdFlag.BLOCK_ID_FLAG_COMMIT) {
        continue;
      }
      ValidatorSet.Member m = vals.get(i);
      if (!Arrays.equals(m.address, s.getValidatorAddress().toByteArray())) {
        return "commit_address";
      }
      if (!signed(chainId, c, s, m.pubKey, signatures)) {
        return "commit_signature";
      }
      power += m.power;
    }
    return vals.isQuorum(power) ? null : "commit_power";
  }

  /**
   * Whether validators of {@code trusted} (a set known independently, e.g. genesis) with more than
   * two thirds of its power signed {@code c}: a commit checked this way cannot come from a set the
   * trusted one never handed power to.
   */
  static boolean signedByTrusted(
      String chainId, Commit c, ValidatorSet trusted, SignatureCache signatures) {
    long power = 0;
    boolean[] counted = new boolean[trusted.size()];
    for (CommitSig s : c.getSignaturesList()) {
      if (s.getBlockIdFlag() != BlockIdFlag.BLOCK_ID_FLAG_COMMIT) {
        continue;
      }
      int i = trusted.indexOf(s.getValidatorAddress().toByteArray());
      if (i < 0 || counted[i]) {
        continue;
      }
      ValidatorSet.Member m = trusted.get(i);
      if (signed(chainId, c, s, m.pubKey, signatures)) {
        counted[i] = true;
        power += m.power;
      }
    }
    return trusted.isQuorum(power);
  }

  private static boolean signed(
      String chainId, Commit c, CommitSig s, byte[] pubKey, SignatureCache signatures) {
    Vote v =
        Vote.newBuilder()
            .setType(SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT)
            .setHeight(c.getHeight())
            .setRound(c.getRound())
            .setBlockId(c.getBlockId())
            .setTimestamp(s.getTimestamp())
            .build();
    return signatures.verify(pubKey, SignBytes.vote(chainId, v), s.getSignature().toByteArray());
  }
}
