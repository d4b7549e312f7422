package io.peerz.consensus;

import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.util.List;

/**
 * The application as consensus sees it, in ABCI 2.0's shape: info, init chain, check tx,
 * prepare/process proposal, finalize block, commit, query. The embedded sequencer calls it
 * in-process; the ABCI socket server (for CometBFT) calls it over the wire.
 *
 * <p>Consensus calls info, initChain, prepareProposal, processProposal, finalizeBlock and commit
 * from one thread, and state sync's offerSnapshot and applySnapshotChunk before consensus starts;
 * the mempool calls checkTx (serialized by the mempool); query may be called from any thread and
 * reads committed state only.
 */
public interface Application {

  /** Last committed height and app hash: where the handshake starts replaying from. */
  InfoResponse info();

  /** Writes and commits the genesis state; returns the initial validator set and app hash. */
  InitChainResponse initChain(InitChainRequest request);

  /** Validates a tx against the check state (committed state plus accepted mempool txs). */
  TxResult checkTx(byte[] tx, CheckTxKind kind);

  /** The proposer's chance to pick, reorder or drop txs; returns the block's txs. */
  List<byte[]> prepareProposal(PrepareProposalRequest request);

  /** Whether a proposed block is acceptable to the application (a reject prevotes nil). */
  boolean processProposal(ProcessProposalRequest request);

  /** Executes a decided block on committed state, stages its writes and returns the results. */
  FinalizeBlockResponse finalizeBlock(FinalizeBlockRequest request);

  /** Persists what the last finalizeBlock staged and resets the check state. */
  void commit();

  /** Reads committed state. */
  QueryResponse query(QueryRequest request);

  /**
   * The height below which the last commit lets blocks go (ABCI's ResponseCommit.retain_height); 0
   * keeps every block.
   */
  default long retainHeight() {
    return 0;
  }

  /** State sync: the snapshots this application serves, newest first (none by default). */
  default List<StateSnapshot> listSnapshots() {
    return List.of();
  }

  /**
   * State sync: whether to restore from {@code snapshot}, whose state must have the trusted {@code
   * appHash} (from a verified header). An application without snapshots rejects every offer.
   */
  default OfferResult offerSnapshot(StateSnapshot snapshot, byte[] appHash) {
    return OfferResult.REJECT;
  }

  /** State sync: one chunk of a snapshot this application lists; empty when there is none. */
  default byte[] loadSnapshotChunk(long height, int format, int chunk) {
    return new byte[0];
  }

  /** State sync: applies a chunk of the accepted snapshot; the last one restores the state. */
  default ApplyChunkResponse applySnapshotChunk(int index, byte[] chunk, String sender) {
    return new ApplyChunkResponse(ApplyChunkResult.ABORT, List.of(), List.of());
  }

  /** OfferSnapshot's answers, as ABCI names them. */
  enum OfferResult {
    ACCEPT,
    ABORT,
    REJECT,
    REJECT_FORMAT,
    REJECT_SENDER
  }

  /** ApplySnapshotChunk's answers, as ABCI names them. */
  enum ApplyChunkResult {
    ACCEPT,
    ABORT,
    RETRY,
    RETRY_SNAPSHOT,
    REJECT_SNAPSHOT
  }

  /** ApplySnapshotChunk: the result, chunks to fetch again and senders to stop using. */
  record ApplyChunkResponse(
      ApplyChunkResult result, List<Integer> refetchChunks, List<String> rejectSenders) {
    public ApplyChunkResponse {
      refetchChunks = List.copyOf(refetchChunks);
      rejectSenders = List.copyOf(rejectSenders);
    }
  }

  /** Whether checkTx sees a tx for the first time or re-checks it after a commit. */
  enum CheckTxKind {
    NEW,
    RECHECK
  }

  /** Info: app version, last committed height and app hash (empty before genesis). */
  record InfoResponse(
      String data,
      String version,
      long appVersion,
      long lastBlockHeight,
      byte[] lastBlockAppHash) {}

  /** InitChain: genesis time, chain id, genesis validators and the app_state bytes. */
  record InitChainRequest(
      long timeMillis,
      String chainId,
      List<ValidatorUpdate> validators,
      byte[] appStateBytes,
      long initialHeight) {}

  /** The validator set consensus starts with and the genesis app hash. */
  record InitChainResponse(List<ValidatorUpdate> validators, byte[] appHash) {}

  /** PrepareProposal: the mempool's candidate txs (in order) and the block being built. */
  record PrepareProposalRequest(
      long maxTxBytes, List<byte[]> txs, long height, long timeMillis, byte[] proposerAddress) {}

  /** ProcessProposal: a proposed block as a validator receives it. */
  record ProcessProposalRequest(
      List<byte[]> txs, byte[] hash, long height, long timeMillis, byte[] proposerAddress) {}

  /**
   * FinalizeBlock: a decided block, with the misbehavior (duplicate votes) its evidence proves
   * (ABCI's misbehavior list; the state machine's slashing acts on it).
   */
  record FinalizeBlockRequest(
      List<byte[]> txs,
      byte[] hash,
      long height,
      long timeMillis,
      byte[] proposerAddress,
      List<Misbehavior> misbehavior) {

    public FinalizeBlockRequest {
      misbehavior = misbehavior == null ? List.of() : List.copyOf(misbehavior);
    }

    /** A block without evidence. */
    public FinalizeBlockRequest(
        List<byte[]> txs, byte[] hash, long height, long timeMillis, byte[] proposerAddress) {
      this(txs, hash, height, timeMillis, proposerAddress, List.of());
    }
  }

  /**
   * A validator's proven misbehavior (ABCI's Misbehavior, type DUPLICATE_VOTE): its address and
   * power, the height of the offence, and the total power of the set then.
   */
  record Misbehavior(
      byte[] validatorAddress, long validatorPower, long height, long totalVotingPower) {}

  /** What a decided block produced: one result per tx, events, validator updates, app hash. */
  record FinalizeBlockResponse(
      List<Event> events,
      List<TxResult> txResults,
      List<ValidatorUpdate> validatorUpdates,
      byte[] appHash) {}

  /** Query: a path ({@code /account/<addr>}, {@code /store/<hex key>}, ...) and its data. */
  record QueryRequest(String path, byte[] data, long height, boolean prove) {}

  /** A query answer; {@code proof} is a StateProof encoding when one was asked for. */
  record QueryResponse(
      int code,
      String codespace,
      String log,
      byte[] key,
      byte[] value,
      long height,
      byte[] proof) {}
}
