package io.peerz.state;

import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.InitialColdkey;
import io.peerz.ledger.proto.KeyType;
import io.peerz.ledger.proto.MsgRegisterNode;
import io.peerz.ledger.proto.MsgRegisterSubnet;
import java.nio.charset.StandardCharsets;

/** Valid messages to start tests from. */
final class Msgs {
  private Msgs() {}

  private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  /** A well-formed Qm... peer id derived from {@code seed}. */
  static String peerId(String seed) {
    byte[] h = Sha256.hash(seed.getBytes(StandardCharsets.UTF_8));
    StringBuilder b = new StringBuilder("Qm");
    for (int i = 0; i < 44; i++) {
      b.append(BASE58.charAt((h[i % 32] & 0xff) % 58));
    }
    return b.toString();
  }

  static MsgRegisterSubnet.Builder subnet(String name, Ed25519KeyPair... coldkeys) {
    MsgRegisterSubnet.Builder b =
        MsgRegisterSubnet.newBuilder()
            .setName(name)
            .setRepo("github.com/peerz/" + name)
            .setDescription("test subnet")
            .setMisc("misc")
            .setChurnLimit(64)
            .setMinStake(100)
            .setMaxStake(1000)
            .setDelegateStakePercentagePpm(100_000)
            .setNodeQueueEpochs(0)
            .setIdleClassificationEpochs(1)
            .setIncludedClassificationEpochs(1)
            .setMaxNodePenalties(3)
            .setMaxRegisteredNodes(10)
            .addKeyTypes(KeyType.KEY_TYPE_ED25519)
            .addBootnodes("/ip4/127.0.0.1/tcp/31330")
            .setMaxCost(1_000_000);
    for (Ed25519KeyPair k : coldkeys) {
      b.addInitialColdkeys(
          InitialColdkey.newBuilder().setAddress(TestChain.addrBytes(k)).setMaxNodes(2));
    }
    return b;
  }

  static MsgRegisterNode.Builder node(long subnetId, String seed) {
    return MsgRegisterNode.newBuilder()
        .setSubnetId(subnetId)
        .setHotkey(TestChain.addrBytes(TestChain.key("hot-" + seed)))
        .setPeerId(peerId("peer-" + seed))
        .setBootnodePeerId(peerId("boot-" + seed))
        .setClientPeerId(peerId("client-" + seed))
        .setBootnode("/ip4/127.0.0.1/tcp/31330")
        .setDelegateRewardRatePpm(125_000)
        .setStakeToBeAdded(100)
        .setMaxBurnAmount(10);
  }
}
