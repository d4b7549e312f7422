package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.TestChains;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.BlockIdFlag;
import io.peerz.ledger.proto.CommitSig;
import io.peerz.ledger.proto.MsgCreateValidator;
import io.peerz.ledger.proto.TxBody;
import io.peerz.ledger.proto.Validator;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.p2p.NodeId;
import io.peerz.rpc.RpcBackend;
import io.peerz.state.StateMachine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real PeerzNodes over p2p: the second node's consensus key, registered by create-validator,
 * joins the validator set at the epoch boundary with the bonded power and signs commits.
 */
class ValidatorFromStakeIT {

  private static final Duration COMMIT = Duration.ofMillis(50);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final long EPOCH = 5;
  private static final long POWER_REDUCTION = 1000;

  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static GenesisDoc genesis(Ed25519KeyPair validator) {
    String appState =
        "{\"params\":{\"epoch_length\":"
            + EPOCH
            + ",\"power_reduction\":"
            + POWER_REDUCTION
            + "},\"accounts\":[{\"address\":\""
            + TestChains.funded().address()
            + "\",\"balance\":\"1000000\"}]}";
    byte[] raw =
        ("{\"chain_id\":\"" + TestChains.CHAIN_ID + "\",\"app_state\":" + appState + "}")
            .getBytes(StandardCharsets.UTF_8);
    return new GenesisDoc(
        TestChains.CHAIN_ID,
        TestChains.GENESIS_MILLIS,
        1,
        List.of(new GenesisDoc.Validator(validator.publicKey(), 10, "v0")),
        appState.getBytes(StandardCharsets.UTF_8),
        raw);
  }

  private static PeerzNode start(
      Path home,
      GenesisDoc g,
      Ed25519KeyPair validator,
      Ed25519KeyPair nodeKey,
      int port,
      String peer) {
    NodeConfig config =
        new NodeConfig(
            home,
            g,
            validator,
            nodeKey,
            "n" + port,
            "127.0.0.1:0",
            "127.0.0.1:" + port,
            COMMIT,
            List.of(peer));
    LedgerDb db = LedgerDb.open(PeerzNode.dataDir(home).resolve("ledger.db"));
    StateMachine machine = new StateMachine();
    PeerzApplication app = new PeerzApplication(db, machine, g.chainId());
    PeerzNode node = new PeerzNode(config, db, app, app::checkTxDry, machine.signatures(), null);
    node.startConsensus();
    node.startP2p();
    return node;
  }

  private static String peer(Ed25519KeyPair nodeKey, int port) {
    return NodeId.of(nodeKey.publicKey()) + "@127.0.0.1:" + port;
  }

  private static byte[] createValidator(Ed25519KeyPair consensusKey, long amount) {
    Ed25519KeyPair operator = TestChains.funded();
    TxBody body =
        TxBody.newBuilder()
            .setChainId(TestChains.CHAIN_ID)
            .setSignerPubKey(ByteString.copyFrom(operator.publicKey()))
            .setNonce(0)
            .setFee(1)
            .setCreateValidator(
                MsgCreateValidator.newBuilder()
                    .setPubKey(ByteString.copyFrom(consensusKey.publicKey()))
                    .setAmount(amount))
            .build();
    return Transactions.sign(body, operator).toByteArray();
  }

  private static long power(List<Validator> set, Ed25519KeyPair key) {
    return set.stream()
        .filter(v -> v.getPubKey().equals(ByteString.copyFrom(key.publicKey())))
        .mapToLong(Validator::getVotingPower)
        .findFirst()
        .orElse(0);
  }

  @Test
  void aKeyRegisteredByCreateValidatorJoinsAtTheEpochBoundaryAndSignsCommits() throws Exception {
    Ed25519KeyPair va = TestChains.key(1);
    Ed25519KeyPair vb = TestChains.key(2);
    Ed25519KeyPair na = TestChains.key(51);
    Ed25519KeyPair nb = TestChains.key(52);
    GenesisDoc g = genesis(va);
    int pa = freePort();
    int pb = freePort();
    try (PeerzNode a = start(dir.resolve("a"), g, va, na, pa, peer(nb, pb));
        PeerzNode b = start(dir.resolve("b"), g, vb, nb, pb, peer(na, pa))) {
      TestChains.await("b follows a", () -> b.backend().appInfo().lastBlockHeight() >= 2, WAIT);
      assertThat(power(a.backend().validators(2).orElseThrow(), vb)).isZero();

      // 20,000 bonded / power_reduction 1,000 = power 20, against the genesis validator's 10.
      byte[] tx = createValidator(vb, 20 * POWER_REDUCTION);
      assertThat(a.backend().broadcastTx(tx).getCode()).isZero();
      RpcBackend.CommittedTx committed =
          a.backend().awaitCommit(Transactions.hash(tx), WAIT).get(90, TimeUnit.SECONDS);
      assertThat(committed.result().getCode()).as(committed.result().getLog()).isZero();
      long boundary = (committed.height() + EPOCH - 1) / EPOCH * EPOCH;

      TestChains.await(
          "the boundary block committed on both",
          () ->
              a.backend().appInfo().lastBlockHeight() >= boundary
                  && b.backend().appInfo().lastBlockHeight() >= boundary,
          WAIT);
      ValidatorUpdate added =
          ValidatorUpdate.newBuilder()
              .setPubKey(ByteString.copyFrom(vb.publicKey()))
              .setPower(20)
              .build();
      assertThat(a.backend().blocks().results(boundary).orElseThrow().getValidatorUpdatesList())
          .containsExactly(added);
      for (long h = committed.height(); h < boundary; h++) {
        assertThat(a.backend().blocks().results(h).orElseThrow().getValidatorUpdatesList())
            .as("height %d", h)
            .isEmpty();
      }

      // Updates of block H take effect at H + 2 (CometBFT's rule); b signs from then on.
      long joined = boundary + 2;
      TestChains.await(
          "height " + (joined + 2) + " committed on both",
          () ->
              a.backend().appInfo().lastBlockHeight() >= joined + 2
                  && b.backend().appInfo().lastBlockHeight() >= joined + 2,
          WAIT);
      assertThat(power(a.backend().validators(boundary + 1).orElseThrow(), vb)).isZero();
      List<Validator> set = a.backend().validators(joined).orElseThrow();
      assertThat(power(set, vb)).isEqualTo(20);
      assertThat(power(set, va)).isEqualTo(10);
      assertThat(b.backend().validators(joined)).isEqualTo(Optional.of(set));
      for (long h = joined; h <= joined + 1; h++) {
        List<CommitSig> sigs = a.backend().blocks().seenCommit(h).orElseThrow().getSignaturesList();
        // With 20 of 30 power b's signature is needed for +2/3: every commit carries it.
        assertThat(
                sigs.stream()
                    .filter(s -> s.getBlockIdFlag() == BlockIdFlag.BLOCK_ID_FLAG_COMMIT)
                    .map(s -> s.getValidatorAddress())
                    .toList())
            .as("height %d", h)
            .contains(ByteString.copyFrom(vb.address().bytes()))
            .hasSize(2);
      }
      RpcBackend.QueryAnswer q =
          a.backend().query("/validator/" + vb.address(), new byte[0], 0, false);
      assertThat(q.code()).as(q.log()).isZero();
      assertThat(new String(q.value(), StandardCharsets.UTF_8))
          .contains("\"bonded\":\"20000\"")
          .contains("\"power\":\"20\"")
          .contains("\"operator\":\"" + TestChains.funded().address() + "\"");
    }
  }
}
