package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.InitialColdkey;
import io.peerz.ledger.proto.MsgActivateSubnet;
import io.peerz.ledger.proto.MsgRegisterSubnet;
import io.peerz.ledger.proto.TxResult;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SubnetRegistryTest {
  final Ed25519KeyPair owner = TestChain.key("owner");
  final Ed25519KeyPair c1 = TestChain.key("c1");
  final Ed25519KeyPair c2 = TestChain.key("c2");
  final TestChain chain = TestChain.funded("{\"epoch_length\":1000}", 100_000, owner, c1, c2);

  void rejects(UnaryOperator<MsgRegisterSubnet.Builder> edit, ErrorCode error) {
    chain.rejects(owner, b -> b.setRegisterSubnet(edit.apply(Msgs.subnet("alpha", c1, c2))), error);
  }

  @Test
  void registerBurnsTheCostAndStoresEveryParameter() {
    TxResult r = chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2)));
    assertThat(chain.balance(owner)).isEqualTo(100_000 - 1 - 100);
    assertThat(r.getEventsList())
        .anySatisfy(e -> assertThat(e.getType()).isEqualTo("subnet_registered"));
    JsonNode s = chain.query("/subnet/1");
    assertThat(s.get("id").asText()).isEqualTo("1");
    assertThat(s.get("owner").asText()).isEqualTo(MsgContext.hex(TestChain.addr(owner)));
    assertThat(s.get("status").asText()).isEqualTo("registered");
    assertThat(s.get("min_stake").asText()).isEqualTo("100");
    assertThat(s.get("key_types").get(0).asText()).isEqualTo("ed25519");
    assertThat(s.get("initial_coldkeys")).hasSize(2);
    assertThat(s.get("registration_cost").asText()).isEqualTo("100");
    assertThat(chain.query("/supply").get("burned").asText()).isEqualTo("100");
    assertThat(chain.query("/subnets").get("subnets")).hasSize(1);
  }

  @Test
  void costGrowsWithRecentRegistrationsAndDecaysOverBlocks() {
    chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2)));
    assertThat(chain.query("/epoch").get("subnet_registration_cost").asText()).isEqualTo("200");
    chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("beta", c1, c2)));
    assertThat(chain.query("/subnet/2").get("registration_cost").asText()).isEqualTo("200");
    assertThat(chain.query("/epoch").get("subnet_registration_cost").asText()).isEqualTo("300");
    chain.rejects(
        owner,
        b -> b.setRegisterSubnet(Msgs.subnet("gamma", c1, c2).setMaxCost(299)),
        ErrorCode.COST_ABOVE_MAX);
    chain.advanceTo(chain.height + 100);
    assertThat(chain.query("/epoch").get("subnet_registration_cost").asText()).isEqualTo("200");
    chain.advanceTo(chain.height + 200);
    assertThat(chain.query("/epoch").get("subnet_registration_cost").asText()).isEqualTo("100");
  }

  @Test
  void nameAndRepoAreUniqueCaseInsensitively() {
    chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2)));
    rejects(m -> m.setName("ALPHA").setRepo("other"), ErrorCode.NAME_TAKEN);
    rejects(m -> m.setName("other").setRepo("GitHub.com/peerz/Alpha"), ErrorCode.REPO_TAKEN);
  }

  @Test
  void eachInvalidParameterHasItsOwnCode() {
    rejects(m -> m.setName(" "), ErrorCode.INVALID_NAME);
    rejects(m -> m.setName("n".repeat(65)), ErrorCode.INVALID_NAME);
    rejects(m -> m.setRepo(""), ErrorCode.INVALID_REPO);
    rejects(m -> m.setDescription("d".repeat(1025)), ErrorCode.FIELD_TOO_LONG);
    rejects(m -> m.setMinStake(0), ErrorCode.INVALID_STAKE_BOUNDS);
    rejects(m -> m.setMinStake(1001), ErrorCode.INVALID_STAKE_BOUNDS);
    rejects(m -> m.setDelegateStakePercentagePpm(1_000_001), ErrorCode.INVALID_DELEGATE_PERCENTAGE);
    rejects(m -> m.setChurnLimit(0), ErrorCode.INVALID_CHURN_LIMIT);
    rejects(m -> m.setMaxRegisteredNodes(0), ErrorCode.INVALID_MAX_REGISTERED_NODES);
    rejects(m -> m.setMaxNodePenalties(0), ErrorCode.INVALID_MAX_NODE_PENALTIES);
    rejects(m -> m.clearKeyTypes(), ErrorCode.INVALID_KEY_TYPES);
    rejects(m -> m.addKeyTypesValue(99), ErrorCode.INVALID_KEY_TYPES);
    rejects(
        m ->
            m.addInitialColdkeys(
                InitialColdkey.newBuilder()
                    .setAddress(ByteString.copyFrom(new byte[3]))
                    .setMaxNodes(1)),
        ErrorCode.INVALID_INITIAL_COLDKEYS);
    rejects(
        m ->
            m.addInitialColdkeys(
                InitialColdkey.newBuilder().setAddress(TestChain.addrBytes(c1)).setMaxNodes(1)),
        ErrorCode.INVALID_INITIAL_COLDKEYS);
    // Quotas 2 + 2 but max_registered_nodes 2 < min_subnet_nodes 3: the subnet could never
    // activate.
    rejects(m -> m.setMaxRegisteredNodes(2), ErrorCode.INVALID_INITIAL_COLDKEYS);
    rejects(m -> m.setMaxCost(99), ErrorCode.COST_ABOVE_MAX);
    TestChain poor = TestChain.funded("{\"epoch_length\":1000}", 50, owner);
    poor.rejects(
        owner,
        b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2)),
        ErrorCode.INSUFFICIENT_COST_FUNDS);
  }

  @Test
  void maxSubnetsCapsRegistrations() {
    TestChain small = TestChain.funded("{\"epoch_length\":1000,\"max_subnets\":1}", 10_000, owner);
    small.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2)));
    small.rejects(
        owner, b -> b.setRegisterSubnet(Msgs.subnet("beta", c1, c2)), ErrorCode.TOO_MANY_SUBNETS);
  }

  @Test
  void activateChecksExistenceOwnerAndActiveNodes() {
    chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", c1, c2)));
    chain.rejects(
        owner,
        b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(9)),
        ErrorCode.SUBNET_NOT_FOUND);
    chain.rejects(
        c1,
        b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(1)),
        ErrorCode.NOT_OWNER);
    TxResult r =
        chain.rejects(
            owner,
            b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(1)),
            ErrorCode.NOT_ENOUGH_NODES);
    assertThat(r.getLog()).contains("0 active nodes").contains("min_subnet_nodes is 3");
  }
}
