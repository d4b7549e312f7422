package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.MsgActivateNode;
import io.peerz.ledger.proto.MsgActivateSubnet;
import io.peerz.ledger.proto.MsgDeactivateNode;
import io.peerz.ledger.proto.MsgReactivateNode;
import io.peerz.ledger.proto.MsgRegisterNode;
import io.peerz.ledger.proto.MsgRegisterSubnet;
import io.peerz.ledger.proto.MsgRemoveNode;
import io.peerz.ledger.proto.TxResult;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class NodeRegistryTest {
  final Ed25519KeyPair owner = TestChain.key("owner");
  final Ed25519KeyPair c1 = TestChain.key("c1");
  final Ed25519KeyPair c2 = TestChain.key("c2");
  final Ed25519KeyPair c3 = TestChain.key("c3");
  final Ed25519KeyPair stranger = TestChain.key("stranger");
  final TestChain chain = TestChain.funded("{}", 10_000, owner, c1, c2, c3, stranger);

  void subnet(UnaryOperator<MsgRegisterSubnet.Builder> edit) {
    chain.ok(owner, b -> b.setRegisterSubnet(edit.apply(Msgs.subnet("alpha", c1, c2, c3))));
  }

  void register(Ed25519KeyPair coldkey, String seed) {
    chain.ok(coldkey, b -> b.setRegisterNode(Msgs.node(1, seed)));
  }

  void rejectsRegister(
      Ed25519KeyPair coldkey, UnaryOperator<MsgRegisterNode.Builder> edit, ErrorCode error) {
    chain.rejects(coldkey, b -> b.setRegisterNode(edit.apply(Msgs.node(1, "new"))), error);
  }

  void activate(Ed25519KeyPair coldkey, long nodeId) {
    chain.ok(
        coldkey,
        b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1).setNodeId(nodeId)));
  }

  @Test
  void registerMovesStakeBurnsAndShowsTheNode() {
    subnet(m -> m);
    long before = chain.balance(c1);
    TxResult r = chain.ok(c1, b -> b.setRegisterNode(Msgs.node(1, "a")));
    assertThat(chain.balance(c1)).isEqualTo(before - 100 - 1 - 1);
    assertThat(r.getEventsList())
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("node_registered");
              assertThat(e.getAttributes(1).getKey()).isEqualTo("node_id");
              assertThat(e.getAttributes(1).getValue()).isEqualTo("1");
            });
    JsonNode n = chain.query("/node/1/1");
    assertThat(n.get("class").asText()).isEqualTo("registered");
    assertThat(n.get("stake").asText()).isEqualTo("100");
    assertThat(n.get("coldkey").asText()).isEqualTo(MsgContext.hex(TestChain.addr(c1)));
    assertThat(n.get("peer_id").asText()).isEqualTo(Msgs.peerId("peer-a"));
    assertThat(chain.query("/nodes/1").get("nodes")).hasSize(1);
    JsonNode acct = chain.query("/account/" + MsgContext.hex(TestChain.addr(c1)));
    assertThat(acct.get("staked").asText()).isEqualTo("100");
    assertThat(chain.query("/subnet/1").get("initial_coldkeys").get(0).get("registered").asText())
        .isEqualTo("1");
  }

  @Test
  void registerRejectsBadIdentitiesWithTheirOwnCodes() {
    subnet(m -> m);
    register(c1, "a");
    chain.rejects(c1, b -> b.setRegisterNode(Msgs.node(7, "x")), ErrorCode.NODE_SUBNET_NOT_FOUND);
    rejectsRegister(
        c2, m -> m.setHotkey(ByteString.copyFrom(new byte[21])), ErrorCode.INVALID_HOTKEY);
    rejectsRegister(c2, m -> m.setHotkey(Msgs.node(1, "a").getHotkey()), ErrorCode.HOTKEY_TAKEN);
    rejectsRegister(c2, m -> m.setPeerId("QmTooShort"), ErrorCode.INVALID_PEER_ID);
    rejectsRegister(
        c2, m -> m.setPeerId("Xm" + Msgs.peerId("z").substring(2)), ErrorCode.INVALID_PEER_ID);
    rejectsRegister(
        c2,
        m -> m.setClientPeerId("Qm0" + Msgs.peerId("z").substring(3)),
        ErrorCode.INVALID_PEER_ID);
    rejectsRegister(c2, m -> m.setClientPeerId(m.getPeerId()), ErrorCode.PEER_ID_TAKEN);
    // Any of a node's three ids blocks the same id in any role of another node.
    rejectsRegister(c2, m -> m.setClientPeerId(Msgs.peerId("boot-a")), ErrorCode.PEER_ID_TAKEN);
    rejectsRegister(c2, m -> m.setBootnode("b".repeat(257)), ErrorCode.BOOTNODE_TOO_LONG);
    rejectsRegister(
        c2, m -> m.setDelegateRewardRatePpm(1_000_001), ErrorCode.INVALID_DELEGATE_REWARD_RATE);
  }

  @Test
  void ed25519PeerIdsAreAccepted() {
    subnet(m -> m);
    String ed = "12D3KooW" + Msgs.peerId("e").substring(2, 46);
    chain.ok(c1, b -> b.setRegisterNode(Msgs.node(1, "a").setPeerId(ed)));
  }

  @Test
  void registeringSubnetAdmitsOnlyInitialColdkeysWithinQuota() {
    subnet(m -> m);
    rejectsRegister(stranger, m -> m, ErrorCode.COLDKEY_NOT_WHITELISTED);
    register(c1, "a");
    register(c1, "b");
    rejectsRegister(c1, m -> m, ErrorCode.COLDKEY_QUOTA_REACHED);
  }

  @Test
  void stakeBurnAndFundsAreChecked() {
    subnet(m -> m);
    rejectsRegister(c1, m -> m.setStakeToBeAdded(99), ErrorCode.STAKE_OUT_OF_BOUNDS);
    rejectsRegister(c1, m -> m.setStakeToBeAdded(1001), ErrorCode.STAKE_OUT_OF_BOUNDS);
    rejectsRegister(c1, m -> m.setMaxBurnAmount(0), ErrorCode.BURN_ABOVE_MAX);
    TestChain poor = TestChain.funded("{}", 250, owner, c1);
    poor.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2, c3)));
    poor.rejects(
        c1,
        b -> b.setRegisterNode(Msgs.node(1, "a").setStakeToBeAdded(249)),
        ErrorCode.NODE_INSUFFICIENT_FUNDS);
  }

  @Test
  void subnetFullAtMaxRegisteredNodes() {
    subnet(m -> m.setMaxRegisteredNodes(3));
    register(c1, "a");
    register(c1, "b");
    register(c2, "c");
    rejectsRegister(c2, m -> m, ErrorCode.SUBNET_FULL);
  }

  @Test
  void activationOnlyInsideStartEpochPlusGrace() {
    subnet(m -> m.setNodeQueueEpochs(1));
    register(c1, "a");
    assertThat(chain.query("/node/1/1").get("start_epoch").asText()).isEqualTo("1");
    TxResult early =
        chain.rejects(
            c1,
            b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1)),
            ErrorCode.OUTSIDE_ACTIVATION_WINDOW);
    assertThat(early.getLog()).contains("[1, 3]");
    chain.advanceToEpoch(1);
    activate(c1, 0);
    assertThat(chain.query("/node/1/1").get("class").asText()).isEqualTo("idle");
    chain.rejects(
        c1,
        b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1).setNodeId(1)),
        ErrorCode.WRONG_NODE_STATE);
  }

  @Test
  void unactivatedNodeLapsesAfterGraceAndItsStakeUnbonds() {
    subnet(m -> m);
    register(c1, "a");
    chain.advanceToEpoch(2);
    assertThat(chain.rawQuery("/node/1/1").code()).isZero();
    chain.advanceToEpoch(3);
    QueryResult gone = chain.rawQuery("/node/1/1");
    assertThat(gone.code()).isEqualTo(ErrorCode.NOT_FOUND.code);
    assertThat(chain.last.finalizeEvents())
        .anySatisfy(e -> assertThat(e.toString()).contains("activation_lapsed"));
    JsonNode acct = chain.query("/account/" + MsgContext.hex(TestChain.addr(c1)));
    assertThat(acct.get("unbonding").get(0).get("amount").asText()).isEqualTo("100");
    assertThat(acct.get("unbonding").get(0).get("release_epoch").asText()).isEqualTo("4");
    // The hotkey and peer ids are free again.
    register(c1, "a");
  }

  @Test
  void nodeIdZeroMeansTheSignersOnlyNode() {
    subnet(m -> m);
    register(c1, "a");
    chain.rejects(
        stranger,
        b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1)),
        ErrorCode.NODE_NOT_FOUND);
    chain.rejects(
        c1,
        b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1).setNodeId(99)),
        ErrorCode.NODE_NOT_FOUND);
    chain.rejects(
        c1,
        b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(5)),
        ErrorCode.NODE_SUBNET_NOT_FOUND);
    chain.rejects(
        c2,
        b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1).setNodeId(1)),
        ErrorCode.WRONG_SIGNER);
    register(c1, "b");
    TxResult r =
        chain.rejects(
            c1,
            b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1)),
            ErrorCode.AMBIGUOUS_NODE);
    assertThat(r.getLog()).contains("[1, 2]");
    activate(c1, 2);
  }

  @Test
  void churnLimitCapsActivationsPerEpoch() {
    subnet(m -> m.setChurnLimit(1));
    register(c1, "a");
    register(c2, "b");
    activate(c1, 1);
    chain.rejects(
        c2,
        b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1)),
        ErrorCode.CHURN_LIMIT_REACHED);
    chain.advanceToEpoch(1);
    activate(c2, 2);
  }

  @Test
  void deactivateReactivateAndRemoveFollowTheNodeState() {
    subnet(m -> m);
    register(c1, "a");
    chain.rejects(
        c1,
        b -> b.setDeactivateNode(MsgDeactivateNode.newBuilder().setSubnetId(1)),
        ErrorCode.WRONG_NODE_STATE);
    activate(c1, 1);
    chain.rejects(
        c1,
        b -> b.setReactivateNode(MsgReactivateNode.newBuilder().setSubnetId(1)),
        ErrorCode.WRONG_NODE_STATE);
    chain.rejects(
        c2,
        b -> b.setDeactivateNode(MsgDeactivateNode.newBuilder().setSubnetId(1).setNodeId(1)),
        ErrorCode.WRONG_SIGNER);
    chain.ok(c1, b -> b.setDeactivateNode(MsgDeactivateNode.newBuilder().setSubnetId(1)));
    assertThat(chain.query("/node/1/1").get("active").asBoolean()).isFalse();
    chain.rejects(
        c1,
        b -> b.setDeactivateNode(MsgDeactivateNode.newBuilder().setSubnetId(1)),
        ErrorCode.WRONG_NODE_STATE);
    chain.ok(c1, b -> b.setReactivateNode(MsgReactivateNode.newBuilder().setSubnetId(1)));
    assertThat(chain.query("/node/1/1").get("active").asBoolean()).isTrue();
    chain.rejects(
        c2,
        b -> b.setRemoveNode(MsgRemoveNode.newBuilder().setSubnetId(1).setNodeId(1)),
        ErrorCode.WRONG_SIGNER);
    chain.ok(c1, b -> b.setRemoveNode(MsgRemoveNode.newBuilder().setSubnetId(1)));
    assertThat(chain.rawQuery("/node/1/1").code()).isEqualTo(ErrorCode.NOT_FOUND.code);
    assertThat(chain.query("/subnet/1").get("node_count").asText()).isEqualTo("0");
    assertThat(chain.account(c1).getUnbonding(0).getAmount()).isEqualTo(100);
  }

  @Test
  void activeSubnetAcceptsAnyColdkey() {
    subnet(m -> m);
    register(c1, "a");
    register(c2, "b");
    register(c3, "c");
    activate(c1, 1);
    activate(c2, 2);
    activate(c3, 3);
    chain.ok(owner, b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(1)));
    assertThat(chain.query("/subnet/1").get("status").asText()).isEqualTo("active");
    chain.rejects(
        owner,
        b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(1)),
        ErrorCode.SUBNET_NOT_REGISTERING);
    register(stranger, "d");
    assertThat(chain.query("/node/1/4").get("coldkey").asText())
        .isEqualTo(MsgContext.hex(TestChain.addr(stranger)));
  }
}
