package io.peerz.abci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.peerz.abci.proto.ResponseCheckTx;
import io.peerz.abci.proto.ResponseFinalizeBlock;
import io.peerz.abci.proto.ResponseProcessProposal.ProposalStatus;
import io.peerz.abci.proto.ResponseQuery;
import io.peerz.abci.proto.crypto.ProofOp;
import io.peerz.consensus.PeerzApplication;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import io.peerz.state.StateMachine;
import io.peerz.state.proto.Account;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peerz application behind the ABCI socket, driven as CometBFT v0.38 drives it ({@link
 * CometBftDriver}), through the situations that stopped CometBFT: requests before InitChain,
 * InitChain again after a restart, PrepareProposal's size limit, proven queries and proposals
 * carrying txs that cannot pay.
 */
class CometBftSessionTest {

  private static final String CHAIN_ID = "peerz-cometbft-session";
  private static final Ed25519KeyPair VALIDATOR = key(1);
  private static final Ed25519KeyPair FUNDED = key(7);
  private static final Ed25519KeyPair RECIPIENT = key(8);
  private static final byte[] PROPOSER = VALIDATOR.address().bytes();

  @TempDir Path dir;
  private LedgerDb db;
  private PeerzApplication app;
  private AbciServer server;
  private CometBftDriver comet;

  private static Ed25519KeyPair key(int n) {
    byte[] seed = new byte[32];
    seed[31] = (byte) n;
    return Ed25519KeyPair.fromSeed(seed);
  }

  private static CometBftDriver.Genesis genesis(long balance, long maxBlockBytes) {
    return new CometBftDriver.Genesis(
        CHAIN_ID,
        1_700_000_000L,
        List.of(VALIDATOR),
        "{\"accounts\":[{\"address\":\""
            + FUNDED.address()
            + "\",\"balance\":\""
            + balance
            + "\"}]}",
        maxBlockBytes);
  }

  private static final CometBftDriver.Genesis GENESIS =
      genesis(1_000_000, CometBftDriver.DEFAULT_MAX_BLOCK_BYTES);

  private static TxBody sendBody(long nonce, long amount) {
    return TxBody.newBuilder()
        .setChainId(CHAIN_ID)
        .setSignerPubKey(ByteString.copyFrom(FUNDED.publicKey()))
        .setNonce(nonce)
        .setFee(1)
        .setSend(
            MsgSend.newBuilder()
                .setTo(ByteString.copyFrom(RECIPIENT.address().bytes()))
                .setAmount(amount))
        .build();
  }

  private static byte[] send(long nonce, long amount) {
    return Transactions.sign(sendBody(nonce, amount), FUNDED).toByteArray();
  }

  /** Starts (or restarts) the application over the same data directory, and CometBFT's client. */
  private void start() throws Exception {
    db = LedgerDb.open(dir.resolve("ledger.db"));
    app = new PeerzApplication(db, new StateMachine(), CHAIN_ID);
    server = AbciServer.start(app, "tcp://127.0.0.1:0");
    comet = new CometBftDriver(server.address());
  }

  @AfterEach
  void stop() throws Exception {
    if (comet != null) {
      comet.close();
      server.close();
      app.close();
      db.close();
      comet = null;
    }
  }

  private void restart() throws Exception {
    stop();
    start();
  }

  // ---- 1: before InitChain ----

  @Test
  void queryAndCheckTxBeforeInitChainAnswerErrorCodesAsForANodeStillStateSyncing()
      throws Exception {
    start();
    assertThat(comet.info().getLastBlockHeight()).isZero();

    ResponseQuery account = comet.query("/account/" + FUNDED.address(), 0, false);
    assertThat(account.getCodespace()).isEqualTo("query");
    assertThat(account.getCode()).isEqualTo(6);
    assertThat(account.getLog()).contains("no state yet");
    assertThat(comet.query("/params", 0, false).getCode()).isEqualTo(6);
    assertThat(comet.query("/validators", 0, true).getCode()).isEqualTo(6);

    ResponseCheckTx check = comet.checkTx(send(0, 5));
    assertThat(check.getCodespace()).isEqualTo("ante");
    assertThat(check.getCode()).isEqualTo(12);
    assertThat(check.getLog()).contains("no state yet");

    // The same connections go on: genesis, then the same requests succeed.
    assertThat(comet.handshake(GENESIS)).hasSize(32);
    assertThat(comet.query("/account/" + FUNDED.address(), 0, false).getCode()).isZero();
    assertThat(comet.checkTx(send(0, 5)).getCode()).isZero();
  }

  // ---- 2: InitChain again after a restart ----

  @Test
  void initChainAgainAfterARestartBeforeTheFirstBlockAnswersTheSameGenesis() throws Exception {
    start();
    byte[] first = comet.handshake(GENESIS);
    assertThat(first).hasSize(32);

    restart();
    // Info still says height 0, so CometBFT's handshake sends InitChain again.
    assertThat(comet.info().getLastBlockHeight()).isZero();
    byte[] again = comet.handshake(GENESIS);
    assertThat(again).isEqualTo(first);
    assertThat(comet.info().getLastBlockAppHash().toByteArray()).isEqualTo(first);

    // And the chain starts.
    ResponseFinalizeBlock block = comet.finalizeAndCommit(1, List.of(send(0, 1234)), PROPOSER);
    assertThat(block.getTxResults(0).getCode()).as(block.getTxResults(0).getLog()).isZero();
    assertThat(comet.info().getLastBlockHeight()).isEqualTo(1);
  }

  @Test
  void initChainWithAnotherGenesisAfterARestartFailsNamingBothAppHashes() throws Exception {
    start();
    byte[] first = comet.handshake(GENESIS);
    restart();
    assertThatThrownBy(() -> comet.handshake(genesis(999, CometBftDriver.DEFAULT_MAX_BLOCK_BYTES)))
        .isInstanceOf(CometBftDriver.CometBftStopped.class)
        .hasMessageContaining("InitChain does not match the genesis this application committed")
        .hasMessageContaining(Hex.encodeUpper(first));
  }

  @Test
  void initChainWithAnUnboundedBlockSizeIsRefusedWithTheReason() throws Exception {
    start();
    assertThatThrownBy(() -> comet.handshake(genesis(1_000_000, -1)))
        .isInstanceOf(CometBftDriver.CometBftStopped.class)
        .hasMessageContaining("consensus_params.block.max_bytes is -1");
  }

  // ---- 3: PrepareProposal's size limit ----

  @Test
  void prepareProposalCountsTxBytesAsCometBftsComputeProtoSizeForTxs() throws Exception {
    start();
    comet.handshake(GENESIS);
    List<byte[]> txs = List.of(send(0, 1), send(1, 2), send(2, 3));
    for (byte[] tx : txs) {
      assertThat(comet.checkTx(tx).getCode()).isZero();
    }
    // Room for the first two txs' raw bytes, not for their framing in the block's Data.
    long maxTxBytes = txs.get(0).length + txs.get(1).length;
    List<ByteString> proposed = comet.prepareProposal(1, maxTxBytes, txs, PROPOSER);
    assertThat(proposed).containsExactly(ByteString.copyFrom(txs.get(0)));
    assertThat(CometBftDriver.computeProtoSizeForTxs(proposed)).isLessThanOrEqualTo(maxTxBytes);

    // Exactly the framed size of two fits two.
    long framed =
        CometBftDriver.computeProtoSizeForTxs(
            List.of(ByteString.copyFrom(txs.get(0)), ByteString.copyFrom(txs.get(1))));
    assertThat(comet.prepareProposal(1, framed, txs, PROPOSER)).hasSize(2);
  }

  // ---- 4: proofs ----

  @Test
  void aProvenQueryCarriesOnePeerzSmtProofOpThatTheDocumentedVerifierAccepts() throws Exception {
    start();
    comet.handshake(GENESIS);
    ResponseFinalizeBlock block = comet.finalizeAndCommit(1, List.of(send(0, 1234)), PROPOSER);
    // The app hash of the state at height 1: what block 2's header carries.
    byte[] appHash = block.getAppHash().toByteArray();

    ResponseQuery json = comet.query("/account/" + RECIPIENT.address(), 0, false);
    assertThat(json.getValue().toStringUtf8()).contains("\"balance\":\"1234\"");
    assertThat(json.hasProofOps()).isFalse();

    ResponseQuery proven = comet.query("/account/" + RECIPIENT.address(), 0, true);
    assertThat(proven.getCode()).as(proven.getLog()).isZero();
    assertThat(proven.getHeight()).isEqualTo(1);
    assertThat(proven.getKey()).isEqualTo(json.getKey());
    assertThat(Account.parseFrom(proven.getValue()).getBalance()).isEqualTo(1234);
    assertThat(proven.getProofOps().getOpsList()).hasSize(1);
    ProofOp op = proven.getProofOps().getOps(0);
    assertThat(op.getType()).isEqualTo("peerz:smt");
    assertThat(verify(op, proven, appHash)).isTrue();
    // A proof checks the value it was given, against the app hash it was given.
    assertThat(
            DocsProofVerifier.verify(
                op.getType(),
                op.getKey().toByteArray(),
                op.getData().toByteArray(),
                proven.getKey().toByteArray(),
                Account.newBuilder().setBalance(99_999).build().toByteArray(),
                appHash))
        .isFalse();
    assertThat(
            DocsProofVerifier.verify(
                op.getType(),
                op.getKey().toByteArray(),
                DocsProofVerifier.tampered(op.getData().toByteArray()),
                proven.getKey().toByteArray(),
                proven.getValue().toByteArray(),
                appHash))
        .isFalse();
    assertThat(verify(op, proven, new byte[32])).isFalse();

    // The same key by /store/<hex key>.
    ResponseQuery store = comet.query("/store/" + Hex.encode(json.getKey().toByteArray()), 0, true);
    assertThat(store.getValue()).isEqualTo(proven.getValue());
    assertThat(verify(store.getProofOps().getOps(0), store, appHash)).isTrue();

    // An account that does not exist: no value, and a proof of its absence.
    ResponseQuery absent = comet.query("/account/" + key(9).address(), 0, true);
    assertThat(absent.getCode()).isZero();
    assertThat(absent.getValue().isEmpty()).isTrue();
    assertThat(verify(absent.getProofOps().getOps(0), absent, appHash)).isTrue();

    // A list has no single proof.
    ResponseQuery list = comet.query("/validators", 0, true);
    assertThat(list.getCodespace()).isEqualTo("query");
    assertThat(list.getCode()).isEqualTo(5);
    assertThat(list.hasProofOps()).isFalse();
    // Nor has a height that is gone.
    comet.finalizeAndCommit(2, List.of(), PROPOSER);
    ResponseQuery old = comet.query("/account/" + RECIPIENT.address(), 1, true);
    assertThat(old.getCodespace()).isEqualTo("query");
    assertThat(old.getCode()).isEqualTo(4);
  }

  private static boolean verify(ProofOp op, ResponseQuery answer, byte[] appHash) {
    return DocsProofVerifier.verify(
        op.getType(),
        op.getKey().toByteArray(),
        op.getData().toByteArray(),
        answer.getKey().toByteArray(),
        answer.getValue().isEmpty() ? null : answer.getValue().toByteArray(),
        appHash);
  }

  // ---- 5: proposals with txs that cannot pay ----

  @Test
  void processProposalRejectsTxsThatWouldExecuteWithoutPayingAndPrepareProposalDropsThem()
      throws Exception {
    start();
    comet.handshake(GENESIS);
    byte[] first = send(0, 10);
    comet.finalizeAndCommit(1, List.of(first), PROPOSER);

    byte[] valid = send(1, 10);
    byte[] garbage = "not a tx at all".getBytes(StandardCharsets.UTF_8);
    Tx signed = Tx.parseFrom(send(1, 11));
    byte[] badSignature =
        signed.toBuilder().setSignature(ByteString.copyFrom(new byte[64])).build().toByteArray();
    byte[] replayed = first; // nonce 0 is used: it would fail in FinalizeBlock without a fee
    byte[] skipped = send(5, 10);

    assertThat(comet.processProposal(2, List.of(valid), PROPOSER)).isEqualTo(ProposalStatus.ACCEPT);
    assertThat(comet.processProposal(2, List.of(), PROPOSER)).isEqualTo(ProposalStatus.ACCEPT);
    for (byte[] bad : List.of(garbage, badSignature, replayed, skipped)) {
      assertThat(comet.processProposal(2, List.of(valid, bad), PROPOSER))
          .isEqualTo(ProposalStatus.REJECT);
    }
    // The same tx twice: the second copy would fail its nonce.
    assertThat(comet.processProposal(2, List.of(valid, valid), PROPOSER))
        .isEqualTo(ProposalStatus.REJECT);

    List<ByteString> proposed =
        comet.prepareProposal(
            2,
            CometBftDriver.DEFAULT_MAX_BLOCK_BYTES,
            List.of(garbage, valid, badSignature, replayed, skipped),
            PROPOSER);
    assertThat(proposed).containsExactly(ByteString.copyFrom(valid));
    assertThat(comet.processProposal(2, List.of(valid), PROPOSER)).isEqualTo(ProposalStatus.ACCEPT);
  }
}
