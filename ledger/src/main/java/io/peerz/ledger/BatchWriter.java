package io.peerz.ledger;

import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** Writes the batches the stores build to the ledger's RocksDB, atomically, synced or not. */
final class BatchWriter implements AutoCloseable {
  private final RocksDB db;
  private final WriteOptions synced = new WriteOptions().setSync(true);
  private final WriteOptions unsynced = new WriteOptions();

  BatchWriter(RocksDB db) {
    this.db = db;
  }

  /** Writes {@code batch} and syncs the log before returning; {@code what} names it in errors. */
  void writeSynced(WriteBatch batch, String what) {
    write(synced, batch, what);
  }

  /** Writes {@code batch} without waiting for the disk (what a crash loses is written again). */
  void write(WriteBatch batch, String what) {
    write(unsynced, batch, what);
  }

  private void write(WriteOptions options, WriteBatch batch, String what) {
    try {
      db.write(options, batch);
    } catch (RocksDBException e) {
      throw KeyValueColumn.storageFailure(what, e);
    }
  }

  @Override
  public void close() {
    synced.close();
    unsynced.close();
  }
}
