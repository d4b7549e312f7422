package io.peerz.ledger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The ledger database's key layouts (the state machine's are its own): big-endian, so RocksDB's
 * byte order is height order.
 */
final class LedgerKeys {
  private LedgerKeys() {}

  static byte[] height(long height) {
    return ByteBuffer.allocate(8).putLong(height).array();
  }

  static long readHeight(byte[] bytes) {
    return ByteBuffer.wrap(bytes).getLong();
  }

  static byte[] heightIndex(long height, int index) {
    return ByteBuffer.allocate(12).putLong(height).putInt(index).array();
  }

  /** Length-prefixed {@code type.key} and value: the prefix of an event index key. */
  static byte[] eventPrefix(String compositeKey, String value) {
    byte[] k = compositeKey.getBytes(StandardCharsets.UTF_8);
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + k.length + v.length)
        .putInt(k.length)
        .put(k)
        .putInt(v.length)
        .put(v)
        .array();
  }

  /**
   * {@link #eventPrefix} of {@code type + "." + key} and {@code value} (UTF-8 bytes), followed by
   * {@code position}: an event index key built in one array.
   */
  static byte[] eventKey(
      com.google.protobuf.ByteString type,
      com.google.protobuf.ByteString key,
      com.google.protobuf.ByteString value,
      byte[] position) {
    int k = type.size() + 1 + key.size();
    byte[] out = new byte[8 + k + value.size() + position.length];
    ByteBuffer b = ByteBuffer.wrap(out);
    b.putInt(k);
    type.copyTo(out, 4);
    out[4 + type.size()] = '.';
    key.copyTo(out, 5 + type.size());
    b.putInt(4 + k, value.size());
    value.copyTo(out, 8 + k);
    System.arraycopy(position, 0, out, 8 + k + value.size(), position.length);
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }
}
