package io.peerz.ledger;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** One key of the meta column, owned by one store: where it records what it has written up to. */
record MetaEntry(KeyValueColumn meta, byte[] key) {

  /** The stored value, or null. */
  byte[] read() {
    return meta.get(key);
  }

  /** The bytes a put of a {@code valueLength}-byte value takes in an {@link EncodedWriteBatch}. */
  int recordSize(int valueLength) {
    return meta.recordSize(key.length, valueLength);
  }

  void put(EncodedWriteBatch batch, byte[] value) {
    meta.put(batch, key, value);
  }

  void put(WriteBatch batch, byte[] value) throws RocksDBException {
    meta.put(batch, key, value);
  }
}
