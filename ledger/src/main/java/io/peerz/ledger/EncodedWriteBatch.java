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

  /**
   * A batch of exactly {@code bytes} bytes ({@link #HEADER} plus each record's {@link
   * #recordSize}): {@link #build} then hands RocksDB its array without copying it.
   */
  static EncodedWriteBatch exactly(int bytes) {
    EncodedWriteBatch batch = new EncodedWriteBatch(0);
    batch.buf = new byte[bytes];
    return batch;
  }

  /** The bytes a batch's header takes. */
  static int headerSize() {
    return HEADER;
  }

  /** The bytes one put of a {@code keyLength}-byte key and {@code valueLength}-byte value takes. */
  static int recordSize(ColumnFamilyHandle cf, int keyLength, int valueLength) {
    return recordSize(cf.getID(), keyLength, valueLength);
  }

  /** {@link #recordSize(ColumnFamilyHandle, int, int)} by the column family's id. */
  static int recordSize(int id, int keyLength, int valueLength) {
    return 1
        + (id == 0 ? 0 : varintSize(id))
        + varintSize(keyLength)
        + keyLength
        + varintSize(valueLength)
        + valueLength;
  }

  void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    put(cf.getID(), key, 0, key.length, value);
  }

  /**
   * A put into the column family numbered {@code id} ({@link ColumnFamilyHandle#getID}, a JNI call
   * the caller makes once) whose key is {@code length} bytes of {@code keys} from {@code offset}.
   */
  void put(int id, byte[] keys, int offset, int length, byte[] value) {
    ensure(recordSize(id, length, value.length));
    tag(id, TYPE_VALUE, TYPE_CF_VALUE);
    varint(length);
    System.arraycopy(keys, offset, buf, len, length);
    len += length;
    varint(value.length);
    bytes(value);
    count++;
  }

  void delete(ColumnFamilyHandle cf, byte[] key) {
    int id = cf.getID();
    ensure(1 + (id == 0 ? 0 : varintSize(id)) + varintSize(key.length) + key.length);
    tag(id, TYPE_DELETION, TYPE_CF_DELETION);
    varint(key.length);
    bytes(key);
    count++;
  }

  int count() {
    return count;
  }

  /** The room left in the array: 0 when a batch sized by {@link #recordSize} is full. */
  int remaining() {
    return buf.length - len;
  }

  /**
   * The batch for RocksDB (to be closed by the caller). A batch filled to its exact size gives its
   * own array (RocksDB copies it): a second copy is another 1-2 MB of heap per 2,000-tx block.
   */
  WriteBatch build() {
    byte[] out = len == buf.length ? buf : Arrays.copyOf(buf, len);
    out[8] = (byte) count;
    out[9] = (byte) (count >>> 8);
    out[10] = (byte) (count >>> 16);
    out[11] = (byte) (count >>> 24);
    return new WriteBatch(out);
  }

  private void tag(int id, byte defaultType, byte cfType) {
    if (id == 0) {
      buf[len++] = defaultType;
    } else {
      buf[len++] = cfType;
      varint(id);
    }
  }

  private static int varintSize(int v) {
    int size = 1;
    while ((v & ~0x7F) != 0) {
      size++;
      v >>>= 7;
    }
    return size;
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

  /** Room for a record of {@code bytes} bytes. */
  private void ensure(int bytes) {
    int needed = len + bytes;
    if (needed > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
    }
  }
}
