package io.peerz.ledger;

import java.util.Arrays;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.WriteBatch;

/**
 * A RocksDB write batch built in Java and handed to RocksDB in one call: each {@link
 * WriteBatch#put} is a JNI call that copies its arrays, and a block's commit makes about ten per tx
 * (the tx index and the event index), which cost the consensus thread more than encoding them here.
 * The bytes are RocksDB's WriteBatch representation (db/write_batch.cc): a 12-byte header (8-byte
 * sequence, set by the write, and the fixed32 little-endian count), then per record a tag, the
 * column family id as a varint32 for families other than the default, and the length-prefixed key
 * and value. {@link #build} gives the same batch as the puts and deletes would (the tests compare
 * with {@link WriteBatch#data()}). Not thread-safe.
 */
final class EncodedWriteBatch {
  private static final int HEADER = 12;
  private static final byte TYPE_DELETION = 0x0;
  private static final byte TYPE_VALUE = 0x1;
  private static final byte TYPE_CF_DELETION = 0x4;
  private static final byte TYPE_CF_VALUE = 0x5;

  private byte[] buf;
  private int len = HEADER;
  private int count;

  EncodedWriteBatch(int expectedBytes) {
    buf = new byte[Math.max(HEADER + 64, expectedBytes)];
  }

  void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    ensure(key.length + value.length);
    tag(cf, TYPE_VALUE, TYPE_CF_VALUE);
    varint(key.length);
    bytes(key);
    varint(value.length);
    bytes(value);
    count++;
  }

  void delete(ColumnFamilyHandle cf, byte[] key) {
    ensure(key.length);
    tag(cf, TYPE_DELETION, TYPE_CF_DELETION);
    varint(key.length);
    bytes(key);
    count++;
  }

  int count() {
    return count;
  }

  /** The batch for RocksDB (to be closed by the caller). */
  WriteBatch build() {
    byte[] out = Arrays.copyOf(buf, len);
    out[8] = (byte) count;
    out[9] = (byte) (count >>> 8);
    out[10] = (byte) (count >>> 16);
    out[11] = (byte) (count >>> 24);
    return new WriteBatch(out);
  }

  private void tag(ColumnFamilyHandle cf, byte defaultType, byte cfType) {
    int id = cf.getID();
    if (id == 0) {
      buf[len++] = defaultType;
    } else {
      buf[len++] = cfType;
      varint(id);
    }
  }

  private void varint(int v) {
    while ((v & ~0x7F) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
  }

  private void bytes(byte[] b) {
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  /** Room for {@code data} bytes of a record and its tag and three varints (16 bytes at most). */
  private void ensure(int data) {
    int needed = len + data + 16;
    if (needed > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
    }
  }
}
