package io.peerz.state;

import com.google.protobuf.ByteString;
import io.peerz.ledger.PeerId;
import io.peerz.ledger.proto.MsgRegisterNode;
import io.peerz.state.proto.ColdkeyQuota;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.NodeClass;
import io.peerz.state.proto.NodeRef;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.SubnetStatus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** register-node, activate/deactivate/reactivate/remove-node and node lookup by signer. */
final class NodeRegistry {
  private NodeRegistry() {}

  static void register(MsgContext c, MsgRegisterNode m) {
    Store store = c.store();
    Subnet s = store.subnet(m.getSubnetId());
    if (s == null) {
      throw ErrorCode.NODE_SUBNET_NOT_FOUND.reject(
          "subnet " + Long.toUnsignedString(m.getSubnetId()) + " does not exist");
    }
    byte[] hotkey = m.getHotkey().toByteArray();
    if (hotkey.length != 20) {
      throw ErrorCode.INVALID_HOTKEY.reject("hotkey must be 20 bytes, got " + hotkey.length);
    }
    if (store.nodeByHotkey(hotkey) != null) {
      throw ErrorCode.HOTKEY_TAKEN.reject(
          "hotkey " + MsgContext.hex(hotkey) + " is used by another node");
    }
    String[][] peers = {
      {"peer_id", m.getPeerId()},
      {"bootnode_peer_id", m.getBootnodePeerId()},
      {"client_peer_id", m.getClientPeerId()}
    };
    for (String[] p : peers) {
      if (!PeerId.valid(p[1])) {
        throw ErrorCode.INVALID_PEER_ID.reject(
            p[0] + " '" + p[1] + "' is not a libp2p peer id (Qm... or 12D3KooW..., base58btc)");
      }
    }
    for (int i = 0; i < peers.length; i++) {
      for (int j = 0; j < i; j++) {
        if (peers[i][1].equals(peers[j][1])) {
          throw ErrorCode.PEER_ID_TAKEN.reject(peers[i][0] + " repeats " + peers[j][0]);
        }
      }
      if (store.raw(Keys.peer(s.getId(), peers[i][1])) != null) {
        throw ErrorCode.PEER_ID_TAKEN.reject(
            peers[i][0] + " " + peers[i][1] + " is used in subnet " + s.getId());
      }
    }
    if (m.getBootnode().getBytes(StandardCharsets.UTF_8).length
        > SubnetRegistry.MAX_BOOTNODE_BYTES) {
      throw ErrorCode.BOOTNODE_TOO_LONG.reject(
          "bootnode is over " + SubnetRegistry.MAX_BOOTNODE_BYTES + " bytes");
    }
    if (Integer.toUnsignedLong(m.getDelegateRewardRatePpm()) > MsgContext.PPM) {
      throw ErrorCode.INVALID_DELEGATE_REWARD_RATE.reject(
          "delegate_reward_rate_ppm "
              + Integer.toUnsignedString(m.getDelegateRewardRatePpm())
              + " is above 1000000");
    }
    Subnet.Builder updated = s.toBuilder();
    if (s.getStatus() == SubnetStatus.SUBNET_STATUS_REGISTERED) {
      int idx = quotaIndex(s, c.signer());
      if (idx < 0) {
        throw ErrorCode.COLDKEY_NOT_WHITELISTED.reject(
            "subnet "
                + s.getId()
                + " is registering; "
                + MsgContext.hex(c.signer())
                + " is not one of its initial coldkeys");
      }
      ColdkeyQuota q = s.getInitialColdkeys(idx);
      if (q.getRegistered() >= q.getMaxNodes()) {
        throw ErrorCode.COLDKEY_QUOTA_REACHED.reject(
            "coldkey registered " + q.getRegistered() + " of its max_nodes " + q.getMaxNodes());
      }
      updated.setInitialColdkeys(idx, q.toBuilder().setRegistered(q.getRegistered() + 1));
    }
    if (s.getNodeCount() >= Integer.toUnsignedLong(s.getMaxRegisteredNodes())) {
      throw ErrorCode.SUBNET_FULL.reject(
          "subnet " + s.getId() + " has max_registered_nodes=" + s.getMaxRegisteredNodes());
    }
    long stake = m.getStakeToBeAdded();
    if (stake < s.getMinStake() || stake > s.getMaxStake()) {
      throw ErrorCode.STAKE_OUT_OF_BOUNDS.reject(
          "stake_to_be_added "
              + Long.toUnsignedString(stake)
              + " is outside ["
              + s.getMinStake()
              + ", "
              + s.getMaxStake()
              + "]");
    }
    long burn = c.params().getNodeRegistrationBurn();
    if (Long.compareUnsigned(burn, m.getMaxBurnAmount()) > 0) {
      throw ErrorCode.BURN_ABOVE_MAX.reject(
          "node registration burn "
              + burn
              + " is above max_burn_amount "
              + Long.toUnsignedString(m.getMaxBurnAmount()));
    }
    c.bank().debit(c.signer(), Math.addExact(stake, burn), ErrorCode.NODE_INSUFFICIENT_FUNDS);
    c.bank().burned(burn);
    long nodeId = s.getNextNodeId();
    long startEpoch = Math.addExact(c.epoch(), Integer.toUnsignedLong(s.getNodeQueueEpochs()));
    Node node =
        Node.newBuilder()
            .setSubnetId(s.getId())
            .setId(nodeId)
            .setColdkey(ByteString.copyFrom(c.signer()))
            .setHotkey(m.getHotkey())
            .setPeerId(m.getPeerId())
            .setBootnodePeerId(m.getBootnodePeerId())
            .setClientPeerId(m.getClientPeerId())
            .setBootnode(m.getBootnode())
            .setDelegateRewardRatePpm(m.getDelegateRewardRatePpm())
            .setStake(stake)
            .setClass_(NodeClass.NODE_CLASS_REGISTERED)
            .setClassSinceEpoch(c.epoch())
            .setRegisteredEpoch(c.epoch())
            .setStartEpoch(startEpoch)
            .build();
    store.putNode(node);
    store.put(
        Keys.hotkey(hotkey), NodeRef.newBuilder().setSubnetId(s.getId()).setNodeId(nodeId).build());
    for (String[] p : peers) {
      store.put(Keys.peer(s.getId(), p[1]), com.google.protobuf.UInt64Value.of(nodeId));
    }
    store.put(
        Keys.cold(c.signer(), s.getId(), nodeId), com.google.protobuf.Empty.getDefaultInstance());
    store.putSubnet(updated.setNextNodeId(nodeId + 1).setNodeCount(s.getNodeCount() + 1).build());
    c.emit(
        "node_registered",
        "subnet_id",
        Long.toString(s.getId()),
        "node_id",
        Long.toString(nodeId),
        "coldkey",
        MsgContext.hex(c.signer()),
        "hotkey",
        MsgContext.hex(hotkey),
        "start_epoch",
        Long.toString(startEpoch));
  }

  static void activate(MsgContext c, long subnetId, long nodeId) {
    Node n = resolve(c, subnetId, nodeId, false);
    if (n.getClass_() != NodeClass.NODE_CLASS_REGISTERED) {
      throw ErrorCode.WRONG_NODE_STATE.reject("node " + n.getId() + " is already activated");
    }
    long last = Math.addExact(n.getStartEpoch(), c.params().getActivationGraceEpochs());
    if (c.epoch() < n.getStartEpoch() || c.epoch() > last) {
      throw ErrorCode.OUTSIDE_ACTIVATION_WINDOW.reject(
          "epoch "
              + c.epoch()
              + " is outside node "
              + n.getId()
              + "'s activation window ["
              + n.getStartEpoch()
              + ", "
              + last
              + "]");
    }
    Subnet s = c.store().subnet(subnetId);
    long used = s.getChurnEpoch() == c.epoch() ? s.getChurnCount() : 0;
    if (used >= Integer.toUnsignedLong(s.getChurnLimit())) {
      throw ErrorCode.CHURN_LIMIT_REACHED.reject(
          "subnet "
              + s.getId()
              + " activated churn_limit="
              + s.getChurnLimit()
              + " nodes in epoch "
              + c.epoch());
    }
    c.store()
        .putSubnet(s.toBuilder().setChurnEpoch(c.epoch()).setChurnCount((int) used + 1).build());
    c.store()
        .putNode(
            n.toBuilder()
                .setClass_(NodeClass.NODE_CLASS_IDLE)
                .setClassSinceEpoch(c.epoch())
                .build());
    emitNode(c, "node_activated", n);
  }

  static void deactivate(MsgContext c, long subnetId, long nodeId) {
    Node n = resolve(c, subnetId, nodeId, false);
    if (!SubnetRegistry.isActive(n)) {
      throw ErrorCode.WRONG_NODE_STATE.reject(
          "node " + n.getId() + " is not active (" + describe(n) + ")");
    }
    c.store().putNode(n.toBuilder().setDeactivated(true).build());
    emitNode(c, "node_deactivated", n);
  }

  static void reactivate(MsgContext c, long subnetId, long nodeId) {
    Node n = resolve(c, subnetId, nodeId, false);
    if (!n.getDeactivated()) {
      throw ErrorCode.WRONG_NODE_STATE.reject(
          "node " + n.getId() + " is not deactivated (" + describe(n) + ")");
    }
    // Classification restarts its clock: time spent deactivated does not count.
    c.store().putNode(n.toBuilder().setDeactivated(false).setClassSinceEpoch(c.epoch()).build());
    emitNode(c, "node_reactivated", n);
  }

  static void remove(MsgContext c, long subnetId, long nodeId) {
    Node n = resolve(c, subnetId, nodeId, false);
    removeNode(c.store(), c.bank(), c.params().getUnbondingEpochs(), c.epoch(), n);
    emitNode(c, "node_removed", n);
  }

  /** Deletes a node and its indexes; its stake enters unbonding for its coldkey. */
  static void removeNode(Store store, Bank bank, long unbondingEpochs, long epoch, Node n) {
    byte[] coldkey = n.getColdkey().toByteArray();
    bank.addUnbonding(coldkey, n.getStake(), Math.addExact(epoch, unbondingEpochs));
    store.delete(Keys.node(n.getSubnetId(), n.getId()));
    store.delete(Keys.hotkey(n.getHotkey().toByteArray()));
    store.delete(Keys.peer(n.getSubnetId(), n.getPeerId()));
    store.delete(Keys.peer(n.getSubnetId(), n.getBootnodePeerId()));
    store.delete(Keys.peer(n.getSubnetId(), n.getClientPeerId()));
    store.delete(Keys.cold(coldkey, n.getSubnetId(), n.getId()));
    Subnet s = store.subnet(n.getSubnetId());
    store.putSubnet(s.toBuilder().setNodeCount(s.getNodeCount() - 1).build());
  }

  /**
   * The node a message means: by id (signer must be its coldkey, or its hotkey when {@code
   * hotkeyMaySign}), or for id 0 the signer's only node in the subnet.
   */
  static Node resolve(MsgContext c, long subnetId, long nodeId, boolean hotkeyMaySign) {
    Store store = c.store();
    if (store.subnet(subnetId) == null) {
      throw ErrorCode.NODE_SUBNET_NOT_FOUND.reject(
          "subnet " + Long.toUnsignedString(subnetId) + " does not exist");
    }
    if (nodeId != 0) {
      Node n = store.node(subnetId, nodeId);
      if (n == null) {
        throw ErrorCode.NODE_NOT_FOUND.reject(
            "node " + Long.toUnsignedString(nodeId) + " does not exist in subnet " + subnetId);
      }
      boolean ok =
          Arrays.equals(n.getColdkey().toByteArray(), c.signer())
              || (hotkeyMaySign && Arrays.equals(n.getHotkey().toByteArray(), c.signer()));
      if (!ok) {
        throw ErrorCode.WRONG_SIGNER.reject(
            "node "
                + nodeId
                + " belongs to coldkey "
                + MsgContext.hex(n.getColdkey().toByteArray())
                + (hotkeyMaySign ? " / hotkey " + MsgContext.hex(n.getHotkey().toByteArray()) : "")
                + ", signer is "
                + MsgContext.hex(c.signer()));
      }
      return n;
    }
    if (hotkeyMaySign) {
      NodeRef byHotkey = store.nodeByHotkey(c.signer());
      if (byHotkey != null && byHotkey.getSubnetId() == subnetId) {
        return store.node(subnetId, byHotkey.getNodeId());
      }
    }
    List<Long> mine = store.coldNodes(c.signer(), subnetId);
    if (mine.isEmpty()) {
      throw ErrorCode.NODE_NOT_FOUND.reject(
          "signer " + MsgContext.hex(c.signer()) + " has no node in subnet " + subnetId);
    }
    if (mine.size() > 1) {
      throw ErrorCode.AMBIGUOUS_NODE.reject(
          "signer has nodes " + mine + " in subnet " + subnetId + "; give node_id");
    }
    return store.node(subnetId, mine.get(0));
  }

  static String describe(Node n) {
    return n.getClass_().name().substring("NODE_CLASS_".length()).toLowerCase(java.util.Locale.ROOT)
        + (n.getDeactivated() ? ", deactivated" : "");
  }

  private static int quotaIndex(Subnet s, byte[] coldkey) {
    for (int i = 0; i < s.getInitialColdkeysCount(); i++) {
      if (Arrays.equals(s.getInitialColdkeys(i).getAddress().toByteArray(), coldkey)) {
        return i;
      }
    }
    return -1;
  }

  private static void emitNode(MsgContext c, String type, Node n) {
    c.emit(
        type,
        "subnet_id",
        Long.toString(n.getSubnetId()),
        "node_id",
        Long.toString(n.getId()),
        "epoch",
        Long.toString(c.epoch()));
  }
}
