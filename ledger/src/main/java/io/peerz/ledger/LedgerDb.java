package io.peerz.ledger;

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
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's RocksDB: the event log of decided blocks and their results, the tx index, and the
 * authenticated state. One instance per data directory; thread-safe for one writer and many
 * readers.
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
    TREE("tree", false);

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

  private final Path dir;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final WriteOptions syncWrites;
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
    this.syncWrites = new WriteOptions().setSync(true);
    this.indexer = new TxIndexer(this, indexTxs);
    this.blocks = new RocksBlockStore(this);
    this.state = new RocksStateStore(this);
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
    ColumnFamilyOptions keyed = new ColumnFamilyOptions();
    ColumnFamilyOptions perHeight =
        new ColumnFamilyOptions().setWriteBufferSize(PER_HEIGHT_WRITE_BUFFER_BYTES);
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
      throw storageFailure("open " + dir, e);
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

  RocksDB db() {
    return db;
  }

  ColumnFamilyHandle cf(Family family) {
    return handles.get(family.ordinal());
  }

  TxIndexer indexer() {
    return indexer;
  }

  WriteOptions syncWrites() {
    return syncWrites;
  }

  static UncheckedIOException storageFailure(String what, RocksDBException e) {
    return new UncheckedIOException("ledger storage failed: " + what, new IOException(e));
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
    syncWrites.close();
    cfOptions.forEach(ColumnFamilyOptions::close);
    dbOptions.close();
    LOG.info("ledger_closed dir={}", dir);
  }
}
