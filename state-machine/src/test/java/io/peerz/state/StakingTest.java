package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.MsgAddStake;
import io.peerz.ledger.proto.MsgClaimUnbonded;
import io.peerz.ledger.proto.MsgDelegateStake;
import io.peerz.ledger.proto.MsgRemoveStake;
import io.peerz.ledger.proto.MsgUndelegateStake;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StakingTest {
  final Ed25519KeyPair owner = TestChain.key("owner");
  final Ed25519KeyPair c1 = TestChain.key("c1");
  final Ed25519KeyPair c2 = TestChain.key("c2");
  final Ed25519KeyPair d1 = TestChain.key("d1");
  final TestChain chain = TestChain.funded("{}", 2_000, owner, c1, c2, d1);

  @BeforeEach
  void subnetWithOneNode() {
    chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2)));
    chain.ok(c1, b -> b.setRegisterNode(Msgs.node(1, "a")));
  }

  @Test
  void addStakeWithinMaxStake() {
    chain.ok(c1, b -> b.setAddStake(MsgAddStake.newBuilder().setSubnetId(1).setAmount(900)));
    assertThat(chain.query("/node/1/1").get("stake").asText()).isEqualTo("1000");
    chain.rejects(
        c1,
        b -> b.setAddStake(MsgAddStake.newBuilder().setSubnetId(1).setAmount(1)),
        ErrorCode.STAKE_BOUNDS);
    chain.rejects(
        c1,
        b -> b.setAddStake(MsgAddStake.newBuilder().setSubnetId(1).setAmount(0)),
        ErrorCode.STAKE_ZERO_AMOUNT);
    chain.rejects(
        c2,
        b -> b.setAddStake(MsgAddStake.newBuilder().setSubnetId(1).setNodeId(1).setAmount(1)),
        ErrorCode.WRONG_SIGNER);
  }

  @Test
  void addStakeNeedsTheFunds() {
    TestChain poor = TestChain.funded("{}", 300, owner, c1);
    poor.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2)));
    poor.ok(c1, b -> b.setRegisterNode(Msgs.node(1, "a")));
    poor.rejects(
        c1,
        b -> b.setAddStake(MsgAddStake.newBuilder().setSubnetId(1).setAmount(500)),
        ErrorCode.STAKE_INSUFFICIENT_FUNDS);
  }

  @Test
  void removedStakeUnbondsAndIsClaimableAfterUnbondingEpochs() {
    chain.ok(c1, b -> b.setAddStake(MsgAddStake.newBuilder().setSubnetId(1).setAmount(50)));
    chain.rejects(
        c1,
        b -> b.setRemoveStake(MsgRemoveStake.newBuilder().setSubnetId(1).setAmount(51)),
        ErrorCode.STAKE_BOUNDS);
    chain.rejects(
        c1,
        b -> b.setRemoveStake(MsgRemoveStake.newBuilder().setSubnetId(1).setAmount(0)),
        ErrorCode.STAKE_ZERO_AMOUNT);
    chain.ok(c1, b -> b.setRemoveStake(MsgRemoveStake.newBuilder().setSubnetId(1).setAmount(50)));
    assertThat(chain.query("/node/1/1").get("stake").asText()).isEqualTo("100");
    chain.rejects(
        c1,
        b -> b.setClaimUnbonded(MsgClaimUnbonded.getDefaultInstance()),
        ErrorCode.NOTHING_TO_CLAIM);
    chain.advanceToEpoch(2);
    long before = chain.balance(c1);
    chain.ok(c1, b -> b.setClaimUnbonded(MsgClaimUnbonded.getDefaultInstance()));
    assertThat(chain.balance(c1)).isEqualTo(before + 50 - 1);
    assertThat(chain.account(c1).getUnbondingCount()).isZero();
  }

  @Test
  void delegationMintsSharesAndUndelegationUnbondsTheirValue() {
    chain.ok(
        d1, b -> b.setDelegateStake(MsgDelegateStake.newBuilder().setSubnetId(1).setAmount(300)));
    JsonNode d = chain.query("/delegation/1/" + MsgContext.hex(TestChain.addr(d1)));
    assertThat(d.get("shares").asText()).isEqualTo("300");
    assertThat(d.get("value").asText()).isEqualTo("300");
    chain.rejects(
        d1,
        b -> b.setUndelegateStake(MsgUndelegateStake.newBuilder().setSubnetId(1).setShares(301)),
        ErrorCode.INSUFFICIENT_SHARES);
    chain.rejects(
        d1,
        b -> b.setUndelegateStake(MsgUndelegateStake.newBuilder().setSubnetId(1).setShares(0)),
        ErrorCode.STAKE_ZERO_AMOUNT);
    chain.rejects(
        d1,
        b -> b.setDelegateStake(MsgDelegateStake.newBuilder().setSubnetId(4).setAmount(1)),
        ErrorCode.STAKE_SUBNET_NOT_FOUND);
    chain.rejects(
        d1,
        b -> b.setDelegateStake(MsgDelegateStake.newBuilder().setSubnetId(1).setAmount(5000)),
        ErrorCode.STAKE_INSUFFICIENT_FUNDS);
    chain.ok(
        d1,
        b -> b.setUndelegateStake(MsgUndelegateStake.newBuilder().setSubnetId(1).setShares(100)));
    assertThat(chain.query("/subnet/1").get("delegation_pool").asText()).isEqualTo("200");
    assertThat(chain.account(d1).getUnbonding(0).getAmount()).isEqualTo(100);
    JsonNode acct = chain.query("/account/" + MsgContext.hex(TestChain.addr(d1)));
    assertThat(acct.get("delegations").get(0).get("shares").asText()).isEqualTo("200");
    assertThat(acct.get("unbonding_total").asText()).isEqualTo("100");
  }
}
