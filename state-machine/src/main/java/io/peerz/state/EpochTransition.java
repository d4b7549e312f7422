package io.peerz.state;

import io.peerz.ledger.proto.Event;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.EpochWork;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.NodeClass;
import io.peerz.state.proto.NodeWork;
import io.peerz.state.proto.Params;
import io.peerz.state.proto.Payout;
import io.peerz.state.proto.RoundOutcome;
import io.peerz.state.proto.Score;
import io.peerz.state.proto.ScoreRound;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.SubnetStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The end of an epoch (run in the last block of the epoch): settle each active subnet's score round
 * and pay emission, lapse unactivated nodes, promote node classes, open the next rounds.
 */
final class EpochTransition {
  private final Store store;
  private final Bank bank;
  private final Params params;
  private final long epoch;
  private final List<Event> events;

  EpochTransition(Store store, Params params, long epoch, List<Event> events) {
    this.store = store;
    this.bank = new Bank(store);
    this.params = params;
    this.epoch = epoch;
    this.events = events;
  }

  void run(byte[] blockHash) {
    long paid = settleRounds();
    lifecycle();
    List<String> opened = new ArrayList<>();
    for (Subnet s : store.subnets()) {
      if (s.getStatus() != SubnetStatus.SUBNET_STATUS_ACTIVE) {
        continue;
      }
      ScoreRound r = ScoreRounds.open(store, s.getId(), epoch + 1, blockHash);
      if (r != null) {
        opened.add(s.getId() + ":" + r.getProposerNodeId());
        events.add(
            MsgContext.event(
                "score_round_opened",
                "subnet_id",
                Long.toString(s.getId()),
                "epoch",
                Long.toString(epoch + 1),
                "proposer_node_id",
                Long.toString(r.getProposerNodeId())));
      }
    }
    events.add(
        MsgContext.event(
            "epoch",
            "epoch",
            Long.toString(epoch),
            "rewards_paid",
            Long.toString(paid),
            "next_epoch",
            Long.toString(epoch + 1)));
  }

  /** Pays each active subnet's equal share of the pot; returns the total paid out. */
  private long settleRounds() {
    List<Subnet> active = new ArrayList<>();
    for (Subnet s : store.subnets()) {
      if (s.getStatus() == SubnetStatus.SUBNET_STATUS_ACTIVE) {
        active.add(s);
      }
    }
    Chain chain = store.chain();
    long pot = chain.getEmissionCarry();
    if (!active.isEmpty() && params.getEmissionPerEpoch() > 0) {
      long mint = params.getEmissionPerEpoch();
      bank.creditFeeCollector(mint);
      bank.minted(mint);
      pot = Math.addExact(pot, mint);
    }
    long paid = 0;
    long share = active.isEmpty() ? 0 : pot / active.size();
    for (Subnet s : active) {
      long computePaid = payCompute(s, share);
      paid = Math.addExact(paid, computePaid);
      long roundShare = share - computeShare(s, share);
      ScoreRound r = store.round(s.getId(), epoch);
      if (r == null || r.getOutcome() != RoundOutcome.ROUND_OUTCOME_OPEN) {
        continue;
      }
      if (r.getProposed() && ScoreRounds.quorum(r, params.getAttestationThresholdPpm())) {
        paid = Math.addExact(paid, pay(store.subnet(s.getId()), r, roundShare));
      } else {
        penalise(s, r);
      }
    }
    // Whatever was not paid (fees of this epoch, unpaid shares, remainders) is next epoch's.
    store.putChain(store.chain().toBuilder().setEmissionCarry(store.feeCollector()).build());
    return paid;
  }

  /**
   * The part of a subnet's share paid by compute points: compute_share_ppm of it when the subnet's
   * nodes have verified work this epoch, else nothing (the score round gets the whole share).
   */
  private long computeShare(Subnet s, long share) {
    EpochWork w = store.epochWork(s.getId(), epoch);
    if (w == null || w.getTotalPoints() == 0) {
      return 0;
    }
    return MsgContext.mulDiv(share, params.getComputeSharePpm(), MsgContext.PPM);
  }

  /**
   * Pays the compute part to each node's coldkey pro rata to its points (floor(part x points /
   * total), node id order); the rounding remainder stays in the fee collector for the next epoch.
   */
  private long payCompute(Subnet s, long share) {
    long part = computeShare(s, share);
    if (part == 0) {
      return 0;
    }
    EpochWork w = store.epochWork(s.getId(), epoch);
    EpochWork.Builder out = w.toBuilder();
    long paid = 0;
    for (int i = 0; i < w.getNodesCount(); i++) {
      NodeWork nw = w.getNodes(i);
      long amount = MsgContext.mulDiv(part, nw.getPoints(), w.getTotalPoints());
      if (amount == 0) {
        continue;
      }
      bank.credit(nw.getColdkey().toByteArray(), amount);
      Node n = store.node(s.getId(), nw.getNodeId());
      if (n != null) {
        store.putNode(
            n.toBuilder().setRewardsTotal(Math.addExact(n.getRewardsTotal(), amount)).build());
      }
      out.setNodes(i, nw.toBuilder().setReward(amount));
      paid = Math.addExact(paid, amount);
    }
    bank.debitFeeCollector(paid);
    store.putEpochWork(
        out.setSettled(true).setEmission(part).setPaid(paid).setRemainder(part - paid).build());
    events.add(
        MsgContext.event(
            "compute_rewards",
            "subnet_id",
            Long.toString(s.getId()),
            "epoch",
            Long.toString(epoch),
            "amount",
            Long.toString(paid),
            "points",
            Long.toString(w.getTotalPoints())));
    return paid;
  }

  private long pay(Subnet s, ScoreRound r, long share) {
    long owner = MsgContext.mulDiv(share, params.getOwnerSharePpm(), MsgContext.PPM);
    long rest = share - owner;
    long delegators =
        s.getDelegationShares() == 0
            ? 0
            : MsgContext.mulDiv(
                rest, Integer.toUnsignedLong(s.getDelegateStakePercentagePpm()), MsgContext.PPM);
    long forNodes = rest - delegators;
    long totalScore = 0;
    for (Score sc : r.getScoresList()) {
      totalScore = Math.addExact(totalScore, sc.getScore());
    }
    ScoreRound.Builder out = r.toBuilder();
    long toNodes = 0;
    for (Score sc : r.getScoresList()) {
      Node n = store.node(s.getId(), sc.getNodeId());
      if (n == null || totalScore == 0) {
        continue;
      }
      long amount = MsgContext.mulDiv(forNodes, sc.getScore(), totalScore);
      if (amount == 0) {
        continue;
      }
      bank.credit(n.getColdkey().toByteArray(), amount);
      store.putNode(
          n.toBuilder().setRewardsTotal(Math.addExact(n.getRewardsTotal(), amount)).build());
      out.addPayouts(
          Payout.newBuilder().setNodeId(n.getId()).setColdkey(n.getColdkey()).setAmount(amount));
      toNodes = Math.addExact(toNodes, amount);
    }
    bank.credit(s.getOwner().toByteArray(), owner);
    if (delegators > 0) {
      store.putSubnet(
          s.toBuilder()
              .setDelegationPool(Math.addExact(s.getDelegationPool(), delegators))
              .build());
    }
    long paid = owner + delegators + toNodes;
    bank.debitFeeCollector(paid);
    store.putRound(
        out.setOutcome(RoundOutcome.ROUND_OUTCOME_PAID)
            .setEmission(share)
            .setOwnerReward(owner)
            .setDelegatorReward(delegators)
            .setRemainder(share - paid)
            .build());
    events.add(
        MsgContext.event(
            "subnet_rewards",
            "subnet_id",
            Long.toString(s.getId()),
            "epoch",
            Long.toString(epoch),
            "amount",
            Long.toString(paid)));
    return paid;
  }

  private void penalise(Subnet s, ScoreRound r) {
    RoundOutcome outcome =
        r.getProposed()
            ? RoundOutcome.ROUND_OUTCOME_NO_QUORUM
            : RoundOutcome.ROUND_OUTCOME_NO_PROPOSAL;
    Node proposer = store.node(s.getId(), r.getProposerNodeId());
    store.putRound(
        r.toBuilder().setOutcome(outcome).setProposerPenalised(proposer != null).build());
    if (proposer == null) {
      return;
    }
    Node penalised = proposer.toBuilder().setPenalties(proposer.getPenalties() + 1).build();
    store.putNode(penalised);
    events.add(
        MsgContext.event(
            "node_penalised",
            "subnet_id",
            Long.toString(s.getId()),
            "node_id",
            Long.toString(proposer.getId()),
            "penalties",
            Integer.toString(penalised.getPenalties()),
            "reason",
            outcome == RoundOutcome.ROUND_OUTCOME_NO_QUORUM ? "no_quorum" : "no_proposal"));
    if (Integer.toUnsignedLong(penalised.getPenalties())
        >= Integer.toUnsignedLong(s.getMaxNodePenalties())) {
      remove(penalised, "penalties");
    }
  }

  /** Lapses nodes past their activation window and promotes the rest by time in class. */
  private void lifecycle() {
    for (Subnet s : store.subnets()) {
      for (Node n : store.nodes(s.getId())) {
        if (n.getClass_() == NodeClass.NODE_CLASS_REGISTERED) {
          if (epoch >= Math.addExact(n.getStartEpoch(), params.getActivationGraceEpochs())) {
            remove(n, "activation_lapsed");
          }
          continue;
        }
        if (n.getDeactivated()) {
          continue;
        }
        long inClass = epoch + 1 - n.getClassSinceEpoch();
        NodeClass next = n.getClass_();
        if (next == NodeClass.NODE_CLASS_IDLE
            && inClass >= Integer.toUnsignedLong(s.getIdleClassificationEpochs())) {
          next = NodeClass.NODE_CLASS_INCLUDED;
        } else if (next == NodeClass.NODE_CLASS_INCLUDED
            && inClass >= Integer.toUnsignedLong(s.getIncludedClassificationEpochs())) {
          next = NodeClass.NODE_CLASS_VALIDATOR;
        }
        if (next != n.getClass_()) {
          store.putNode(n.toBuilder().setClass_(next).setClassSinceEpoch(epoch + 1).build());
          events.add(
              MsgContext.event(
                  "node_promoted",
                  "subnet_id",
                  Long.toString(s.getId()),
                  "node_id",
                  Long.toString(n.getId()),
                  "class",
                  NodeRegistry.describe(n.toBuilder().setClass_(next).build())));
        }
      }
    }
  }

  private void remove(Node n, String reason) {
    NodeRegistry.removeNode(store, bank, params.getUnbondingEpochs(), epoch, n);
    events.add(
        MsgContext.event(
            "node_removed",
            "subnet_id",
            Long.toString(n.getSubnetId()),
            "node_id",
            Long.toString(n.getId()),
            "reason",
            reason));
  }
}
