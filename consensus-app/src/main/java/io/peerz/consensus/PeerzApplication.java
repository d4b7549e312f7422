package io.peerz.consensus;

import com.google.protobuf.CodedOutputStream;
import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.SnapshotRestore;
import io.peerz.ledger.SnapshotStore;
import io.peerz.ledger.StateProof;
import io.peerz.ledger.StateReader;
import io.peerz.ledger.StateRoot;
import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.StateStore;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.BlockContext;
import io.peerz.state.BlockOutcome;
import io.peerz.state.CheckState;
import io.peerz.state.GenesisOutcome;
import io.peerz.state.QueryResult;
import io.peerz.state.StateMachine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peerz {@link Application}: the state machine executing over the ledger's state store, with
 * state-sync snapshots of it (taken after commit, off the calling thread) and restore from them.
 * Close it before the ledger: a snapshot being written reads the database.
 */
public final class PeerzApplication implements Application, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerzApplication.class);

  static final String VERSION = "0.1.0";
  static final long APP_VERSION = 1;

  /** The query path that reads one state key, given in hex, with or without a proof. */
  static final String STORE_PATH = "/store/";

  private final LedgerDb db;
  private final StateMachine machine;
  private final String chainId;
  private final Object checkLock = new Object();
  private CheckState checkState;
  // The txs checkState accepted, in order: a fresh check state over the same committed state
  // accepts every prefix of them in order too, which is what a proposal's check asks.
  private final List<byte[]> checkedInOrder = new ArrayList<>();
  private long proposalsCheckedInFull;
  private long proposalsKnownToPass;
  private Staged staged;
  private final SnapshotStore snapshots;
  private final SnapshotConfig snapshotConfig;
  private final ExecutorService snapshotter;
  private SnapshotRestore restoring;

  /** An application over {@code db} executing with {@code machine} for {@code chainId}. */
  public PeerzApplication(LedgerDb db, StateMachine machine, String chainId) {
    this(db, machine, chainId, null, SnapshotConfig.DISABLED);
  }

  /**
   * An application that keeps state-sync snapshots under {@code snapshotDir} as {@code
   * snapshotConfig} says (and can restore from others' whatever the interval).
   */
  public PeerzApplication(
      LedgerDb db,
      StateMachine machine,
      String chainId,
      Path snapshotDir,
      SnapshotConfig snapshotConfig) {
    this.db = db;
    this.machine = machine;
    this.chainId = chainId;
    this.snapshots = snapshotDir == null ? null : new SnapshotStore(snapshotDir);
    this.snapshotConfig = snapshotConfig;
    this.snapshotter =
        snapshots == null || snapshotConfig.interval() == 0
            ? null
            : Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "snapshot");
                  t.setDaemon(true);
                  return t;
                });
  }

  private record Staged(
      StateStore.PendingCommit pending, BlockOutcome outcome, List<byte[]> txs, long height) {}

  @Override
  public InfoResponse info() {
    StateStore state = db.state();
    return new InfoResponse("peerz", VERSION, APP_VERSION, state.height(), state.appHash());
  }

  @Override
  public InitChainResponse initChain(InitChainRequest request) {
    StateStore state = db.state();
    long genesisHeight = request.initialHeight() - 1;
    if (machine.hasGenesis(state)) {
      return initChainAgain(request, state, genesisHeight);
    }
    GenesisOutcome outcome =
        machine.initChain(
            request.chainId(),
            request.timeMillis(),
            request.appStateBytes(),
            request.validators(),
            state);
    StateStore.PendingCommit pending = state.stage(genesisHeight, outcome.changes());
    BlockResults results =
        BlockResults.newBuilder()
            .setHeight(genesisHeight)
            .addAllValidatorUpdates(outcome.validators())
            .setAppHash(com.google.protobuf.ByteString.copyFrom(pending.appHash()))
            .build();
    db.commit(pending, results, List.of());
    resetCheckState();
    return new InitChainResponse(outcome.validators(), pending.appHash());
  }

  /**
   * InitChain on a state that holds a genesis already. CometBFT sends InitChain whenever Info
   * reports height 0 (consensus/replay.go), so a validator restarted before the first block sends
   * it again: the same genesis gets the same answer and nothing is written; another genesis, or a
   * chain that has committed blocks, is refused (the node cannot go on with the wrong state).
   */
  private InitChainResponse initChainAgain(
      InitChainRequest request, StateStore state, long genesisHeight) {
    if (state.height() != genesisHeight) {
      throw new IllegalStateException(
          "InitChain for a genesis at height "
              + genesisHeight
              + " but this application has committed up to height "
              + state.height()
              + ": its data directory belongs to a chain that has started; point CometBFT at"
              + " the home it ran with, or delete the application's data/ to start over");
    }
    GenesisOutcome outcome =
        machine.initChain(
            request.chainId(),
            request.timeMillis(),
            request.appStateBytes(),
            request.validators(),
            EmptyState.INSTANCE);
    byte[] appHash = StateRoot.of(outcome.changes().writes());
    if (!Arrays.equals(appHash, state.appHash())) {
      throw new IllegalStateException(
          "InitChain does not match the genesis this application committed: its state would"
              + " have app hash "
              + Hex.encodeUpper(appHash)
              + " but the committed one is "
              + Hex.encodeUpper(state.appHash())
              + " (chain id, genesis time, app_state or validators differ); give CometBFT the"
              + " genesis.json this application was started with, or delete the application's"
              + " data/ to start over");
    }
    log.info(
        "init_chain repeated chain_id={} app_hash={} reason=genesis already committed, same"
            + " genesis",
        request.chainId(),
        Hex.encodeUpper(appHash));
    return new InitChainResponse(outcome.validators(), appHash);
  }

  /** The genesis validator set without writing anything: initChain over an empty state. */
  List<io.peerz.ledger.proto.ValidatorUpdate> genesisValidators(InitChainRequest request) {
    return machine
        .initChain(
            request.chainId(),
            request.timeMillis(),
            request.appStateBytes(),
            request.validators(),
            EmptyState.INSTANCE)
        .validators();
  }

  @Override
  public TxResult checkTx(byte[] tx, CheckTxKind kind) {
    synchronized (checkLock) {
      if (checkState == null) {
        checkState = machine.newCheckState(db.state(), chainId);
        checkedInOrder.clear();
      }
      TxResult r = checkState.check(tx);
      if (r.getCode() == 0) {
        checkedInOrder.add(
            tx.clone()); // the caller's array may change; these are the checked bytes
      }
      return r;
    }
  }

  /**
   * Whether {@code txs}, in this order, are the first txs the current check state accepted. Every
   * check state starts from the committed state (a fresh one at each commit and restore) and
   * MempoolCheck is a deterministic function of that state and the txs in order, so such txs pass a
   * fresh check state's ante in order too: the answer {@link #processProposal} would compute, known
   * without computing it. The mempool checked each tx on entry and again after every commit (its
   * recheck), in its own order, which a proposer reaps and its peers receive by gossip in.
   */
  private boolean checkedAlready(List<byte[]> txs) {
    synchronized (checkLock) {
      if (checkState == null || txs.size() > checkedInOrder.size()) {
        return false;
      }
      for (int i = 0; i < txs.size(); i++) {
        byte[] tx = txs.get(i);
        byte[] checked = checkedInOrder.get(i);
        if (!Arrays.equals(tx, checked)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * How many proposals (PrepareProposal's and ProcessProposal's) were known to pass from the check
   * state's verdicts, and how many had every tx checked again.
   */
  public ProposalChecks proposalChecks() {
    synchronized (checkLock) {
      return new ProposalChecks(proposalsKnownToPass, proposalsCheckedInFull);
    }
  }

  /** Proposal checks so far: answered from CheckTx's verdicts, and checked tx by tx. */
  public record ProposalChecks(long knownToPass, long checkedInFull) {}

  private void countProposalCheck(boolean known) {
    synchronized (checkLock) {
      if (known) {
        proposalsKnownToPass++;
      } else {
        proposalsCheckedInFull++;
      }
    }
  }

  /**
   * CheckTx as if {@code pending} (the mempool, in order) had been accepted, on a throwaway check
   * state: the mempool's own check state does not advance.
   */
  public TxResult checkTxDry(List<byte[]> pending, byte[] tx) {
    CheckState scratch = machine.newCheckState(db.state(), chainId);
    for (byte[] p : pending) {
      scratch.check(p);
    }
    return scratch.check(tx);
  }

  /**
   * The mempool's txs in order, up to {@code maxTxBytes} counted as CometBFT counts them, less
   * those that would fail ante (see {@link #processProposal}), so a proposal of this node is always
   * one the others accept.
   */
  @Override
  public List<byte[]> prepareProposal(PrepareProposalRequest request) {
    // The mempool's txs in its order have passed already, unless they changed since (then each is
    // checked again, and those that fail are left out).
    boolean known = checkedAlready(request.txs());
    countProposalCheck(known);
    CheckState proposal = known ? null : machine.newCheckState(db.state(), chainId);
    List<byte[]> out = new ArrayList<>();
    long bytes = 0;
    int dropped = 0;
    for (byte[] tx : request.txs()) {
      long size = protoSize(tx);
      if (bytes + size > request.maxTxBytes()) {
        break;
      }
      if (proposal != null && proposal.check(tx).getCode() != 0) {
        dropped++;
        continue;
      }
      bytes += size;
      out.add(tx);
    }
    if (dropped > 0) {
      log.info(
          "prepare_proposal dropped height={} txs={} reason=fail ante on the committed state",
          request.height(),
          dropped);
    }
    return out;
  }

  /**
   * The bytes a tx adds to a block as CometBFT counts them (types.ComputeProtoSizeForTxs): its
   * length, the field tag and the varint length of {@code Data.txs}. CometBFT's proposer panics
   * when PrepareProposal returns more than {@code max_tx_bytes} of these.
   */
  static long protoSize(byte[] tx) {
    return 1L + CodedOutputStream.computeUInt32SizeNoTag(tx.length) + tx.length;
  }

  /**
   * Accepts a proposal only when every tx passes ante in block order on the committed state: it
   * decodes canonically, its signature verifies, and its nonce, fee and fee balance hold, as
   * CheckTx would say. A tx that fails ante executes without paying a fee, so without this a
   * byzantine proposer could fill its blocks for free (with garbage, or with copies of old txs).
   * The check is a deterministic function of the block and the state every correct validator has
   * committed, and {@link #prepareProposal} drops what it would reject, so a correct proposer is
   * never rejected (docs/cometbft.md, "ProcessProposal"). A proposal whose txs are the first ones
   * this node's check state accepted, in the same order, is known to pass without checking each tx
   * again (see {@link #checkedAlready}): the usual case, as a proposer reaps its mempool in the
   * order its peers received the txs.
   */
  @Override
  public boolean processProposal(ProcessProposalRequest request) {
    boolean known = checkedAlready(request.txs());
    countProposalCheck(known);
    log.debug(
        "proposal_checked height={} txs={} known_from_check_tx={}",
        request.height(),
        request.txs().size(),
        known);
    if (known) {
      return true;
    }
    // Txs this node has not seen are verified on all cores first; ante then finds them remembered.
    machine.signatures().preverifyAll(request.txs());
    CheckState proposal = machine.newCheckState(db.state(), chainId);
    List<byte[]> txs = request.txs();
    for (int i = 0; i < txs.size(); i++) {
      TxResult r = proposal.check(txs.get(i));
      if (r.getCode() != 0) {
        log.warn(
            "proposal rejected height={} proposer={} tx_index={} tx_hash={} code={} codespace={}"
                + " log={}",
            request.height(),
            Hex.encodeUpper(request.proposerAddress()),
            i,
            Hex.encodeUpper(Transactions.hash(txs.get(i))),
            r.getCode(),
            r.getCodespace(),
            r.getLog());
        return false;
      }
    }
    return true;
  }

  @Override
  public FinalizeBlockResponse finalizeBlock(FinalizeBlockRequest request) {
    StateStore state = db.state();
    List<io.peerz.state.Misbehavior> misbehavior = new ArrayList<>();
    for (Application.Misbehavior m : request.misbehavior()) {
      misbehavior.add(
          new io.peerz.state.Misbehavior(m.validatorAddress(), m.height(), m.validatorPower()));
    }
    BlockContext ctx =
        new BlockContext(
            chainId,
            request.height(),
            request.timeMillis(),
            request.hash(),
            request.proposerAddress(),
            misbehavior);
    // Txs this node has not seen in its mempool are verified here on all cores; execution then
    // finds every signature remembered.
    machine.signatures().preverifyAll(request.txs());
    BlockOutcome outcome = machine.executeBlock(state, ctx, request.txs());
    StateStore.PendingCommit pending = state.stage(request.height(), outcome.changes());
    staged = new Staged(pending, outcome, List.copyOf(request.txs()), request.height());
    return new FinalizeBlockResponse(
        outcome.finalizeEvents(),
        outcome.txResults(),
        outcome.validatorUpdates(),
        pending.appHash());
  }

  @Override
  public void commit() {
    Staged s = staged;
    if (s == null) {
      throw new IllegalStateException("commit without a finalized block");
    }
    staged = null;
    BlockResults results =
        BlockResults.newBuilder()
            .setHeight(s.height())
            .addAllTxResults(s.outcome().txResults())
            .addAllFinalizeBlockEvents(s.outcome().finalizeEvents())
            .addAllValidatorUpdates(s.outcome().validatorUpdates())
            .setAppHash(com.google.protobuf.ByteString.copyFrom(s.pending().appHash()))
            .build();
    db.commit(s.pending(), results, s.txs());
    resetCheckState();
    if (snapshotter != null && snapshotConfig.takesAt(s.height())) {
      snapshot();
    }
  }

  /**
   * Freezes the committed state now (a RocksDB snapshot, so the next block cannot leak in) and
   * writes the snapshot from it on the snapshot thread, off consensus.
   */
  private void snapshot() {
    StateStore.CommittedState view = db.state().committed();
    try {
      snapshotter.execute(
          () -> {
            try (view) {
              snapshots.take(view, snapshotConfig.chunkBytes());
              snapshots.prune(snapshotConfig.keepRecent());
            } catch (RuntimeException e) {
              // A missing snapshot costs state-syncing peers, not this node's safety.
              log.error("snapshot failed height={} error={}", view.height(), e.toString(), e);
            }
          });
    } catch (RejectedExecutionException e) {
      view.close(); // closing
    }
  }

  @Override
  public List<StateSnapshot> listSnapshots() {
    return snapshots == null ? List.of() : snapshots.list();
  }

  @Override
  public byte[] loadSnapshotChunk(long height, int format, int chunk) {
    return snapshots == null
        ? new byte[0]
        : snapshots.chunk(height, format, chunk).orElse(new byte[0]);
  }

  @Override
  public OfferResult offerSnapshot(StateSnapshot snapshot, byte[] appHash) {
    restoring = null;
    if (snapshot.format() != StateSnapshot.FORMAT) {
      log.warn(
          "snapshot offer rejected height={} format={} reason=only format {} is restored",
          snapshot.height(),
          snapshot.format(),
          StateSnapshot.FORMAT);
      return OfferResult.REJECT_FORMAT;
    }
    long height = db.state().height();
    if (height >= snapshot.height()) {
      log.warn(
          "snapshot offer rejected height={} reason=state is already at height {}",
          snapshot.height(),
          height);
      return OfferResult.REJECT;
    }
    try {
      restoring = SnapshotRestore.begin(db.state(), snapshot, appHash);
    } catch (IllegalArgumentException e) {
      log.warn("snapshot offer rejected height={} reason={}", snapshot.height(), e.getMessage());
      return OfferResult.REJECT;
    }
    log.info(
        "snapshot offer accepted height={} chunks={} hash={}",
        snapshot.height(),
        snapshot.chunks(),
        Hex.encodeUpper(snapshot.hash()));
    return OfferResult.ACCEPT;
  }

  @Override
  public ApplyChunkResponse applySnapshotChunk(int index, byte[] chunk, String sender) {
    SnapshotRestore r = restoring;
    if (r == null) {
      log.warn("snapshot chunk refused index={} reason=no snapshot offer was accepted", index);
      return new ApplyChunkResponse(ApplyChunkResult.ABORT, List.of(), List.of());
    }
    SnapshotRestore.Step step = r.apply(index, chunk);
    return switch (step.kind()) {
      case ACCEPTED -> new ApplyChunkResponse(ApplyChunkResult.ACCEPT, List.of(), List.of());
      case RESTORED -> {
        restoring = null;
        staged = null;
        resetCheckState();
        log.info(
            "state restored from snapshot height={} app_hash={} chunks={}",
            db.state().height(),
            Hex.encodeUpper(db.state().appHash()),
            r.snapshot().chunks());
        yield new ApplyChunkResponse(ApplyChunkResult.ACCEPT, List.of(), List.of());
      }
      case REFETCH -> {
        log.warn(
            "snapshot chunk refetch index={} sender={} reason={}", index, sender, step.reason());
        yield new ApplyChunkResponse(
            ApplyChunkResult.RETRY,
            List.of(index),
            sender == null || sender.isEmpty() ? List.of() : List.of(sender));
      }
      case REJECTED -> {
        restoring = null;
        log.warn(
            "snapshot rejected height={} index={} reason={}",
            r.snapshot().height(),
            index,
            step.reason());
        yield new ApplyChunkResponse(ApplyChunkResult.REJECT_SNAPSHOT, List.of(), List.of());
      }
    };
  }

  /** Waits for a snapshot being written; the ledger may be closed after this returns. */
  @Override
  public void close() {
    if (snapshotter == null) {
      return;
    }
    snapshotter.shutdown();
    try {
      if (!snapshotter.awaitTermination(5, TimeUnit.MINUTES)) {
        log.error("snapshot thread did not finish within 5 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void resetCheckState() {
    synchronized (checkLock) {
      checkState = machine.newCheckState(db.state(), chainId);
      checkedInOrder.clear();
    }
  }

  /**
   * Answers a query on the latest committed state. With {@code prove}, the answer is the stored
   * value under the path's state key (protobuf bytes, not the JSON view) with a Merkle proof of it
   * against the app hash of {@code height}: docs/cometbft.md, "Query paths and proofs".
   */
  @Override
  public QueryResponse query(QueryRequest request) {
    StateStore state = db.state();
    long height = state.height();
    if (request.height() != 0 && request.height() != height) {
      return failure(
          QueryResult.heightUnavailable(
              "height "
                  + request.height()
                  + " is not available: only the latest committed state ("
                  + height
                  + ") is kept; query height 0 for it"),
          height);
    }
    String path = request.path() == null ? "" : request.path();
    if (path.startsWith(STORE_PATH)) {
      byte[] key;
      try {
        key = Hex.decode(path.substring(STORE_PATH.length()));
      } catch (IllegalArgumentException e) {
        return failure(QueryResult.badArgument("store key is not hex: " + e.getMessage()), height);
      }
      if (request.prove()) {
        return proven(state, key);
      }
      byte[] value = state.get(key);
      if (value == null) {
        return failure(QueryResult.notFound("no value under key " + Hex.encode(key)), height);
      }
      return new QueryResponse(0, "", "", key, value, height, null);
    }
    QueryResult r = machine.query(state, path, request.data());
    if (r.code() != 0 || !request.prove()) {
      return new QueryResponse(r.code(), r.codespace(), r.log(), r.key(), r.value(), height, null);
    }
    if (!r.provable()) {
      return failure(
          QueryResult.notProvable(
              "'"
                  + path
                  + "' lists entries read from many keys, so no one proof covers it; query each"
                  + " entry's own path (e.g. /subnet/<id>) or /store/<hex key> with prove=true"),
          height);
    }
    return proven(state, r.key());
  }

  /**
   * The value under {@code key} and its proof, both from one committed state: a commit landing
   * between reading the height and proving would pair a proof with the wrong app hash, so the
   * height is read on both sides and the proof taken again when it moved.
   */
  private static QueryResponse proven(StateStore state, byte[] key) {
    while (true) {
      long before = state.height();
      StateProof p = state.prove(key);
      if (state.height() == before) {
        // A proof of absence answers no value: CometBFT's light client then verifies absence.
        return new QueryResponse(0, "", "", key, p.value(), before, p.toBytes());
      }
    }
  }

  private static QueryResponse failure(QueryResult r, long height) {
    return new QueryResponse(r.code(), r.codespace(), r.log(), null, null, height, null);
  }

  /** The empty state genesis is computed over when nothing may be written. */
  private enum EmptyState implements StateReader {
    INSTANCE;

    @Override
    public byte[] get(byte[] key) {
      return null;
    }

    @Override
    public void scan(byte[] from, byte[] to, EntryVisitor visitor) {}
  }
}
