package io.peerz.ledger;

import io.peerz.ledger.proto.BlockResults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's RocksDB: the event log of decided blocks and their results, the tx index, and the
 * authenticated state. It opens the database and gives each store only the columns it owns (as
 * {@link KeyValueColumn} handles, never the database), and commits a block's state and results as
 * one write. One instance per data directory; thread-safe for one writer and many readers.
 */
public final class LedgerDb implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerDb.class);

  /** Column families; their order is the order of the handles. */
  enum Family {
    DEFAULT("default", false),
    META("meta", false),
    BLOCKS("blocks", true),
    SEEN_COMMITS("seen_commits", false),
    BLOCK_HASHES("block_hashes", false),
    RESULTS("results", true),
    TX_INDEX("tx_index", false),
    TX_BY_HEIGHT("tx_by_height", false),
    EVENT_INDEX("event_index", false),
    STATE("state", false),
    TREE("tree", false),
    STATE_HISTORY("state_history", false),
    STATE_CHANGES("state_changes", true);

    final String cfName;

    /** Written once per height in large values: flushed in small memtables (see #open). */
    final boolean perHeight;

    Family(String cfName, boolean perHeight) {
      this.cfName = cfName;
      this.perHeight = perHeight;
    }
  }

  /**
   * The memtable of a per-height family: an eighth of RocksDB's default. A block's results are
   * about 450 bytes per tx, so a 64 MB memtable filled in some 40 s at 3,500 tx/s, and its flush
   * (about 0.3 s of CPU) was a commit latency peak; flushed in eighths it is not. Their keys are
   * heights, so the flushed files do not overlap and move down the levels without rewriting.
   */
  static final long PER_HEIGHT_WRITE_BUFFER_BYTES = 8L << 20;

  /**
   * Level 0 (what a flush writes) without compression, every level below it Snappy (RocksDB's
   * default): Snappy was 86% of the background threads' samples at 3,500 tx/s, nearly all of it
   * flushes, and a flushed file is read back and compressed again when compacted to level 1 anyway.
   */
  private static final List<org.rocksdb.CompressionType> FLUSHED_UNCOMPRESSED =
      List.of(
          org.rocksdb.CompressionType.NO_COMPRESSION,
          org.rocksdb.CompressionType.SNAPPY_COMPRESSION,
          org.rocksdb.CompressionType.SNAPPY_COMPRESSION,
          org.rocksdb.CompressionType.SNAPPY_COMPRESSION,
          org.rocksdb.CompressionType.SNAPPY_COMPRESSION,
          org.rocksdb.CompressionType.SNAPPY_COMPRESSION,
          org.rocksdb.CompressionType.SNAPPY_COMPRESSION);

  private final Path dir;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final BatchWriter writer;
  private final RocksBlockStore blocks;
  private final RocksStateStore state;
  private final TxIndexer indexer;
  private boolean closed;

  private LedgerDb(
      Path dir,
      DBOptions dbOptions,
      List<ColumnFamilyOptions> cfOptions,
      RocksDB db,
      List<ColumnFamilyHandle> handles,
      boolean indexTxs) {
    this.dir = dir;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.db = db;
    this.handles = handles;
    this.writer = new BatchWriter(db);
    KeyValueColumn meta = column(Family.META);
    this.indexer =
        new TxIndexer(
            column(Family.TX_INDEX),
            column(Family.TX_BY_HEIGHT),
            column(Family.EVENT_INDEX),
            new MetaEntry(meta, TxIndexer.HEIGHT_KEY),
            writer,
            indexTxs);
    this.blocks =
        new RocksBlockStore(
            new RocksBlockStore.Columns(
                column(Family.BLOCKS),
                column(Family.SEEN_COMMITS),
                column(Family.BLOCK_HASHES),
                column(Family.RESULTS),
                new MetaEntry(meta, RocksBlockStore.BASE_KEY),
                new MetaEntry(meta, RocksBlockStore.LAST_KEY)),
            writer,
            indexer);
    this.state =
        new RocksStateStore(
            new RocksStateStore.Columns(
                column(Family.STATE),
                column(Family.TREE),
                column(Family.STATE_HISTORY),
                column(Family.STATE_CHANGES),
                new MetaEntry(meta, RocksStateStore.META_KEY),
                new MetaEntry(meta, RocksStateStore.EARLIEST_KEY)),
            writer,
            indexer::restoredAt);
    indexer.recover(state.height(), blocks);
  }

  /** Opens (creating when absent) the database under {@code dir}, indexing txs. */
  public static LedgerDb open(Path dir) {
    return open(dir, true);
  }

  /**
   * Opens (creating when absent) the database under {@code dir}; {@code indexTxs} false writes no
   * tx index (by hash, height or event) for the blocks committed while so.
   */
  public static LedgerDb open(Path dir, boolean indexTxs) {
    RocksDB.loadLibrary();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create ledger directory " + dir, e);
    }
    DBOptions dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setKeepLogFileNum(5);
    ColumnFamilyOptions keyed =
        new ColumnFamilyOptions().setCompressionPerLevel(FLUSHED_UNCOMPRESSED);
    ColumnFamilyOptions perHeight =
        new ColumnFamilyOptions()
            .setWriteBufferSize(PER_HEIGHT_WRITE_BUFFER_BYTES)
            .setCompressionPerLevel(FLUSHED_UNCOMPRESSED);
    List<ColumnFamilyOptions> cfOptions = List.of(keyed, perHeight);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (Family f : Family.values()) {
      descriptors.add(
          new ColumnFamilyDescriptor(
              f.cfName.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              f.perHeight ? perHeight : keyed));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDB db;
    try {
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      cfOptions.forEach(ColumnFamilyOptions::close);
      dbOptions.close();
      throw KeyValueColumn.storageFailure("open " + dir, e);
    }
    LedgerDb ledger = new LedgerDb(dir, dbOptions, cfOptions, db, handles, indexTxs);
    LOG.info(
        "ledger_opened dir={} block_base={} block_last={} state_height={} app_hash={}"
            + " tx_index={}",
        dir,
        ledger.blocks.baseHeight(),
        ledger.blocks.lastHeight(),
        ledger.state.height(),
        Hex.encodeUpper(ledger.state.appHash()),
        indexTxs ? "kv" : "null");
    return ledger;
  }

  public BlockStore blocks() {
    return blocks;
  }

  public StateStore state() {
    return state;
  }

  /**
   * Commits a staged state with its block's results (app_hash set to the staged root) in one synced
   * RocksDB write: the block store puts the results, the state store its values, tree nodes and
   * height. Then the tx index of {@code txs} (raw bytes, in block order) is written on the
   * indexer's thread; tx reads wait for it. Throws IllegalStateException when {@code staged} was
   * not staged on the current state, IllegalArgumentException when the results do not fit it.
   */
  public void commit(StateStore.PendingCommit staged, BlockResults results, List<byte[]> txs) {
    state.own(staged);
    long t0 = System.nanoTime();
    RocksBlockStore.ResultsWrite write = blocks.writeResults(staged, results, txs.size());
    state.commit(staged, write.batch(), t0, txs.size());
    indexer.submit(staged.height(), write.stored(), txs);
  }

  /**
   * Deletes what is stored for the heights below {@code retainHeight}: blocks, seen commits, block
   * hashes, results and their tx index entries (CometBFT's block pruning, the retain height of
   * ABCI's Commit), a bounded number of heights a call. Returns the lowest height kept.
   */
  public long pruneBlocks(long retainHeight) {
    return blocks.prune(retainHeight);
  }

  /** The raw database, for tests that damage or rewrite storage on purpose; stores get columns. */
  RocksDB db() {
    return db;
  }

  /** A column family's raw handle, for the same tests. */
  ColumnFamilyHandle cf(Family family) {
    return handles.get(family.ordinal());
  }

  private KeyValueColumn column(Family family) {
    return new KeyValueColumn(db, handles.get(family.ordinal()), family.cfName);
  }

  /** Closes the database; later calls do nothing. Using the stores after close is an error. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      indexer.close();
    } catch (RuntimeException e) {
      // Its failure already stopped the commits; the database is closed all the same.
      LOG.error("tx_index_close_failed error={}", e.toString());
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writer.close();
    cfOptions.forEach(ColumnFamilyOptions::close);
    dbOptions.close();
    LOG.info("ledger_closed dir={}", dir);
  }
}
