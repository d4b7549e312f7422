package io.peerz.ledger;

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
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
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
 *
 * <p>It owns the index's columns: the block store's tx queries read them through it.
 */
final class TxIndexer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TxIndexer.class);
  static final byte[] HEIGHT_KEY = "tx_index.height".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NO_VALUE = new byte[0];

  private final KeyValueColumn txIndex;
  private final KeyValueColumn txByHeight;
  private final KeyValueColumn eventIndex;
  private final MetaEntry indexedHeight;
  private final BatchWriter writer;
  private final boolean enabled;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "tx-indexer");
            t.setDaemon(true);
            return t;
          });
  // The event keys of the block being indexed; reused, one block at a time (recover, then the
  // thread).
  private final KeyArena eventKeys = new KeyArena();
  private Future<?> pending;
  private RuntimeException failure; // sticky: a lost block index stops every later commit

  TxIndexer(
      KeyValueColumn txIndex,
      KeyValueColumn txByHeight,
      KeyValueColumn eventIndex,
      MetaEntry indexedHeight,
      BatchWriter writer,
      boolean enabled) {
    this.txIndex = txIndex;
    this.txByHeight = txByHeight;
    this.eventIndex = eventIndex;
    this.indexedHeight = indexedHeight;
    this.writer = writer;
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
  void recover(long stateHeight, BlockStore blocks) {
    byte[] stored = indexedHeight.read();
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
    int n = txs.size();
    List<byte[][]> byHash = new ArrayList<>(n); // {hash, position}
    KeyArena events = eventKeys;
    events.clear();
    // Sized exactly, so the batch is built without a copy (EncodedWriteBatch#build).
    int bytes = EncodedWriteBatch.headerSize() + indexedHeight.recordSize(8);
    for (int i = 0; i < n; i++) {
      byte[] hash = Transactions.hash(txs.get(i));
      byte[] position = LedgerKeys.heightIndex(height, i);
      // Positions only: the tx is in the stored block, and the hash one lookup away by position.
      byHash.add(new byte[][] {hash, position});
      bytes +=
          txByHeight.recordSize(position.length, hash.length)
              + txIndex.recordSize(hash.length, position.length);
      TxResult result = results.getTxResults(i);
      for (Event event : result.getEventsList()) {
        for (EventAttribute attr : event.getAttributesList()) {
          if (attr.getIndex()) {
            // As bytes: the attributes are built as UTF-8, and strings would be decoded for this.
            int length =
                LedgerKeys.eventKeyLength(
                    event.getTypeBytes(), attr.getKeyBytes(), attr.getValueBytes());
            int at = events.add(length);
            LedgerKeys.writeEventKey(
                events.bytes(),
                at,
                event.getTypeBytes(),
                attr.getKeyBytes(),
                attr.getValueBytes(),
                height,
                i);
            bytes += eventIndex.recordSize(length, 0);
          }
        }
      }
    }
    EncodedWriteBatch batch = EncodedWriteBatch.exactly(bytes);
    for (byte[][] e : byHash) {
      txByHeight.put(batch, e[1], e[0]); // in position order, the key order
    }
    // In key order: RocksDB's memtable inserts each key from where the previous one went, so
    // sorted keys (hashes and event values are in no order) cost it a short search each.
    byHash.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    for (byte[][] e : byHash) {
      txIndex.put(batch, e[0], e[1]);
    }
    int[] order = events.sorted();
    byte[] keys = events.bytes();
    for (int k = 0; k < events.size(); k++) {
      int e = order[k];
      eventIndex.put(batch, keys, events.start(e), events.length(e), NO_VALUE);
    }
    indexedHeight.put(batch, LedgerKeys.height(height));
    // Not synced: the state commit before it was, and recovery re-indexes a lost block.
    try (WriteBatch b = batch.build()) {
      writer.write(b, "index height " + height);
    }
  }

  /**
   * A state restored from a snapshot at {@code height}, in the restore's batch: no block below it
   * is stored here, so none is left to index.
   */
  void restoredAt(WriteBatch batch, long height) throws RocksDBException {
    indexedHeight.put(batch, LedgerKeys.height(height));
  }

  /**
   * Deletes, into {@code batch}, the index entries of the txs committed at {@code height}: by
   * height, by hash (unless the hash now points at a later commit of the same bytes) and by event
   * ({@code results} gives their attributes; null when they are gone). The block store prunes with
   * this, after {@link #awaitIndexed}.
   */
  void prune(WriteBatch batch, long height, BlockResults results) throws RocksDBException {
    try (RocksIterator it = txByHeight.iterator()) {
      for (it.seek(LedgerKeys.heightIndex(height, 0)); it.isValid(); it.next()) {
        byte[] position = it.key();
        if (LedgerKeys.readHeight(position) != height) {
          break;
        }
        byte[] hash = it.value();
        txByHeight.delete(batch, position);
        byte[] at = txIndex.get(hash);
        if (at != null && at.length >= 12 && Arrays.equals(at, 0, 12, position, 0, 12)) {
          txIndex.delete(batch, hash);
        }
        int index = java.nio.ByteBuffer.wrap(position, 8, 4).getInt();
        if (results == null || index < 0 || index >= results.getTxResultsCount()) {
          continue;
        }
        for (Event event : results.getTxResults(index).getEventsList()) {
          for (EventAttribute attr : event.getAttributesList()) {
            if (attr.getIndex()) {
              eventIndex.delete(
                  batch,
                  LedgerKeys.eventKey(
                      event.getTypeBytes(), attr.getKeyBytes(), attr.getValueBytes(), position));
            }
          }
        }
      }
      RocksStateStore.checkIterator(it);
    }
  }

  private void writeHeight(long height) {
    try (WriteBatch batch = new WriteBatch()) {
      indexedHeight.put(batch, LedgerKeys.height(height));
      writer.write(batch, "index height " + height);
    } catch (RocksDBException e) {
      throw KeyValueColumn.storageFailure("index height " + height, e);
    }
  }

  private void requireIndex() {
    if (!enabled) {
      throw new TxIndexDisabledException();
    }
  }

  /** Where a committed tx sits ({@link BlockStore#tx}), its bytes read from {@code blocks}. */
  Optional<BlockStore.TxLocation> tx(byte[] txHash, Blocks blocks) {
    requireIndex();
    awaitIndexed();
    byte[] bytes = txIndex.get(txHash);
    if (bytes == null) {
      return Optional.empty();
    }
    return Optional.of(location(txHash, bytes, new BlockCache(blocks)));
  }

  /** The stored blocks the index points into. */
  interface Blocks {
    Optional<Block> block(long height);
  }

  /** The last block a search read: its results come in height order, many from one block. */
  private static final class BlockCache {
    private final Blocks blocks;
    private long height = -1;
    private Block block;

    BlockCache(Blocks blocks) {
      this.blocks = blocks;
    }

    byte[] tx(long h, int index) {
      if (h != height) {
        block =
            blocks
                .block(h)
                .orElseThrow(
                    () -> new IllegalStateException("block " + h + " of an indexed tx is missing"));
        height = h;
      }
      if (index < 0 || index >= block.getTxsCount()) {
        throw new IllegalStateException(
            "block " + h + " has " + block.getTxsCount() + " txs, the index points at " + index);
      }
      return block.getTxs(index).toByteArray();
    }
  }

  /**
   * A tx index entry: its position (height, index), followed by the tx itself in entries written
   * before the index kept positions only; newer entries take the tx from the stored block.
   */
  private static BlockStore.TxLocation location(
      byte[] txHash, byte[] indexValue, BlockCache blocks) {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(indexValue);
    long height = buf.getLong();
    int index = buf.getInt();
    byte[] tx =
        indexValue.length > 12
            ? Arrays.copyOfRange(indexValue, 12, indexValue.length)
            : blocks.tx(height, index);
    return new BlockStore.TxLocation(height, index, txHash.clone(), tx);
  }

  /** {@link BlockStore#searchTxs} over this index, tx bytes read from {@code blocks}. */
  List<BlockStore.TxLocation> search(List<TxQuery.Condition> conditions, int limit, Blocks blocks) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    requireIndex();
    awaitIndexed();
    long lo = 0;
    long hi = Long.MAX_VALUE;
    byte[] hash = null;
    List<byte[]> eventPrefixes = new ArrayList<>();
    for (TxQuery.Condition c : conditions) {
      switch (c.key()) {
        case TxQuery.HEIGHT -> {
          long v = number(c.value());
          switch (c.op()) {
            case "=" -> {
              lo = Math.max(lo, v);
              hi = Math.min(hi, v);
            }
            case "<" -> hi = Math.min(hi, v - 1);
            case "<=" -> hi = Math.min(hi, v);
            case ">" -> lo = Math.max(lo, v == Long.MAX_VALUE ? v : v + 1);
            case ">=" -> lo = Math.max(lo, v);
            default -> throw new IllegalArgumentException("unknown operator " + c.op());
          }
        }
        case TxQuery.HASH -> {
          requireEquals(c);
          byte[] h = Hex.decode(c.value());
          if (hash != null && !Arrays.equals(hash, h)) {
            return List.of();
          }
          hash = h;
        }
        default -> {
          requireEquals(c);
          eventPrefixes.add(LedgerKeys.eventPrefix(c.key(), c.value()));
        }
      }
    }
    if (lo > hi) {
      return List.of();
    }
    List<BlockStore.TxLocation> found = new ArrayList<>();
    if (hash != null) {
      Optional<BlockStore.TxLocation> loc = tx(hash, blocks);
      if (loc.isPresent()
          && loc.get().height() >= lo
          && loc.get().height() <= hi
          && matchesAll(eventPrefixes, 0, loc.get().height(), loc.get().index())) {
        found.add(loc.get());
      }
      return found;
    }
    if (eventPrefixes.isEmpty()) {
      scanByHeight(lo, hi, limit, found, blocks);
    } else {
      scanByEvent(eventPrefixes, lo, hi, limit, found, blocks);
    }
    return found;
  }

  private void scanByHeight(
      long lo, long hi, int limit, List<BlockStore.TxLocation> found, Blocks stored) {
    BlockCache blocks = new BlockCache(stored);
    try (RocksIterator it = txByHeight.iterator()) {
      for (it.seek(LedgerKeys.heightIndex(lo, 0));
          it.isValid() && found.size() < limit;
          it.next()) {
        if (LedgerKeys.readHeight(it.key()) > hi) {
          break;
        }
        byte[] txHash = it.value();
        byte[] indexValue = txIndex.get(txHash);
        if (indexValue != null) {
          found.add(location(txHash, indexValue, blocks));
        }
      }
      RocksStateStore.checkIterator(it);
    }
  }

  private void scanByEvent(
      List<byte[]> prefixes,
      long lo,
      long hi,
      int limit,
      List<BlockStore.TxLocation> found,
      Blocks stored) {
    BlockCache blocks = new BlockCache(stored);
    byte[] first = prefixes.get(0);
    try (RocksIterator it = eventIndex.iterator()) {
      for (it.seek(LedgerKeys.concat(first, LedgerKeys.heightIndex(lo, 0)));
          it.isValid() && found.size() < limit;
          it.next()) {
        byte[] key = it.key();
        if (!LedgerKeys.startsWith(key, first) || key.length != first.length + 12) {
          break;
        }
        java.nio.ByteBuffer pos = java.nio.ByteBuffer.wrap(key, first.length, 12);
        long height = pos.getLong();
        int index = pos.getInt();
        if (height > hi) {
          break;
        }
        if (matchesAll(prefixes, 1, height, index)) {
          // Entries written before the index kept positions only carry the tx hash.
          byte[] txHash =
              it.value().length > 0
                  ? it.value()
                  : txByHeight.get(LedgerKeys.heightIndex(height, index));
          byte[] indexValue = txHash == null ? null : txIndex.get(txHash);
          if (indexValue != null) {
            BlockStore.TxLocation loc = location(txHash, indexValue, blocks);
            // The same bytes committed again later point the hash at the later place.
            found.add(new BlockStore.TxLocation(height, index, loc.hash(), loc.tx()));
          }
        }
      }
      RocksStateStore.checkIterator(it);
    }
  }

  private boolean matchesAll(List<byte[]> prefixes, int from, long height, int index) {
    byte[] position = LedgerKeys.heightIndex(height, index);
    for (int i = from; i < prefixes.size(); i++) {
      if (eventIndex.get(LedgerKeys.concat(prefixes.get(i), position)) == null) {
        return false;
      }
    }
    return true;
  }

  private static void requireEquals(TxQuery.Condition c) {
    if (!c.op().equals("=")) {
      throw new IllegalArgumentException(
          "operator " + c.op() + " is only supported on tx.height; use = for '" + c.key() + "'");
    }
  }

  private static long number(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("tx.height must be a whole number, got '" + value + "'");
    }
  }

  /** Waits for the block in progress and stops the thread. */
  @Override
  public void close() {
    try {
      awaitIndexed();
    } finally {
      thread.shutdown();
    }
  }
}
