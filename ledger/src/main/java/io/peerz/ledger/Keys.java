package io.peerz.ledger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Big-endian key layouts, so RocksDB's byte order is height order. */
final class Keys {
  private Keys() {}

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
    return eventPrefix(
        compositeKey.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  /** {@link #eventPrefix(String, String)} of UTF-8 bytes. */
  static byte[] eventPrefix(byte[] k, byte[] v) {
    return ByteBuffer.allocate(8 + k.length + v.length)
        .putInt(k.length)
        .put(k)
        .putInt(v.length)
        .put(v)
        .array();
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
