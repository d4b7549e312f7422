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
    byte[] out = new byte[eventKeyLength(type, key, value)];
    ByteBuffer p = ByteBuffer.wrap(position);
    writeEventKey(out, 0, type, key, value, p.getLong(), p.getInt());
    return out;
  }

  /** The length of an {@link #eventKey}. */
  static int eventKeyLength(
      com.google.protobuf.ByteString type,
      com.google.protobuf.ByteString key,
      com.google.protobuf.ByteString value) {
    return 8 + type.size() + 1 + key.size() + value.size() + 12;
  }

  /**
   * Writes the {@link #eventKey} of the tx at ({@code height}, {@code index}) into {@code out} at
   * {@code at}, {@link #eventKeyLength} bytes.
   */
  static void writeEventKey(
      byte[] out,
      int at,
      com.google.protobuf.ByteString type,
      com.google.protobuf.ByteString key,
      com.google.protobuf.ByteString value,
      long height,
      int index) {
    int k = type.size() + 1 + key.size();
    ByteBuffer b = ByteBuffer.wrap(out);
    b.putInt(at, k);
    type.copyTo(out, at + 4);
    out[at + 4 + type.size()] = '.';
    key.copyTo(out, at + 5 + type.size());
    b.putInt(at + 4 + k, value.size());
    value.copyTo(out, at + 8 + k);
    int p = at + 8 + k + value.size();
    b.putLong(p, height);
    b.putInt(p + 8, index);
  }

  /**
   * {@code key} in an encoding that keeps unsigned byte order and ends where it ends
   * (FoundationDB's tuple layer for byte strings): each 0x00 becomes 0x00 0xFF, then a 0x00
   * terminates. Followed by a height it orders a key's versions after one another, each key's
   * before the next key's.
   */
  static byte[] orderedKey(byte[] key) {
    int zeros = 0;
    for (byte b : key) {
      if (b == 0) {
        zeros++;
      }
    }
    byte[] out = new byte[key.length + zeros + 1];
    int at = 0;
    for (byte b : key) {
      out[at++] = b;
      if (b == 0) {
        out[at++] = (byte) 0xff;
      }
    }
    out[at] = 0;
    return out;
  }

  /** The state key at the start of {@code encoded} ({@link #orderedKey}, then anything). */
  static byte[] decodeOrderedKey(byte[] encoded) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(encoded.length);
    for (int i = 0; i < encoded.length; i++) {
      byte b = encoded[i];
      if (b == 0) {
        if (i + 1 < encoded.length && encoded[i + 1] == (byte) 0xff) {
          out.write(0);
          i++;
          continue;
        }
        return out.toByteArray();
      }
      out.write(b);
    }
    throw new IllegalStateException("ordered key without its terminator");
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
