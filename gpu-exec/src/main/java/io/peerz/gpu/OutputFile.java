package io.peerz.gpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A whole int8-gemm output on disk: the n x n int32 entries of C, row-major, each little-endian, no
 * header (4 n^2 bytes). Row i is exactly the bytes the output commitment hashes for row i.
 */
public final class OutputFile {
  private OutputFile() {}

  /** Writes C, replacing the file. */
  public static void write(Path file, int[] c) {
    ByteBuffer buf = ByteBuffer.allocate(4 * c.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asIntBuffer().put(c);
    try {
      Files.write(file, buf.array());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the output of an n x n product; throws IllegalArgumentException when the file does not
   * hold exactly 4 n^2 bytes.
   */
  public static int[] read(Path file, int n) {
    long expected = 4L * n * n;
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size != expected) {
        throw new IllegalArgumentException(
            file
                + " holds "
                + size
                + " bytes; an int8-gemm-"
                + n
                + " output is "
                + expected
                + " (n^2 int32, little-endian, row-major)");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    int[] c = new int[n * n];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(c);
    return c;
  }
}
