package io.peerz.consensus;

import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.SnapshotRestore;
import io.peerz.ledger.SnapshotStore;
import io.peerz.ledger.StateProof;
import io.peerz.ledger.StateReader;
import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.StateStore;
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

  /** The codespace and codes of query refusals (docs/errors.md). */
  public static final String CODESPACE = "app";

  public static final int CODE_BAD_QUERY = 1;
  public static final int CODE_HEIGHT_UNAVAILABLE = 2;
  public static final int CODE_NOT_FOUND = 3;

  private final LedgerDb db;
  private final StateMachine machine;
  private final String chainId;
  private final Object checkLock = new Object();
  private CheckState checkState;
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
    GenesisOutcome outcome =
        machine.initChain(
            request.chainId(),
            request.timeMillis(),
            request.appStateBytes(),
            request.validators(),
            state);
    long genesisHeight = request.initialHeight() - 1;
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
      }
      return checkState.check(tx);
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

  @Override
  public List<byte[]> prepareProposal(PrepareProposalRequest request) {
    List<byte[]> out = new ArrayList<>();
    long bytes = 0;
    for (byte[] tx : request.txs()) {
      if (bytes + tx.length > request.maxTxBytes()) {
        break;
      }
      bytes += tx.length;
      out.add(tx);
    }
    return out;
  }

  @Override
  public boolean processProposal(ProcessProposalRequest request) {
    // Every tx in a block gets a result (failures included), so any list of txs is acceptable.
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
    }
  }

  @Override
  public QueryResponse query(QueryRequest request) {
    StateStore state = db.state();
    long height = state.height();
    if (request.height() != 0 && request.height() != height) {
      return error(
          CODE_HEIGHT_UNAVAILABLE,
          "height " + request.height() + " is not available; latest committed is " + height,
          height);
    }
    String path = request.path() == null ? "" : request.path();
    if (path.startsWith("/store/")) {
      byte[] key;
      try {
        key = Hex.decode(path.substring("/store/".length()));
      } catch (IllegalArgumentException e) {
        return error(CODE_BAD_QUERY, "store key is not hex: " + e.getMessage(), height);
      }
      byte[] value;
      byte[] proof = null;
      if (request.prove()) {
        // The value comes from the proof so both describe the same committed state.
        StateProof p = state.prove(key);
        value = p.value();
        proof = p.toBytes();
        height = state.height();
      } else {
        value = state.get(key);
      }
      if (value == null && !request.prove()) {
        return new QueryResponse(
            CODE_NOT_FOUND, CODESPACE, "key not found", key, null, height, null);
      }
      return new QueryResponse(0, "", "", key, value, height, proof);
    }
    QueryResult r = machine.query(state, path, request.data());
    return new QueryResponse(r.code(), r.codespace(), r.log(), r.key(), r.value(), height, null);
  }

  private static QueryResponse error(int code, String log, long height) {
    return new QueryResponse(code, CODESPACE, log, null, null, height, null);
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
