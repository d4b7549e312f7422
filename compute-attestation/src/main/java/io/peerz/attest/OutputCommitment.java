package io.peerz.attest;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.Reveal;
import io.peerz.attest.proto.RevealedRow;
import io.peerz.ledger.Sha256;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * An executor's commitment to an n x n int32 output: row i is serialized as n little-endian int32
 * (4n bytes), its leaf is SHA-256(0x00 || i (u32 BE) || row bytes), and the root is CometBFT's
 * binary Merkle root over the leaves (split at the largest power of two below the count). Keeps the
 * tree so it can prove any row and answer a challenge.
 *
 * <p>Built from the whole output ({@link #of}), or from the leaf hashes alone and a {@link
 * RowSource} that fetches the rows a challenge asks for ({@link #ofLeaves}): a GPU that computed C
 * and its leaves on the device hands back only those, and the same tree gives the same root and
 * proofs. A row from a source is checked against its leaf before it is revealed.
 */
public final class OutputCommitment {
  /**
   * Where a commitment built from leaf hashes gets rows: each as committed (4n bytes), in the order
   * asked. Asked once per challenge with all its rows, so a source that recomputes can share work.
   */
  @FunctionalInterface
  public interface RowSource {
    /** Rows {@code indices} (each in 0..n-1), in that order. */
    byte[][] rows(int[] indices);
  }

  private final int n;
  private final byte[][] leaves;
  private final RowSource source;
  private final Rfc6962Tree tree;

  private OutputCommitment(int n, byte[][] leaves, RowSource source) {
    this.n = n;
    this.leaves = leaves;
    this.source = source;
    this.tree = Rfc6962Tree.of(leaves);
  }

  /** Commits to {@code output} (row-major n x n, kept by reference: do not change it after). */
  public static OutputCommitment of(int n, int[] output) {
    if (n <= 0 || output.length != n * n) {
      throw new IllegalArgumentException(
          "output must hold n*n = " + (long) n * n + " values, got " + output.length);
    }
    byte[][] leaves = new byte[n][];
    IntStream.range(0, n)
        .parallel()
        .forEach(i -> leaves[i] = RowProof.leafHash(i, rowBytes(n, output, i)));
    return new OutputCommitment(
        n,
        leaves,
        indices -> {
          byte[][] rows = new byte[indices.length][];
          for (int s = 0; s < indices.length; s++) {
            rows[s] = rowBytes(n, output, indices[s]);
          }
          return rows;
        });
  }

  /**
   * Commits to an n x n output known by its n leaf hashes ({@link RowProof#leafHash} of each row,
   * copied); {@code source} gives rows when a challenge or a proof needs them.
   */
  public static OutputCommitment ofLeaves(int n, byte[][] leaves, RowSource source) {
    if (n <= 0 || leaves.length != n) {
      throw new IllegalArgumentException(
          "an n = " + n + " output has n leaves, got " + leaves.length);
    }
    byte[][] copy = new byte[n][];
    for (int i = 0; i < n; i++) {
      if (leaves[i] == null || leaves[i].length != Sha256.LENGTH) {
        throw new IllegalArgumentException("leaf " + i + " is not a 32-byte hash");
      }
      copy[i] = leaves[i].clone();
    }
    if (source == null) {
      throw new IllegalArgumentException("a commitment from leaves needs a source of rows");
    }
    return new OutputCommitment(n, copy, source);
  }

  /**
   * Commits to a float32 output as the executor computed it: each entry's raw IEEE 754 bits (NaN
   * payloads included) as a little-endian int32, so a row is the float32 array's little-endian
   * bytes.
   */
  public static OutputCommitment ofFloats(int n, float[] output) {
    return of(n, floatBits(output));
  }

  /** The raw bits of each float, in order. */
  public static int[] floatBits(float[] output) {
    int[] bits = new int[output.length];
    for (int i = 0; i < output.length; i++) {
      bits[i] = Float.floatToRawIntBits(output[i]);
    }
    return bits;
  }

  /** Row {@code row} of a row-major n x n output as n little-endian int32. */
  public static byte[] rowBytes(int n, int[] output, int row) {
    byte[] out = new byte[4 * n];
    for (int j = 0, at = row * n; j < n; j++) {
      int v = output[at + j];
      out[4 * j] = (byte) v;
      out[4 * j + 1] = (byte) (v >>> 8);
      out[4 * j + 2] = (byte) (v >>> 16);
      out[4 * j + 3] = (byte) (v >>> 24);
    }
    return out;
  }

  /** The 32-byte output root that the attestation carries. */
  public byte[] root() {
    return tree.root();
  }

  /** The matrix side. */
  public int n() {
    return n;
  }

  /** Leaf {@code row}: SHA-256(0x00 || row (u32 BE) || row bytes) (a copy). */
  public byte[] leaf(int row) {
    checkRow(row);
    return leaves[row].clone();
  }

  /** Row {@code row} as committed (4n bytes). */
  public byte[] rowBytes(int row) {
    return rows(new int[] {row})[0];
  }

  /**
   * Rows {@code indices} as committed, in that order, from the output or the source; throws
   * IllegalStateException when the source gives a row that is not the committed one (the bytes it
   * fetched or recomputed do not hash to the row's leaf), so nothing wrong is ever revealed.
   */
  public byte[][] rows(int[] indices) {
    for (int row : indices) {
      checkRow(row);
    }
    byte[][] rows = source.rows(indices.clone());
    if (rows == null || rows.length != indices.length) {
      throw new IllegalStateException(
          "the row source gave "
              + (rows == null ? "nothing" : rows.length + " rows")
              + " for "
              + indices.length);
    }
    for (int s = 0; s < indices.length; s++) {
      int row = indices[s];
      if (rows[s] == null
          || rows[s].length != 4 * n
          || !Arrays.equals(RowProof.leafHash(row, rows[s]), leaves[row])) {
        throw new IllegalStateException(
            "row "
                + row
                + " from the row source is not the committed row (it does not hash to its leaf)");
      }
    }
    return rows;
  }

  /** The Merkle proof of row {@code row}. */
  public RowProof prove(int row) {
    checkRow(row);
    return new RowProof(row, n, tree.aunts(row));
  }

  /** The reveal answering {@code challenge}: its rows in its order, each with its proof. */
  public Reveal reveal(Challenge challenge) {
    if (challenge.n() != n) {
      throw new IllegalArgumentException(
          "challenge is for n=" + challenge.n() + ", this output has n=" + n);
    }
    Reveal.Builder reveal = Reveal.newBuilder().setJobId(challenge.jobId());
    int[] indices = challenge.rows();
    byte[][] rows = rows(indices);
    for (int s = 0; s < indices.length; s++) {
      int row = indices[s];
      RevealedRow.Builder r =
          RevealedRow.newBuilder().setIndex(row).setRow(ByteString.copyFrom(rows[s]));
      for (byte[] aunt : prove(row).aunts()) {
        r.addAunts(ByteString.copyFrom(aunt));
      }
      reveal.addRows(r);
    }
    return reveal.build();
  }

  private void checkRow(int row) {
    if (row < 0 || row >= n) {
      throw new IllegalArgumentException("row " + row + " outside 0.." + (n - 1));
    }
  }
}
