package io.peerz.ledger;

import io.peerz.ledger.LedgerDb.Family;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.TxResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the tx index (by hash, by height and by indexed event attribute) of each committed block
 * on its own thread, as CometBFT's indexer service does: about ten RocksDB entries per tx, which
 * were most of a block's commit time on the consensus thread. One block is indexed at a time, in
 * height order; the next commit waits for the previous block's index, and every index read waits
 * for the block in progress ({@link #awaitIndexed}), so whoever saw a commit finds its txs.
 *
 * <p>The indexed height is stored with each block's index. A node that stopped after committing a
 * block's state but before its index re-indexes it at open from the stored block and results.
 *
 * <p>Disabled (CometBFT's {@code [tx_index] indexer = "null"}, for validators that serve no tx
 * queries) it writes nothing and the indexed height stays where it was: a node switched back to
 * indexing indexes the heights it committed meanwhile when it opens.
 */
final class TxIndexer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TxIndexer.class);
  static final byte[] HEIGHT_KEY = "tx_index.height".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NO_VALUE = new byte[0];

  private final LedgerDb ledger;
  private final boolean enabled;
  private final WriteOptions writes = new WriteOptions();
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "tx-indexer");
            t.setDaemon(true);
            return t;
          });
  private Future<?> pending;
  private RuntimeException failure; // sticky: a lost block index stops every later commit

  TxIndexer(LedgerDb ledger, boolean enabled) {
    this.ledger = ledger;
    this.enabled = enabled;
  }

  /** Whether blocks are indexed; when not, tx and tx_search have nothing to answer from. */
  boolean enabled() {
    return enabled;
  }

  /**
   * Indexes the committed heights that have no index yet: those between the stored indexed height
   * and {@code stateHeight} (a stop between a commit and its index). A store without the key was
   * indexed with each commit.
   */
  void recover(long stateHeight, RocksBlockStore blocks) {
    byte[] stored = read(HEIGHT_KEY);
    long indexed = stored == null ? stateHeight : LedgerKeys.readHeight(stored);
    if (!enabled) {
      if (stored == null) {
        // Everything so far was indexed with its commit; from here on nothing is.
        writeHeight(stateHeight);
      }
      return;
    }
    if (indexed < stateHeight) {
      LOG.info("tx_index_catching_up from={} to={}", indexed + 1, stateHeight);
    }
    int skipped = 0;
    for (long h = indexed + 1; h <= stateHeight; h++) {
      Optional<Block> block = blocks.block(h);
      Optional<BlockResults> results = blocks.results(h);
      if (block.isEmpty() || results.isEmpty()) {
        skipped++;
        continue;
      }
      List<byte[]> txs = new ArrayList<>(block.get().getTxsCount());
      block.get().getTxsList().forEach(tx -> txs.add(tx.toByteArray()));
      write(h, results.get(), txs);
      LOG.info("tx_index_recovered height={} txs={}", h, txs.size());
    }
    if (skipped > 0) {
      LOG.warn(
          "tx_index_recovery_skipped heights={} reason=their blocks or results are not stored",
          skipped);
    }
  }

  /** Indexes a committed block after the previous one is indexed; rethrows that one's failure. */
  synchronized void submit(long height, BlockResults results, List<byte[]> txs) {
    if (!enabled) {
      return;
    }
    awaitIndexed();
    List<byte[]> copy = List.copyOf(txs);
    pending = thread.submit(() -> write(height, results, copy));
  }

  /** Waits until every submitted block is indexed; a failed write is a storage failure. */
  synchronized void awaitIndexed() {
    if (failure != null) {
      throw failure;
    }
    Future<?> p = pending;
    if (p == null) {
      return;
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          p.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      pending = null;
      failure =
          e.getCause() instanceof RuntimeException r
              ? r
              : new IllegalStateException("tx index write failed", e.getCause());
      throw failure;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    pending = null;
  }

  private void write(long height, BlockResults results, List<byte[]> txs) {
    ColumnFamilyHandle txIndex = ledger.cf(Family.TX_INDEX);
    ColumnFamilyHandle txByHeight = ledger.cf(Family.TX_BY_HEIGHT);
    ColumnFamilyHandle eventIndex = ledger.cf(Family.EVENT_INDEX);
    List<byte[][]> byHash = new ArrayList<>(txs.size()); // {hash, position}
    List<byte[]> events = new ArrayList<>(txs.size() * 8);
    EncodedWriteBatch batch = new EncodedWriteBatch(1 << 16);
    for (int i = 0; i < txs.size(); i++) {
      byte[] tx = txs.get(i);
      byte[] hash = Transactions.hash(tx);
      byte[] position = LedgerKeys.heightIndex(height, i);
      // Positions only: the tx is in the stored block, and the hash one lookup away by position.
      byHash.add(new byte[][] {hash, position});
      batch.put(txByHeight, position, hash);
      TxResult result = results.getTxResults(i);
      for (Event event : result.getEventsList()) {
        for (EventAttribute attr : event.getAttributesList()) {
          if (attr.getIndex()) {
            // As bytes: the attributes are built as UTF-8, and strings would be decoded for this.
            events.add(
                LedgerKeys.eventKey(
                    event.getTypeBytes(), attr.getKeyBytes(), attr.getValueBytes(), position));
          }
        }
      }
    }
    // In key order: RocksDB's memtable inserts each key from where the previous one went, so
    // sorted keys (hashes and event values are in no order) cost it a short search each.
    byHash.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    for (byte[][] e : byHash) {
      batch.put(txIndex, e[0], e[1]);
    }
    events.sort(Arrays::compareUnsigned);
    for (byte[] key : events) {
      batch.put(eventIndex, key, NO_VALUE);
    }
    batch.put(ledger.cf(Family.META), HEIGHT_KEY, LedgerKeys.height(height));
    // Not synced: the state commit before it was, and recovery re-indexes a lost block.
    try (WriteBatch b = batch.build()) {
      ledger.db().write(writes, b);
    } catch (RocksDBException e) {
      throw LedgerDb.storageFailure("index height " + height, e);
    }
  }

  private void writeHeight(long height) {
    try {
      ledger.db().put(ledger.cf(Family.META), writes, HEIGHT_KEY, LedgerKeys.height(height));
    } catch (RocksDBException e) {
      throw LedgerDb.storageFailure("index height " + height, e);
    }
  }

  private byte[] read(byte[] key) {
    try {
      return ledger.db().get(ledger.cf(Family.META), key);
    } catch (RocksDBException e) {
      throw LedgerDb.storageFailure("read " + new String(key, StandardCharsets.UTF_8), e);
    }
  }

  /** Waits for the block in progress and stops the thread. */
  @Override
  public void close() {
    try {
      awaitIndexed();
    } finally {
      thread.shutdown();
      writes.close();
    }
  }
}
