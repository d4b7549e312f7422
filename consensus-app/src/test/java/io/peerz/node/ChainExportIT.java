package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.peerz.consensus.AppOptions;
import io.peerz.consensus.GenesisExport;
import io.peerz.consensus.PruningConfig;
import io.peerz.consensus.TestChains;
import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.InitialColdkey;
import io.peerz.ledger.proto.KeyType;
import io.peerz.ledger.proto.MsgCreatePool;
import io.peerz.ledger.proto.MsgRegisterNode;
import io.peerz.ledger.proto.MsgRegisterSubnet;
import io.peerz.ledger.proto.MsgSubmitJob;
import io.peerz.ledger.proto.TxBody;
import io.peerz.rpc.RpcBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peerz export}: a chain started from the genesis exported at a height holds the state of
 * that height (the same app hash, the same answers to every query) and goes on from it.
 */
class ChainExportIT {
  private static final Duration COMMIT = Duration.ofMillis(30);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  @TempDir Path dir;

  @Test
  void aChainStartedFromTheExportAnswersAsTheOriginalDidAtThatHeightAndGoesOn() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair recipient = TestChains.key(20);
    NodeConfig configA = TestNodes.peerzConfig(dir.resolve("a"), va, COMMIT);
    GenesisDoc g = configA.genesis();
    List<String> paths =
        List.of(
            "/account/" + TestChains.funded().address(),
            "/account/" + recipient.address(),
            "/subnets",
            "/subnet/1",
            "/nodes/1",
            "/node/1/1",
            "/validators",
            "/validator/" + va.address(),
            "/pools",
            "/pool/1",
            "/job/1",
            "/params",
            "/supply",
            "/epoch");
    long height;
    Map<String, String> answersA = new LinkedHashMap<>();
    byte[] appHashA;
    long nonce = 0;
    try (PeerzNode a = PeerzNode.start(configA)) {
      commit(a, TestChains.send(nonce++, recipient, 1234));
      commit(a, registerSubnet(nonce++));
      commit(a, registerNode(nonce++));
      commit(
          a,
          sign(
              nonce++,
              TxBody.newBuilder()
                  .setCreatePool(
                      MsgCreatePool.newBuilder()
                          .setTemplate("gpu")
                          .setModel("int8-gemm-256")
                          .setHardwareClass("cpu")
                          .setLimit(4)
                          .setPrice(10)
                          .setDeposit(100))));
      // A job that waits in the pool's queue (no executor has joined).
      commit(
          a,
          sign(
              nonce++,
              TxBody.newBuilder()
                  .setSubmitJob(
                      MsgSubmitJob.newBuilder()
                          .setPoolId(1)
                          .setInputSeed(ByteString.copyFrom(new byte[32]))
                          .setMaxBudget(50))));
      height = a.backend().appInfo().lastBlockHeight();
      long h = height;
      // A few blocks on, so that the export is of an earlier, kept version.
      TestChains.await(
          "a past " + (h + 3), () -> a.backend().appInfo().lastBlockHeight() > h + 3, WAIT);
      for (String p : paths) {
        answersA.put(p, answer(a, p, height));
      }
      appHashA = a.backend().blocks().results(height).orElseThrow().getAppHash().toByteArray();
      assertThat(answersA.get("/subnet/1")).contains("export-test");
      assertThat(answersA.get("/node/1/1")).contains(peerId("peer"));
      assertThat(answersA.get("/pool/1")).startsWith("0 ");
      assertThat(answersA.get("/job/1")).startsWith("0 ");
    }

    // Not committed yet: refused, nothing written.
    long past = height + 1000;
    assertThatThrownBy(() -> GenesisExport.of(configA.home(), g, past))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("height " + past + " is not committed yet, latest height is ");

    GenesisDoc exported = GenesisExport.of(configA.home(), g, height);
    Path file = dir.resolve("exported-genesis.json");
    GenesisFile.write(file, exported);
    GenesisDoc read = GenesisFile.read(file);
    assertThat(read.initialHeight()).isEqualTo(height + 1);
    assertThat(read.chainId()).isEqualTo(g.chainId());
    assertThat(read.validators()).hasSize(1);
    assertThat(read.validators().get(0).pubKey()).isEqualTo(va.publicKey());

    NodeConfig configB =
        TestNodes.withGenesis(TestNodes.config(dir.resolve("b"), va, COMMIT), read);
    try (PeerzNode b = PeerzNode.start(configB)) {
      TestChains.await(
          "b past " + (height + 2),
          () -> b.backend().appInfo().lastBlockHeight() > height + 2,
          WAIT);
      // The state of the export's height is the original's, byte for byte.
      assertThat(b.backend().blocks().results(height).orElseThrow().getAppHash().toByteArray())
          .isEqualTo(appHashA);
      for (String p : paths) {
        assertThat(answer(b, p, height)).as(p).isEqualTo(answersA.get(p));
      }
      // Blocks go on from the exported height, and the accounts (nonces) with them.
      assertThat(b.backend().blocks().baseHeight()).isEqualTo(height + 1);
      commit(b, TestChains.send(nonce++, recipient, 1));
      assertThat(JSON.readTree(value(b, "/account/" + recipient.address())).get("balance").asText())
          .isEqualTo("1235");
    }
  }

  @Test
  void anExportOfAPrunedHeightNamesTheLowestAvailableHeight() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    NodeConfig config =
        TestNodes.peerzConfig(dir.resolve("p"), va, COMMIT)
            .withApp(
                new AppOptions(new PruningConfig(PruningConfig.Strategy.CUSTOM, 2, 10), 0, 25, 0));
    PeerzNode node = PeerzNode.start(config);
    assertThat(node.awaitTermination(WAIT)).as("stopped at its halt height").isTrue();
    assertThatThrownBy(() -> GenesisExport.of(config.home(), config.genesis(), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching("height 3 is not available, lowest height is (1\\d|2\\d) .*");
    // The latest (the halt height) is kept.
    assertThat(GenesisExport.of(config.home(), config.genesis(), 0).initialHeight()).isEqualTo(26);
  }

  /** Broadcasts {@code tx} and waits for it to commit with code 0. */
  private static void commit(PeerzNode n, byte[] tx) throws Exception {
    assertThat(n.backend().broadcastTx(tx).getCode()).isZero();
    RpcBackend.CommittedTx done =
        n.backend()
            .awaitCommit(Transactions.hash(tx), WAIT)
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(done.result().getCode()).as(done.result().getLog()).isZero();
  }

  /** The JSON value of {@code path} at the latest height. */
  private static byte[] value(PeerzNode n, String path) {
    RpcBackend.QueryAnswer r = n.backend().query(path, new byte[0], 0, false);
    assertThat(r.code()).as(r.log()).isZero();
    return r.value();
  }

  private static String answer(PeerzNode n, String path, long height) {
    RpcBackend.QueryAnswer r = n.backend().query(path, new byte[0], height, false);
    return r.code()
        + " "
        + r.codespace()
        + " "
        + r.log()
        + " "
        + new String(r.value() == null ? new byte[0] : r.value(), StandardCharsets.UTF_8);
  }

  private static byte[] sign(long nonce, TxBody.Builder body) {
    Ed25519KeyPair from = TestChains.funded();
    return Transactions.sign(
            body.setChainId(TestChains.CHAIN_ID)
                .setSignerPubKey(ByteString.copyFrom(from.publicKey()))
                .setNonce(nonce)
                .setFee(1)
                .build(),
            from)
        .toByteArray();
  }

  private static byte[] registerSubnet(long nonce) {
    return sign(
        nonce,
        TxBody.newBuilder()
            .setRegisterSubnet(
                MsgRegisterSubnet.newBuilder()
                    .setName("export-test")
                    .setRepo("github.com/peerz/export-test")
                    .setDescription("a subnet the export carries")
                    .setChurnLimit(64)
                    .setMinStake(100)
                    .setMaxStake(1000)
                    .setDelegateStakePercentagePpm(100_000)
                    .setIdleClassificationEpochs(1)
                    .setIncludedClassificationEpochs(1)
                    .setMaxNodePenalties(3)
                    .setMaxRegisteredNodes(10)
                    .addKeyTypes(KeyType.KEY_TYPE_ED25519)
                    .addBootnodes("/ip4/127.0.0.1/tcp/31330")
                    .addInitialColdkeys(
                        InitialColdkey.newBuilder()
                            .setAddress(ByteString.copyFrom(TestChains.funded().address().bytes()))
                            .setMaxNodes(3))
                    .setMaxCost(1_000_000)));
  }

  private static byte[] registerNode(long nonce) {
    return sign(
        nonce,
        TxBody.newBuilder()
            .setRegisterNode(
                MsgRegisterNode.newBuilder()
                    .setSubnetId(1)
                    .setHotkey(ByteString.copyFrom(TestChains.key(30).address().bytes()))
                    .setPeerId(peerId("peer"))
                    .setBootnodePeerId(peerId("boot"))
                    .setClientPeerId(peerId("client"))
                    .setBootnode("/ip4/127.0.0.1/tcp/31330")
                    .setDelegateRewardRatePpm(125_000)
                    .setStakeToBeAdded(100)
                    .setMaxBurnAmount(10)));
  }

  /** A well-formed Qm... peer id derived from {@code seed}. */
  private static String peerId(String seed) {
    byte[] h = Sha256.hash(seed.getBytes(StandardCharsets.UTF_8));
    StringBuilder b = new StringBuilder("Qm");
    for (int i = 0; i < 44; i++) {
      b.append(BASE58.charAt((h[i % 32] & 0xff) % 58));
    }
    return b.toString();
  }
}
