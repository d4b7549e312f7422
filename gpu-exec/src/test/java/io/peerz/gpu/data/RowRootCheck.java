package io.peerz.gpu.data;

import io.peerz.ledger.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.IntStream;

/**
 * An input check for tests and the benchmark: the file is rows of {@code rowBytes}, committed to by
 * a Merkle root whose leaves are SHA-256(0x00 || row index (u32 BE) || row) and whose inner nodes
 * are SHA-256(0x01 || left || right), split at the largest power of two below the count (the layout
 * of the output commitment, io.peerz.attest.OutputCommitment). Rows are hashed on every core.
 */
final class RowRootCheck implements InputCheck {
  private static final int MAP_BYTES = 64 << 20;

  private final byte[] root;
  private final int rowBytes;

  RowRootCheck(byte[] root, int rowBytes) {
    this.root = root.clone();
    this.rowBytes = rowBytes;
  }

  @Override
  public void check(Path file) throws DataRejectedException {
    long size;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      size = ch.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (size % rowBytes != 0) {
      throw new DataRejectedException(
          "input/1",
          "the file holds " + size + " bytes, not a whole number of " + rowBytes + "-byte rows");
    }
    byte[] actual = root(file, rowBytes);
    if (!Arrays.equals(actual, root)) {
      throw new DataRejectedException(
          "input/3",
          "the rows hash to root "
              + HexFormat.of().formatHex(actual)
              + ", the job committed to "
              + HexFormat.of().formatHex(root));
    }
  }

  /** The root of the file's rows. */
  static byte[] root(Path file, int rowBytes) {
    try (FileChannel probe = FileChannel.open(file, StandardOpenOption.READ)) {
      long rowsLong = probe.size() / rowBytes;
      if (rowsLong == 0 || rowsLong > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("no rows of " + rowBytes + " bytes in " + file);
      }
      int rows = (int) rowsLong;
      byte[][] leaves = new byte[rows][];
      int parts = Math.max(1, Math.min(rows, Runtime.getRuntime().availableProcessors()));
      IntStream.range(0, parts)
          .parallel()
          .forEach(
              p ->
                  hashRows(
                      file,
                      rowBytes,
                      (int) ((long) rows * p / parts),
                      (int) ((long) rows * (p + 1) / parts),
                      leaves));
      return tree(leaves, 0, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void hashRows(Path file, int rowBytes, int from, int to, byte[][] leaves) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    // Mapped, in windows of whole rows: each row is copied once, from the page cache into the
    // digest, where a read into a heap buffer would copy it twice. Safe because nothing writes
    // or truncates an input while it is checked (the server refuses uploads to it meanwhile).
    int rowsPerMap = Math.max(1, MAP_BYTES / rowBytes);
    byte[] index = new byte[4];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int row = from;
      while (row < to) {
        int n = Math.min(rowsPerMap, to - row);
        MappedByteBuffer map =
            ch.map(FileChannel.MapMode.READ_ONLY, (long) row * rowBytes, (long) n * rowBytes);
        for (int i = 0; i < n; i++, row++) {
          index[0] = (byte) (row >>> 24);
          index[1] = (byte) (row >>> 16);
          index[2] = (byte) (row >>> 8);
          index[3] = (byte) row;
          sha.update((byte) 0);
          sha.update(index);
          map.limit((i + 1) * rowBytes).position(i * rowBytes);
          sha.update(map);
          leaves[row] = sha.digest();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] tree(byte[][] leaves, int from, int to) {
    if (to - from == 1) {
      return leaves[from];
    }
    int split = from + Integer.highestOneBit(to - from - 1);
    return Sha256.hash(new byte[] {1}, tree(leaves, from, split), tree(leaves, split, to));
  }
}
