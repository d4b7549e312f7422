package io.peerz.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * One column family of the ledger's RocksDB as the one store that owns it sees it (Besu's
 * KeyValueStorage): reads, iterators, and puts and deletes into a write batch that a {@link
 * BatchWriter} writes. A store holds the columns it owns and never the database.
 */
final class KeyValueColumn {
  private final RocksDB db;
  private final ColumnFamilyHandle cf;
  private final String name;
  private final int id; // the handle's, read once: each read is a JNI call

  KeyValueColumn(RocksDB db, ColumnFamilyHandle cf, String name) {
    this.db = db;
    this.cf = cf;
    this.name = name;
    this.id = cf.getID();
  }

  /** The value of {@code key}, or null. */
  byte[] get(byte[] key) {
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw KeyValueColumn.storageFailure("read " + name, e);
    }
  }

  /** An iterator over the column as it is now; close it. */
  RocksIterator iterator() {
    return db.newIterator(cf);
  }

  void put(EncodedWriteBatch batch, byte[] key, byte[] value) {
    batch.put(id, key, 0, key.length, value);
  }

  /** A put of the {@code length}-byte key at {@code offset} of {@code keys}. */
  void put(EncodedWriteBatch batch, byte[] keys, int offset, int length, byte[] value) {
    batch.put(id, keys, offset, length, value);
  }

  /** The bytes a put of this size into this column takes in an {@link EncodedWriteBatch}. */
  int recordSize(int keyLength, int valueLength) {
    return EncodedWriteBatch.recordSize(id, keyLength, valueLength);
  }

  void delete(EncodedWriteBatch batch, byte[] key) {
    batch.delete(cf, key);
  }

  void put(WriteBatch batch, byte[] key, byte[] value) throws RocksDBException {
    batch.put(cf, key, value);
  }

  void delete(WriteBatch batch, byte[] key) throws RocksDBException {
    batch.delete(cf, key);
  }

  /** The exception every store throws when RocksDB fails under it: the node cannot go on. */
  static UncheckedIOException storageFailure(String what, RocksDBException e) {
    return new UncheckedIOException("ledger storage failed: " + what, new IOException(e));
  }

  /** The column's name, for errors. */
  String name() {
    return name;
  }
}
