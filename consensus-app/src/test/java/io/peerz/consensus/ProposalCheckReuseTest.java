package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.StateMachine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PrepareProposal and ProcessProposal reuse the check state's verdicts: a proposal whose txs are
 * the first ones the check state accepted, in order, passes without each tx being checked again,
 * and the answer is always the one a full check gives.
 */
class ProposalCheckReuseTest {
  private static final Ed25519KeyPair RECIPIENT = TestChains.key(3);

  @TempDir Path dir;
  private LedgerDb db;
  private StateMachine machine;

  @BeforeEach
  void genesis() {
    db = LedgerDb.open(dir.resolve("ledger.db"));
    machine = new StateMachine();
    GenesisDoc g = TestChains.peerzGenesis(TestChains.key(1));
    app()
        .initChain(
            new Application.InitChainRequest(
                g.genesisTimeMillis(),
                TestChains.CHAIN_ID,
                List.of(
                    ValidatorUpdate.newBuilder()
                        .setPubKey(
                            com.google.protobuf.ByteString.copyFrom(TestChains.key(1).publicKey()))
                        .setPower(10)
                        .build()),
                g.appStateJson(),
                1));
  }

  @AfterEach
  void close() {
    db.close();
  }

  private PeerzApplication app() {
    return new PeerzApplication(db, machine, TestChains.CHAIN_ID);
  }

  private static List<byte[]> sends(int n) {
    List<byte[]> txs = new ArrayList<>();
    for (int nonce = 0; nonce < n; nonce++) {
      txs.add(TestChains.send(nonce, RECIPIENT, 10));
    }
    return txs;
  }

  private static Application.ProcessProposalRequest proposal(List<byte[]> txs) {
    return new Application.ProcessProposalRequest(txs, new byte[32], 1, 1, new byte[20]);
  }

  @Test
  void theCheckedTxsInTheirOrderPassWithoutBeingCheckedAgain() {
    PeerzApplication app = app();
    List<byte[]> txs = sends(5);
    txs.forEach(tx -> assertThat(app.checkTx(tx, Application.CheckTxKind.NEW).getCode()).isZero());

    assertThat(app.processProposal(proposal(txs.subList(0, 3)))).isTrue();
    assertThat(
            app.prepareProposal(
                new Application.PrepareProposalRequest(1 << 20, txs, 1, 1, new byte[20])))
        .hasSize(5);
    assertThat(app.proposalChecks()).isEqualTo(new PeerzApplication.ProposalChecks(2, 0));
  }

  @Test
  void anyOtherProposalIsCheckedTxByTx() {
    PeerzApplication app = app();
    List<byte[]> txs = sends(6);
    txs.subList(0, 5).forEach(tx -> app.checkTx(tx, Application.CheckTxKind.NEW));

    // Out of order: the second tx's nonce is ahead when it is checked first.
    assertThat(app.processProposal(proposal(List.of(txs.get(1), txs.get(0))))).isFalse();
    // Longer than what was checked: the last tx was never checked here, and passes in full.
    assertThat(app.processProposal(proposal(txs))).isTrue();
    assertThat(app.proposalChecks()).isEqualTo(new PeerzApplication.ProposalChecks(0, 2));
  }

  @Test
  void aCommitForgetsTheVerdictsOfTheStateBeforeIt() {
    PeerzApplication app = app();
    List<byte[]> txs = sends(2);
    txs.forEach(tx -> app.checkTx(tx, Application.CheckTxKind.NEW));
    app.finalizeBlock(
        new Application.FinalizeBlockRequest(
            List.of(txs.get(0)),
            new byte[32],
            1,
            TestChains.GENESIS_MILLIS + 1000,
            new byte[20],
            List.of()));
    app.commit();

    // Nonce 0 is committed now: a proposal carrying it again is refused, though it was checked.
    assertThat(app.processProposal(proposal(List.of(txs.get(0))))).isFalse();
    assertThat(app.processProposal(proposal(List.of(txs.get(1))))).isTrue();
    assertThat(app.proposalChecks()).isEqualTo(new PeerzApplication.ProposalChecks(0, 2));
  }

  @Test
  void theAnswerIsAlwaysTheFullChecksAnswer() {
    List<byte[]> txs = sends(6);
    PeerzApplication full = app(); // checks nothing ahead: every proposal is checked tx by tx
    Random random = new Random(19);
    long reused = 0;
    for (int round = 0; round < 300; round++) {
      PeerzApplication app = app();
      for (int i = 0; i < 1 + random.nextInt(8); i++) {
        app.checkTx(txs.get(random.nextInt(txs.size())), Application.CheckTxKind.NEW);
      }
      List<byte[]> proposed = new ArrayList<>();
      int n = random.nextInt(6);
      int start = random.nextInt(2);
      for (int i = 0; i < n; i++) {
        // Mostly runs of consecutive nonces (which can pass), sometimes any tx.
        proposed.add(txs.get(random.nextInt(4) == 0 ? random.nextInt(6) : (start + i) % 6));
      }
      assertThat(app.processProposal(proposal(proposed)))
          .as("round %d", round)
          .isEqualTo(full.processProposal(proposal(proposed)));
      reused += app.proposalChecks().knownToPass();
    }
    assertThat(reused).as("proposals answered from the check state's verdicts").isPositive();
  }
}
