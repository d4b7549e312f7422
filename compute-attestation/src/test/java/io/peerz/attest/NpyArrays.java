package io.peerz.attest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The .npy files the mlp-int8 tests exchange with models/reference.py: version 1.0, C order,
 * little-endian int8 matrices and int64 vectors, as numpy.save writes them.
 */
final class NpyArrays {
  private static final Pattern HEADER =
      Pattern.compile(
          "\\{'descr': '([<|]i[18])', 'fortran_order': False, 'shape': \\((\\d+),(?: (\\d+))?\\), \\}\\s*");

  private NpyArrays() {}

  /** A rows x cols int8 matrix (row-major) as a .npy file. */
  static void writeInt8(Path file, int rows, int cols, byte[] data) throws IOException {
    String dict =
        "{'descr': '|i1', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int total = 10 + dict.length() + 1;
    String padded = dict + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteBuffer out =
        ByteBuffer.allocate(10 + padded.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    out.putShort((short) padded.length());
    out.put(padded.getBytes(StandardCharsets.ISO_8859_1)).put(data);
    Files.write(file, out.array());
  }

  /** The entries of a 2-D int8 .npy file, row-major; {@code shape} receives rows and cols. */
  static byte[] readInt8(Path file, int[] shape) throws IOException {
    Parsed p = parse(Files.readAllBytes(file), "|i1");
    shape[0] = p.rows;
    shape[1] = p.cols;
    byte[] out = new byte[p.body.remaining()];
    p.body.get(out);
    return out;
  }

  /** The entries of a 1-D int64 .npy file. */
  static long[] readInt64(Path file) throws IOException {
    Parsed p = parse(Files.readAllBytes(file), "<i8");
    long[] out = new long[p.rows];
    p.body.asLongBuffer().get(out);
    return out;
  }

  private record Parsed(int rows, int cols, ByteBuffer body) {}

  private static Parsed parse(byte[] bytes, String descr) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    b.position(8);
    int length = b.getShort() & 0xffff;
    String dict = new String(bytes, 10, length, StandardCharsets.ISO_8859_1);
    Matcher m = HEADER.matcher(dict);
    if (!m.matches() || !m.group(1).equals(descr)) {
      throw new IllegalArgumentException("not a " + descr + " .npy header: " + dict);
    }
    int rows = Integer.parseInt(m.group(2));
    int cols = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
    b.position(10 + length);
    return new Parsed(rows, cols, b.slice().order(ByteOrder.LITTLE_ENDIAN));
  }
}
