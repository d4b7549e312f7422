package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.StateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From detection to slashing: the blocks a simulated network decided with an equivocator among its
 * validators, executed by the real peerz application, slash and remove that validator in the first
 * block whose evidence proves its double vote, and only that validator.
 */
class EvidenceSlashingTest {

  @TempDir Path dir;

  @Test
  void anEquivocatorIsSlashedAndRemovedInTheBlockThatCarriesItsEvidence() {
    SimNetwork net = new SimNetwork(3, 4, null, 0);
    net.gossipMillis = 500;
    SimNetwork.Node bad = net.nodes.get(2);
    bad.kind = SimNetwork.Kind.EQUIVOCATOR;
    net.start();
    assertThat(net.runUntil(() -> net.honestDecided(6), 120_000)).isTrue();
    List<Block> decided = net.nodes.get(0).decided;

    List<ValidatorUpdate> genesis = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      genesis.add(
          ValidatorUpdate.newBuilder()
              .setPubKey(ByteString.copyFrom(net.nodes.get(i).key.publicKey()))
              .setPower(10)
              .build());
    }
    try (LedgerDb db = LedgerDb.open(dir.resolve("ledger.db"))) {
      PeerzApplication app = new PeerzApplication(db, new StateMachine(), SimNetwork.CHAIN_ID);
      app.initChain(
          new Application.InitChainRequest(
              SimNetwork.GENESIS_MILLIS,
              SimNetwork.CHAIN_ID,
              genesis,
              "{}".getBytes(StandardCharsets.UTF_8),
              1));
      int firstEvidence = -1;
      List<List<ValidatorUpdate>> updates = new ArrayList<>();
      for (int i = 0; i < decided.size(); i++) {
        Block b = decided.get(i);
        List<byte[]> txs = b.getTxsList().stream().map(ByteString::toByteArray).toList();
        List<Application.Misbehavior> misbehavior = Evidence.misbehavior(b);
        if (firstEvidence < 0 && !misbehavior.isEmpty()) {
          firstEvidence = i;
        }
        Application.FinalizeBlockResponse r =
            app.finalizeBlock(
                new Application.FinalizeBlockRequest(
                    txs,
                    ChainState.blockId(b).getHash().toByteArray(),
                    b.getHeader().getHeight(),
                    Blocks.millis(b.getHeader().getTime()),
                    b.getHeader().getProposerAddress().toByteArray(),
                    misbehavior));
        app.commit();
        updates.add(r.validatorUpdates());
      }
      assertThat(firstEvidence).as("a decided block carries evidence").isNotNegative();
      for (int i = 0; i < updates.size(); i++) {
        if (i == firstEvidence) {
          assertThat(updates.get(i))
              .containsExactly(
                  ValidatorUpdate.newBuilder()
                      .setPubKey(ByteString.copyFrom(bad.key.publicKey()))
                      .setPower(0)
                      .build());
        } else {
          assertThat(updates.get(i)).as("block %d", i).isEmpty();
        }
      }
      Application.QueryResponse q =
          app.query(
              new Application.QueryRequest(
                  "/validator/" + bad.key.address(), new byte[0], 0, false));
      assertThat(new String(q.value(), StandardCharsets.UTF_8))
          .contains("\"jailed\":true")
          .contains("\"power\":\"0\"");
      Application.QueryResponse honest =
          app.query(
              new Application.QueryRequest(
                  "/validator/" + net.nodes.get(0).key.address(), new byte[0], 0, false));
      assertThat(new String(honest.value(), StandardCharsets.UTF_8))
          .contains("\"jailed\":false")
          .contains("\"power\":\"10\"");
    }
  }
}
