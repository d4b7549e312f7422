package io.peerz.state;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.InitialColdkey;
import io.peerz.ledger.proto.KeyType;
import io.peerz.ledger.proto.MsgActivateSubnet;
import io.peerz.ledger.proto.MsgRegisterSubnet;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.ColdkeyQuota;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.NodeClass;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.SubnetStatus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.TreeSet;

/** register-subnet and activate-subnet. */
final class SubnetRegistry {
  private SubnetRegistry() {}

  static final int MAX_NAME_BYTES = 64;
  static final int MAX_REPO_BYTES = 256;
  static final int MAX_TEXT_BYTES = 1024;
  static final int MAX_BOOTNODES = 32;
  static final int MAX_BOOTNODE_BYTES = 256;

  static void register(MsgContext c, MsgRegisterSubnet m) {
    Store store = c.store();
    String name = m.getName();
    if (name.isBlank() || bytes(name) > MAX_NAME_BYTES) {
      throw ErrorCode.INVALID_NAME.reject(
          "name must be 1-" + MAX_NAME_BYTES + " bytes and not blank, got " + bytes(name));
    }
    String repo = m.getRepo();
    if (repo.isBlank() || bytes(repo) > MAX_REPO_BYTES) {
      throw ErrorCode.INVALID_REPO.reject(
          "repo must be 1-" + MAX_REPO_BYTES + " bytes and not blank, got " + bytes(repo));
    }
    if (bytes(m.getDescription()) > MAX_TEXT_BYTES) {
      throw ErrorCode.FIELD_TOO_LONG.reject("description is over " + MAX_TEXT_BYTES + " bytes");
    }
    if (bytes(m.getMisc()) > MAX_TEXT_BYTES) {
      throw ErrorCode.FIELD_TOO_LONG.reject("misc is over " + MAX_TEXT_BYTES + " bytes");
    }
    if (m.getBootnodesCount() > MAX_BOOTNODES) {
      throw ErrorCode.FIELD_TOO_LONG.reject("bootnodes has over " + MAX_BOOTNODES + " entries");
    }
    for (String b : m.getBootnodesList()) {
      if (bytes(b) > MAX_BOOTNODE_BYTES) {
        throw ErrorCode.FIELD_TOO_LONG.reject(
            "a bootnode is over " + MAX_BOOTNODE_BYTES + " bytes");
      }
    }
    String nameKey = name.toLowerCase(Locale.ROOT);
    String repoKey = repo.toLowerCase(Locale.ROOT);
    if (store.raw(Keys.subnetName(nameKey)) != null) {
      throw ErrorCode.NAME_TAKEN.reject("subnet name '" + name + "' is taken");
    }
    if (store.raw(Keys.subnetRepo(repoKey)) != null) {
      throw ErrorCode.REPO_TAKEN.reject("subnet repo '" + repo + "' is taken");
    }
    long minStake = m.getMinStake();
    long maxStake = m.getMaxStake();
    if (minStake <= 0 || maxStake < 0 || minStake > maxStake) {
      throw ErrorCode.INVALID_STAKE_BOUNDS.reject(
          "need 0 < min_stake <= max_stake <= "
              + Long.MAX_VALUE
              + ", got min_stake="
              + Long.toUnsignedString(minStake)
              + " max_stake="
              + Long.toUnsignedString(maxStake));
    }
    long pct = Integer.toUnsignedLong(m.getDelegateStakePercentagePpm());
    if (pct > MsgContext.PPM) {
      throw ErrorCode.INVALID_DELEGATE_PERCENTAGE.reject(
          "delegate_stake_percentage_ppm " + pct + " is above 1000000");
    }
    if (m.getChurnLimit() == 0) {
      throw ErrorCode.INVALID_CHURN_LIMIT.reject("churn_limit must be positive");
    }
    if (m.getMaxRegisteredNodes() == 0) {
      throw ErrorCode.INVALID_MAX_REGISTERED_NODES.reject("max_registered_nodes must be positive");
    }
    if (m.getMaxNodePenalties() == 0) {
      throw ErrorCode.INVALID_MAX_NODE_PENALTIES.reject("max_node_penalties must be positive");
    }
    if (m.getKeyTypesCount() == 0) {
      throw ErrorCode.INVALID_KEY_TYPES.reject("key_types must list at least one key type");
    }
    for (int v : m.getKeyTypesValueList()) {
      KeyType t = KeyType.forNumber(v);
      if (t == null || t == KeyType.KEY_TYPE_UNSPECIFIED) {
        throw ErrorCode.INVALID_KEY_TYPES.reject(
            "key type " + v + " is unknown; use RSA(1), ED25519(2), SECP256K1(3) or ECDSA(4)");
      }
    }
    TreeSet<String> seen = new TreeSet<>();
    long quotaSum = 0;
    Subnet.Builder subnet = Subnet.newBuilder();
    for (InitialColdkey k : m.getInitialColdkeysList()) {
      byte[] addr = k.getAddress().toByteArray();
      if (addr.length != 20) {
        throw ErrorCode.INVALID_INITIAL_COLDKEYS.reject(
            "initial coldkey must be 20 bytes, got " + addr.length);
      }
      if (!seen.add(MsgContext.hex(addr))) {
        throw ErrorCode.INVALID_INITIAL_COLDKEYS.reject(
            "initial coldkey " + MsgContext.hex(addr) + " is listed twice");
      }
      if (k.getMaxNodes() == 0) {
        throw ErrorCode.INVALID_INITIAL_COLDKEYS.reject(
            "initial coldkey " + MsgContext.hex(addr) + " has max_nodes 0");
      }
      quotaSum += Integer.toUnsignedLong(k.getMaxNodes());
      subnet.addInitialColdkeys(
          ColdkeyQuota.newBuilder().setAddress(k.getAddress()).setMaxNodes(k.getMaxNodes()));
    }
    long minNodes = c.params().getMinSubnetNodes();
    if (Math.min(quotaSum, Integer.toUnsignedLong(m.getMaxRegisteredNodes())) < minNodes) {
      throw ErrorCode.INVALID_INITIAL_COLDKEYS.reject(
          "initial coldkeys (and max_registered_nodes) allow "
              + Math.min(quotaSum, Integer.toUnsignedLong(m.getMaxRegisteredNodes()))
              + " nodes while the subnet registers; activation needs min_subnet_nodes="
              + minNodes);
    }
    Chain chain = store.chain();
    long nextId = Math.max(1, chain.getNextSubnetId());
    if (nextId - 1 >= c.params().getMaxSubnets()) {
      throw ErrorCode.TOO_MANY_SUBNETS.reject(
          "max_subnets=" + c.params().getMaxSubnets() + " subnets are registered");
    }
    chain = RegistrationCost.decayed(chain, c.params(), c.height());
    long cost = RegistrationCost.cost(chain, c.params());
    long maxCost = m.getMaxCost();
    if (maxCost >= 0 && cost > maxCost) {
      throw ErrorCode.COST_ABOVE_MAX.reject(
          "registration cost " + cost + " is above max_cost " + maxCost);
    }
    c.bank().debit(c.signer(), cost, ErrorCode.INSUFFICIENT_COST_FUNDS);
    c.bank().burned(cost);
    if (chain.getRecentRegistrations() == 0) {
      chain = chain.toBuilder().setLastDecayHeight(c.height()).build();
    }
    store.putChain(
        chain.toBuilder()
            .setNextSubnetId(nextId + 1)
            .setRecentRegistrations(Math.addExact(chain.getRecentRegistrations(), 1))
            .build());
    subnet
        .setId(nextId)
        .setOwner(ByteString.copyFrom(c.signer()))
        .setName(name)
        .setRepo(repo)
        .setDescription(m.getDescription())
        .setMisc(m.getMisc())
        .setChurnLimit(m.getChurnLimit())
        .setMinStake(minStake)
        .setMaxStake(maxStake)
        .setDelegateStakePercentagePpm(m.getDelegateStakePercentagePpm())
        .setNodeQueueEpochs(m.getNodeQueueEpochs())
        .setIdleClassificationEpochs(m.getIdleClassificationEpochs())
        .setIncludedClassificationEpochs(m.getIncludedClassificationEpochs())
        .setMaxNodePenalties(m.getMaxNodePenalties())
        .setMaxRegisteredNodes(m.getMaxRegisteredNodes())
        .addAllKeyTypes(m.getKeyTypesValueList())
        .addAllBootnodes(m.getBootnodesList())
        .setStatus(SubnetStatus.SUBNET_STATUS_REGISTERED)
        .setRegisteredHeight(c.height())
        .setRegistrationCost(cost)
        .setNextNodeId(1);
    store.putSubnet(subnet.build());
    store.put(Keys.subnetName(nameKey), com.google.protobuf.UInt64Value.of(nextId));
    store.put(Keys.subnetRepo(repoKey), com.google.protobuf.UInt64Value.of(nextId));
    c.emit(
        "subnet_registered",
        "subnet_id",
        Long.toString(nextId),
        "owner",
        MsgContext.hex(c.signer()),
        "name",
        name,
        "cost",
        Long.toString(cost));
  }

  static void activate(MsgContext c, MsgActivateSubnet m) {
    Store store = c.store();
    Subnet s = store.subnet(m.getSubnetId());
    if (s == null) {
      throw ErrorCode.SUBNET_NOT_FOUND.reject(
          "subnet " + Long.toUnsignedString(m.getSubnetId()) + " does not exist");
    }
    if (!Arrays.equals(s.getOwner().toByteArray(), c.signer())) {
      throw ErrorCode.NOT_OWNER.reject(
          "subnet " + s.getId() + " is owned by " + MsgContext.hex(s.getOwner().toByteArray()));
    }
    if (s.getStatus() != SubnetStatus.SUBNET_STATUS_REGISTERED) {
      throw ErrorCode.SUBNET_NOT_REGISTERING.reject("subnet " + s.getId() + " is already active");
    }
    long active = store.nodes(s.getId()).stream().filter(SubnetRegistry::isActive).count();
    if (active < c.params().getMinSubnetNodes()) {
      throw ErrorCode.NOT_ENOUGH_NODES.reject(
          "subnet "
              + s.getId()
              + " has "
              + active
              + " active nodes, min_subnet_nodes is "
              + c.params().getMinSubnetNodes());
    }
    store.putSubnet(
        s.toBuilder()
            .setStatus(SubnetStatus.SUBNET_STATUS_ACTIVE)
            .setActivatedEpoch(c.epoch())
            .build());
    c.emit("subnet_activated", "subnet_id", Long.toString(s.getId()), "epoch", "" + c.epoch());
  }

  /** A node counts as active once activated and while not deactivated. */
  static boolean isActive(Node n) {
    return n.getClass_().getNumber() >= NodeClass.NODE_CLASS_IDLE_VALUE && !n.getDeactivated();
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
