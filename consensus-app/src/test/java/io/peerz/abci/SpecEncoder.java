package io.peerz.abci;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A protobuf writer that knows nothing but field numbers and wire types, so frames built with it
 * check the generated classes' field numbers against CometBFT's specification instead of against
 * themselves. Fields are written in the order they are added.
 */
final class SpecEncoder {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static SpecEncoder message() {
    return new SpecEncoder();
  }

  /** A varint field (int32, int64, uint64, bool, enum); negative ints take ten bytes. */
  SpecEncoder varint(int field, long value) {
    uvarint(out, (long) field << 3);
    uvarint(out, value);
    return this;
  }

  SpecEncoder bytes(int field, byte[] value) {
    uvarint(out, ((long) field << 3) | 2);
    uvarint(out, value.length);
    out.writeBytes(value);
    return this;
  }

  SpecEncoder string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  SpecEncoder message(int field, SpecEncoder value) {
    return bytes(field, value.toBytes());
  }

  byte[] toBytes() {
    return out.toByteArray();
  }

  /** The frame CometBFT writes: unsigned varint length, then the message. */
  static byte[] frame(byte[] message) {
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    uvarint(framed, message.length);
    framed.writeBytes(message);
    return framed.toByteArray();
  }

  static void uvarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  /** One decoded field: its number, wire type and either a varint or the bytes of a length. */
  record Field(int number, int wireType, long varint, byte[] bytes) {}

  /** Splits a message into its top-level fields (varint and length-delimited only). */
  static List<Field> fields(byte[] message) {
    List<Field> fields = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < message.length) {
      long key = readUvarint(message, pos);
      int number = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      switch (wireType) {
        case 0 -> fields.add(new Field(number, 0, readUvarint(message, pos), null));
        case 2 -> {
          int len = (int) readUvarint(message, pos);
          byte[] b = new byte[len];
          System.arraycopy(message, pos[0], b, 0, len);
          pos[0] += len;
          fields.add(new Field(number, 2, 0, b));
        }
        default -> throw new IllegalArgumentException("wire type " + wireType);
      }
    }
    return fields;
  }

  /** The one field with this number (fails if absent or repeated). */
  static Field field(byte[] message, int number) {
    List<Field> matches = fields(message).stream().filter(f -> f.number() == number).toList();
    if (matches.size() != 1) {
      throw new AssertionError("expected one field " + number + ", found " + fields(message));
    }
    return matches.get(0);
  }

  static long readUvarint(byte[] b, int[] pos) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int x = b[pos[0]++] & 0xFF;
      value |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("varint too long");
  }
}
