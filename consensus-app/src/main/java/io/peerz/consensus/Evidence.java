package io.peerz.consensus;

import io.peerz.consensus.proto.DuplicateVoteEvidence;
import io.peerz.consensus.proto.EvidenceBlock;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.proto.Block;
import java.util.Arrays;
import java.util.List;

/**
 * Duplicate-vote evidence: building it from two conflicting votes, checking it, and carrying it in
 * a block through {@link EvidenceBlock} (the ledger's Block keeps it as an unknown field).
 */
final class Evidence {
  private Evidence() {}

  /** The evidence in a block (none for a block without it). */
  static List<DuplicateVoteEvidence> of(Block block) {
    if (block.getUnknownFields().asMap().isEmpty()) {
      return List.of();
    }
    try {
      return EvidenceBlock.parseFrom(block.toByteArray()).getEvidenceList();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return List.of();
    }
  }

  /** The misbehavior a decided block's evidence proves, for FinalizeBlock. */
  static List<Application.Misbehavior> misbehavior(Block block) {
    List<Application.Misbehavior> list = new java.util.ArrayList<>();
    for (DuplicateVoteEvidence e : of(block)) {
      list.add(
          new Application.Misbehavior(
              e.getVoteA().getValidatorAddress().toByteArray(),
              e.getValidatorPower(),
              e.getVoteA().getHeight(),
              e.getTotalVotingPower()));
    }
    return list;
  }

  /** {@code block} carrying {@code evidence}. */
  static Block with(Block block, List<DuplicateVoteEvidence> evidence) {
    if (evidence.isEmpty()) {
      return block;
    }
    try {
      EvidenceBlock eb =
          EvidenceBlock.newBuilder()
              .setHeader(block.getHeader())
              .addAllTxs(block.getTxsList())
              .setLastCommit(block.getLastCommit())
              .addAllEvidence(evidence)
              .build();
      return Block.parseFrom(eb.toByteArray());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("re-reading an encoded block failed", e);
    }
  }

  /** The evidence of two verified conflicting votes of one validator, in canonical order. */
  static DuplicateVoteEvidence duplicate(Vote a, Vote b, ValidatorSet vals) {
    boolean swap = VoteSet.key(a.getBlockId()).compareTo(VoteSet.key(b.getBlockId())) > 0;
    return DuplicateVoteEvidence.newBuilder()
        .setVoteA(swap ? b : a)
        .setVoteB(swap ? a : b)
        .setTotalVotingPower(vals.totalPower())
        .setValidatorPower(vals.get(a.getValidatorIndex()).power)
        .build();
  }

  /** A key naming the offence (validator, height, round, type): one evidence per offence. */
  static String offence(DuplicateVoteEvidence e) {
    Vote a = e.getVoteA();
    return io.peerz.ledger.Hex.encode(a.getValidatorAddress().toByteArray())
        + "/"
        + a.getHeight()
        + "/"
        + a.getRound()
        + "/"
        + a.getType().getNumber();
  }

  /** Why {@code e} is not valid evidence against a member of {@code vals}, or null. */
  static String invalidReason(
      DuplicateVoteEvidence e, String chainId, ValidatorSet vals, SignatureCache signatures) {
    Vote a = e.getVoteA();
    Vote b = e.getVoteB();
    if (vals == null
        || a.getHeight() != b.getHeight()
        || a.getRound() != b.getRound()
        || a.getType() != b.getType()
        || a.getValidatorIndex() != b.getValidatorIndex()
        || !a.getValidatorAddress().equals(b.getValidatorAddress())) {
      return "evidence_shape";
    }
    if (VoteSet.key(a.getBlockId()).compareTo(VoteSet.key(b.getBlockId())) >= 0) {
      return "evidence_order";
    }
    int i = a.getValidatorIndex();
    if (i < 0 || i >= vals.size()) {
      return "evidence_validator";
    }
    ValidatorSet.Member m = vals.get(i);
    if (!Arrays.equals(m.address, a.getValidatorAddress().toByteArray())
        || e.getValidatorPower() != m.power
        || e.getTotalVotingPower() != vals.totalPower()) {
      return "evidence_validator";
    }
    for (Vote v : List.of(a, b)) {
      if (!signatures.verify(
          m.pubKey, SignBytes.vote(chainId, v), v.getSignature().toByteArray())) {
        return "evidence_signature";
      }
    }
    return null;
  }
}
