package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.MsgActivateNode;
import io.peerz.ledger.proto.MsgActivateSubnet;
import io.peerz.ledger.proto.MsgAttest;
import io.peerz.ledger.proto.MsgDelegateStake;
import io.peerz.ledger.proto.MsgProposeScores;
import io.peerz.ledger.proto.NodeScore;
import java.util.List;
import org.junit.jupiter.api.Test;

class EpochFlowTest {
  final Ed25519KeyPair owner = TestChain.key("owner");
  final Ed25519KeyPair d1 = TestChain.key("d1");
  final Ed25519KeyPair[] cold = {TestChain.key("c1"), TestChain.key("c2"), TestChain.key("c3")};
  final Ed25519KeyPair[] hot = {
    TestChain.key("hot-n1"), TestChain.key("hot-n2"), TestChain.key("hot-n3")
  };
  final Ed25519KeyPair late = TestChain.key("late");
  final TestChain chain =
      TestChain.funded(
          "{\"epoch_length\":20}",
          10_000,
          owner,
          d1,
          cold[0],
          cold[1],
          cold[2],
          hot[0],
          hot[1],
          hot[2],
          late);

  /** Subnet 1 with three active nodes (ids 1..3), activated; d1 delegates 1000. */
  void activeSubnet() {
    chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", cold)));
    chain.block(
        chain.tx(cold[0], b -> b.setRegisterNode(Msgs.node(1, "n1"))),
        chain.tx(cold[1], b -> b.setRegisterNode(Msgs.node(1, "n2"))),
        chain.tx(cold[2], b -> b.setRegisterNode(Msgs.node(1, "n3"))));
    chain.block(
        chain.tx(cold[0], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))),
        chain.tx(cold[1], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))),
        chain.tx(cold[2], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))));
    chain.ok(owner, b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(1)));
    chain.ok(
        d1, b -> b.setDelegateStake(MsgDelegateStake.newBuilder().setSubnetId(1).setAmount(1000)));
  }

  MsgProposeScores.Builder scores(long node) {
    return MsgProposeScores.newBuilder()
        .setSubnetId(1)
        .setNodeId(node)
        .addScores(NodeScore.newBuilder().setNodeId(1).setScore(50))
        .addScores(NodeScore.newBuilder().setNodeId(2).setScore(30))
        .addScores(NodeScore.newBuilder().setNodeId(3).setScore(20));
  }

  static String attr(List<Event> events, String type, String key) {
    for (Event e : events) {
      if (e.getType().equals(type)) {
        for (var a : e.getAttributesList()) {
          if (a.getKey().equals(key)) {
            return a.getValue();
          }
        }
      }
    }
    return null;
  }

  @Test
  void nodesClimbToValidatorProposeAttestAndGetPaid() {
    activeSubnet();
    assertThat(chain.query("/node/1/1").get("class").asText()).isEqualTo("idle");
    chain.advanceToEpoch(1);
    assertThat(chain.query("/node/1/1").get("class").asText()).isEqualTo("included");
    // No Validator-class nodes in epoch 1: no round to propose in.
    chain.rejects(cold[0], b -> b.setProposeScores(scores(0)), ErrorCode.NO_ROUND);
    chain.advanceToEpoch(2);
    assertThat(chain.query("/nodes/1").get("nodes"))
        .allSatisfy(n -> assertThat(n.get("class").asText()).isEqualTo("validator"));
    JsonNode round = chain.query("/scores/1/2");
    assertThat(round.get("outcome").asText()).isEqualTo("open");
    int p = Integer.parseInt(round.get("proposer_node_id").asText()) - 1;
    int q = (p + 1) % 3;
    int r = (p + 2) % 3;
    assertThat(attr(chain.last.finalizeEvents(), "score_round_opened", "proposer_node_id"))
        .isEqualTo(Integer.toString(p + 1));

    chain.rejects(cold[q], b -> b.setProposeScores(scores(0)), ErrorCode.NOT_PROPOSER);
    chain.rejects(
        hot[q], b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(1)), ErrorCode.NO_PROPOSAL);
    chain.rejects(
        cold[p],
        b -> b.setProposeScores(scores(0).addScores(NodeScore.newBuilder().setNodeId(9))),
        ErrorCode.INVALID_SCORES);
    chain.rejects(
        cold[p],
        b -> b.setProposeScores(scores(0).addScores(NodeScore.newBuilder().setNodeId(1))),
        ErrorCode.INVALID_SCORES);
    chain.rejects(
        cold[p],
        b -> b.setProposeScores(scores(0).setSubnetId(7)),
        ErrorCode.SCORE_SUBNET_NOT_FOUND);
    // The proposer's hotkey may propose for it.
    chain.ok(hot[p], b -> b.setProposeScores(scores(0)));
    chain.rejects(cold[p], b -> b.setProposeScores(scores(0)), ErrorCode.ALREADY_PROPOSED);
    chain.rejects(
        hot[p],
        b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(1)),
        ErrorCode.ALREADY_ATTESTED);
    chain.ok(hot[q], b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(1)));
    chain.rejects(
        hot[q],
        b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(1)),
        ErrorCode.ALREADY_ATTESTED);
    chain.ok(cold[r], b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(1).setNodeId(r + 1)));

    long ownerBefore = chain.balance(owner);
    long[] before = {chain.balance(cold[0]), chain.balance(cold[1]), chain.balance(cold[2])};
    chain.advanceToEpoch(3);
    JsonNode paid = chain.query("/scores/1/2");
    assertThat(paid.get("outcome").asText()).isEqualTo("paid");
    assertThat(paid.get("attestations")).hasSize(2);
    assertThat(paid.get("proposal")).hasSize(3);
    long emission = paid.get("emission").asLong();
    long ownerReward = paid.get("owner_reward").asLong();
    long delegatorReward = paid.get("delegator_reward").asLong();
    assertThat(emission).isGreaterThanOrEqualTo(1000);
    assertThat(ownerReward).isEqualTo(emission / 10);
    assertThat(delegatorReward).isEqualTo((emission - ownerReward) / 10);
    long forNodes = emission - ownerReward - delegatorReward;
    long sum = 0;
    long[] expected = {forNodes * 50 / 100, forNodes * 30 / 100, forNodes * 20 / 100};
    for (JsonNode payout : paid.get("payouts")) {
      int i = payout.get("node_id").asInt() - 1;
      assertThat(payout.get("amount").asLong()).isEqualTo(expected[i]);
      assertThat(chain.balance(cold[i])).isEqualTo(before[i] + expected[i]);
      sum += expected[i];
    }
    assertThat(paid.get("remainder").asLong()).isEqualTo(forNodes - sum);
    assertThat(chain.balance(owner)).isEqualTo(ownerBefore + ownerReward);
    assertThat(chain.query("/subnet/1").get("delegation_pool").asLong())
        .isEqualTo(1000 + delegatorReward);
    JsonNode delegation = chain.query("/delegation/1/" + MsgContext.hex(TestChain.addr(d1)));
    assertThat(delegation.get("value").asLong()).isEqualTo(1000 + delegatorReward);
    assertThat(attr(chain.last.finalizeEvents(), "epoch", "rewards_paid"))
        .isEqualTo(Long.toString(ownerReward + delegatorReward + sum));
    assertThat(chain.query("/node/1/1").get("rewards_total").asLong()).isEqualTo(expected[0]);
    // A 1-unit delegation now buys less than one share.
    chain.rejects(
        d1,
        b -> b.setDelegateStake(MsgDelegateStake.newBuilder().setSubnetId(1).setAmount(1)),
        ErrorCode.AMOUNT_TOO_SMALL);

    // Epoch 3: nobody proposes, so the chosen proposer is penalised and nobody is paid.
    JsonNode open3 = chain.query("/scores/1/3");
    String proposer3 = open3.get("proposer_node_id").asText();
    long ownerBefore3 = chain.balance(owner);
    chain.advanceToEpoch(4);
    JsonNode missed = chain.query("/scores/1/3");
    assertThat(missed.get("outcome").asText()).isEqualTo("no_proposal");
    assertThat(missed.get("proposer_penalised").asBoolean()).isTrue();
    assertThat(missed.get("payouts")).isEmpty();
    assertThat(chain.balance(owner)).isEqualTo(ownerBefore3);
    assertThat(chain.query("/node/1/" + proposer3).get("penalties").asText()).isEqualTo("1");
  }

  @Test
  void proposalWithoutEnoughAttestationsPaysNobody() {
    activeSubnet();
    chain.advanceToEpoch(2);
    int p = chain.query("/scores/1/2").get("proposer_node_id").asInt() - 1;
    chain.ok(cold[p], b -> b.setProposeScores(scores(0)));
    long ownerBefore = chain.balance(owner);
    chain.advanceToEpoch(3);
    JsonNode round = chain.query("/scores/1/2");
    assertThat(round.get("outcome").asText()).isEqualTo("no_quorum");
    assertThat(chain.balance(owner)).isEqualTo(ownerBefore);
    assertThat(attr(chain.last.finalizeEvents(), "epoch", "rewards_paid")).isEqualTo("0");
    assertThat(chain.query("/node/1/" + (p + 1)).get("penalties").asText()).isEqualTo("1");
  }

  @Test
  void nodeBelowValidatorClassCannotAttestAndInactiveSubnetHasNoRounds() {
    activeSubnet();
    chain.ok(late, b -> b.setRegisterNode(Msgs.node(1, "n4")));
    chain.advanceToEpoch(1);
    chain.ok(late, b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1)));
    chain.advanceToEpoch(2);
    int p = chain.query("/scores/1/2").get("proposer_node_id").asInt() - 1;
    chain.ok(cold[p], b -> b.setProposeScores(scores(0)));
    chain.rejects(
        late, b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(1)), ErrorCode.NOT_VALIDATOR);
    int q = (p + 1) % 3;
    chain.ok(
        cold[q],
        b ->
            b.setDeactivateNode(
                io.peerz.ledger.proto.MsgDeactivateNode.newBuilder().setSubnetId(1)));
    chain.rejects(
        hot[q], b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(1)), ErrorCode.NOT_VALIDATOR);
    chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("beta", cold)));
    chain.rejects(
        cold[0],
        b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(2)),
        ErrorCode.SUBNET_NOT_ACTIVE);
  }

  @Test
  void proposerIsRemovedAtMaxNodePenalties() {
    Ed25519KeyPair c = cold[0];
    TestChain solo = TestChain.funded("{\"min_subnet_nodes\":1}", 10_000, owner, c);
    solo.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c).setMaxNodePenalties(2)));
    solo.ok(c, b -> b.setRegisterNode(Msgs.node(1, "n1")));
    solo.ok(c, b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1)));
    solo.ok(owner, b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(1)));
    solo.advanceToEpoch(3);
    assertThat(solo.query("/node/1/1").get("penalties").asText()).isEqualTo("1");
    solo.advanceToEpoch(4);
    assertThat(solo.rawQuery("/node/1/1").code()).isEqualTo(ErrorCode.NOT_FOUND.code);
    assertThat(solo.account(c).getUnbonding(0).getAmount()).isEqualTo(100);
  }
}
