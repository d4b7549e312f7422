package io.peerz.state;

import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.MsgAttest;
import io.peerz.ledger.proto.MsgProposeScores;
import io.peerz.ledger.proto.NodeScore;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.NodeClass;
import io.peerz.state.proto.RoundOutcome;
import io.peerz.state.proto.Score;
import io.peerz.state.proto.ScoreRound;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.SubnetStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** A subnet's per-epoch score round: proposer choice, proposal, attestations. */
final class ScoreRounds {
  private ScoreRounds() {}

  static void propose(MsgContext c, MsgProposeScores m) {
    ScoreRound r = openRound(c, m.getSubnetId());
    Node n = NodeRegistry.resolve(c, m.getSubnetId(), m.getNodeId(), true);
    if (n.getId() != r.getProposerNodeId()) {
      throw ErrorCode.NOT_PROPOSER.reject(
          "epoch "
              + c.epoch()
              + " proposer of subnet "
              + r.getSubnetId()
              + " is node "
              + r.getProposerNodeId()
              + ", not node "
              + n.getId());
    }
    if (r.getProposed()) {
      throw ErrorCode.ALREADY_PROPOSED.reject("scores for epoch " + c.epoch() + " are in");
    }
    TreeMap<Long, Long> scores = new TreeMap<>();
    long sum = 0;
    for (NodeScore s : m.getScoresList()) {
      if (c.store().node(r.getSubnetId(), s.getNodeId()) == null) {
        throw ErrorCode.INVALID_SCORES.reject(
            "node "
                + Long.toUnsignedString(s.getNodeId())
                + " is not in subnet "
                + r.getSubnetId());
      }
      if (s.getScore() < 0) {
        throw ErrorCode.INVALID_SCORES.reject(
            "score of node " + s.getNodeId() + " exceeds " + Long.MAX_VALUE);
      }
      if (scores.put(s.getNodeId(), s.getScore()) != null) {
        throw ErrorCode.INVALID_SCORES.reject("node " + s.getNodeId() + " is scored twice");
      }
      sum = Math.addExact(sum, s.getScore());
    }
    ScoreRound.Builder b = r.toBuilder().setProposed(true);
    scores.forEach((id, score) -> b.addScores(Score.newBuilder().setNodeId(id).setScore(score)));
    c.store().putRound(b.build());
    c.emit(
        "scores_proposed",
        "subnet_id",
        Long.toString(r.getSubnetId()),
        "epoch",
        Long.toString(r.getEpoch()),
        "node_id",
        Long.toString(n.getId()),
        "total_score",
        Long.toString(sum));
  }

  static void attest(MsgContext c, MsgAttest m) {
    ScoreRound r = openRound(c, m.getSubnetId());
    Node n = NodeRegistry.resolve(c, m.getSubnetId(), m.getNodeId(), true);
    if (!r.getValidatorsList().contains(n.getId()) || n.getDeactivated()) {
      throw ErrorCode.NOT_VALIDATOR.reject(
          "node "
              + n.getId()
              + " is deactivated or was not Validator class when epoch "
              + r.getEpoch()
              + "'s round opened; validators: "
              + r.getValidatorsList());
    }
    if (!r.getProposed()) {
      throw ErrorCode.NO_PROPOSAL.reject(
          "node " + r.getProposerNodeId() + " has not proposed epoch " + r.getEpoch() + " yet");
    }
    if (n.getId() == r.getProposerNodeId() || r.getAttestationsList().contains(n.getId())) {
      throw ErrorCode.ALREADY_ATTESTED.reject(
          "node " + n.getId() + " already counts for epoch " + r.getEpoch());
    }
    c.store().putRound(r.toBuilder().addAttestations(n.getId()).build());
    c.emit(
        "scores_attested",
        "subnet_id",
        Long.toString(r.getSubnetId()),
        "epoch",
        Long.toString(r.getEpoch()),
        "node_id",
        Long.toString(n.getId()));
  }

  private static ScoreRound openRound(MsgContext c, long subnetId) {
    Subnet s = c.store().subnet(subnetId);
    if (s == null) {
      throw ErrorCode.SCORE_SUBNET_NOT_FOUND.reject(
          "subnet " + Long.toUnsignedString(subnetId) + " does not exist");
    }
    if (s.getStatus() != SubnetStatus.SUBNET_STATUS_ACTIVE) {
      throw ErrorCode.SUBNET_NOT_ACTIVE.reject("subnet " + subnetId + " is not active");
    }
    ScoreRound r = c.store().round(subnetId, c.epoch());
    if (r == null || r.getOutcome() != RoundOutcome.ROUND_OUTCOME_OPEN) {
      throw ErrorCode.NO_ROUND.reject(
          "subnet "
              + subnetId
              + " has no open score round in epoch "
              + c.epoch()
              + " (it needs Validator-class nodes at the epoch's start)");
    }
    return r;
  }

  /**
   * Opens the round of {@code epoch} for an active subnet: the proposer is the Validator-class node
   * at index SHA-256(blockHash || subnet id || epoch) mod count, in node id order. Returns null
   * when the subnet has no Validator-class node.
   */
  static ScoreRound open(Store store, long subnetId, long epoch, byte[] blockHash) {
    List<Long> validators = new ArrayList<>();
    for (Node n : store.nodes(subnetId)) {
      if (n.getClass_() == NodeClass.NODE_CLASS_VALIDATOR && !n.getDeactivated()) {
        validators.add(n.getId());
      }
    }
    if (validators.isEmpty()) {
      return null;
    }
    byte[] seed = Sha256.hash(blockHash, Keys.u64(subnetId), Keys.u64(epoch));
    long draw = ByteBuffer.wrap(seed, 0, 8).getLong();
    int index = (int) Long.remainderUnsigned(draw, validators.size());
    ScoreRound r =
        ScoreRound.newBuilder()
            .setSubnetId(subnetId)
            .setEpoch(epoch)
            .setProposerNodeId(validators.get(index))
            .addAllValidators(validators)
            .setOutcome(RoundOutcome.ROUND_OUTCOME_OPEN)
            .build();
    store.putRound(r);
    return r;
  }

  /**
   * True when attesters (the proposer included) reach the threshold: their share of the round's
   * validators, rounded to the nearest ppm, is at least the threshold, so 666667 ppm means 2/3.
   */
  static boolean quorum(ScoreRound r, long thresholdPpm) {
    long attesters = 1L + r.getAttestationsCount();
    long validators = r.getValidatorsCount();
    long sharePpm =
        Math.addExact(Math.multiplyExact(attesters, MsgContext.PPM), validators / 2) / validators;
    return sharePpm >= thresholdPpm;
  }
}
