package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Commit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one step a decided block goes through (CometBFT's state/execution.go ApplyBlock): appended to
 * the event log (synced) before it runs, finalized by the application, committed under the
 * mempool's lock with the mempool updated and re-checked (the ledger writes the block's results
 * with the state and indexes its txs on the indexer's thread), then published on the event bus.
 */
public final class BlockExecution implements ConsensusDriver.Execution {

  /** System property (or PEERZ_FAILPOINT) naming a fail point; read once at start. */
  public static final String FAILPOINT_PROPERTY = "peerz.failpoint";

  /** Halts the process right after a block with txs is appended, before it executes. */
  public static final String FAILPOINT_AFTER_BLOCK_APPEND = "after-block-append";

  /** The exit status of a halt at a fail point. */
  public static final int FAILPOINT_EXIT_STATUS = 86;

  private static final Logger log = LoggerFactory.getLogger(BlockExecution.class);

  private final BlockStore blocks;
  private final Application app;
  private final Mempool mempool;
  private final EventBus events;
  private final boolean haltAfterAppend;

  /** Executes into {@code app} over {@code blocks}; {@code failpoint} may be null. */
  public BlockExecution(
      BlockStore blocks, Application app, Mempool mempool, EventBus events, String failpoint) {
    this.blocks = blocks;
    this.app = app;
    this.mempool = mempool;
    this.events = events;
    this.haltAfterAppend = FAILPOINT_AFTER_BLOCK_APPEND.equals(failpoint);
  }

  /** The fail point this process was started with, or null. */
  public static String failpoint() {
    String p = System.getProperty(FAILPOINT_PROPERTY);
    return p != null ? p : System.getenv("PEERZ_FAILPOINT");
  }

  /** A block finalized and committed: the request the application got, its answer, the time. */
  record Executed(
      Application.FinalizeBlockRequest request,
      Application.FinalizeBlockResponse response,
      Duration finalizeTime) {}

  @Override
  public Application.FinalizeBlockResponse apply(Block block, Commit commit) {
    long height = block.getHeader().getHeight();
    long t0 = System.nanoTime();
    blocks.append(block, commit);
    if (haltAfterAppend && block.getTxsCount() > 0) {
      log.warn("failpoint={} height={} halting", FAILPOINT_AFTER_BLOCK_APPEND, height);
      Runtime.getRuntime().halt(FAILPOINT_EXIT_STATUS);
    }
    long t1 = System.nanoTime();
    Executed e = execute(block);
    Application.FinalizeBlockResponse r = e.response();
    log.info(
        "committed height={} round={} txs={} app_hash={} append_ms={} execute_ms={}",
        height,
        commit.getRound(),
        block.getTxsCount(),
        Hex.encodeUpper(r.appHash()),
        (t1 - t0) / 1_000_000,
        (System.nanoTime() - t1) / 1_000_000);
    // Stored and executed: subscribers (the RPC's websocket, metrics) hear of it, off this thread.
    events.publish(
        new EventBus.BlockCommitted(block, commit, r, e.request().misbehavior(), e.finalizeTime()));
    return r;
  }

  /**
   * Finalizes and commits an appended block in the application, updating the mempool; also what
   * crash recovery runs for blocks the log holds and the application has not committed.
   */
  Executed execute(Block block) {
    List<byte[]> txs = new ArrayList<>(block.getTxsCount());
    for (ByteString tx : block.getTxsList()) {
      txs.add(tx.toByteArray());
    }
    Application.FinalizeBlockRequest request =
        new Application.FinalizeBlockRequest(
            txs,
            ChainState.blockId(block).getHash().toByteArray(),
            block.getHeader().getHeight(),
            Blocks.millis(block.getHeader().getTime()),
            block.getHeader().getProposerAddress().toByteArray(),
            Evidence.misbehavior(block));
    long t0 = System.nanoTime();
    Application.FinalizeBlockResponse r = app.finalizeBlock(request);
    long t1 = System.nanoTime();
    mempool.update(block.getHeader().getHeight(), txs, r.txResults(), app::commit);
    log.debug(
        "executed height={} finalize_ms={} commit_and_recheck_ms={}",
        block.getHeader().getHeight(),
        (t1 - t0) / 1_000_000,
        (System.nanoTime() - t1) / 1_000_000);
    return new Executed(request, r, Duration.ofNanos(t1 - t0));
  }
}
