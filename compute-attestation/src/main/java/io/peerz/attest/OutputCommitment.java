package io.peerz.attest;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.Reveal;
import io.peerz.attest.proto.RevealedRow;
import java.util.stream.IntStream;

/**
 * An executor's commitment to an n x n int32 output: row i is serialized as n little-endian int32
 * (4n bytes), its leaf is SHA-256(0x00 || i (u32 BE) || row bytes), and the root is CometBFT's
 * binary Merkle root over the leaves (split at the largest power of two below the count). Keeps the
 * tree so it can prove any row and answer a challenge.
 */
public final class OutputCommitment {
  private final int n;
  private final int[] output;
  private final Rfc6962Tree tree;

  private OutputCommitment(int n, int[] output, Rfc6962Tree tree) {
    this.n = n;
    this.output = output;
    this.tree = tree;
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
    return new OutputCommitment(n, output, Rfc6962Tree.of(leaves));
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

  /** Row {@code row} as committed (4n bytes). */
  public byte[] rowBytes(int row) {
    checkRow(row);
    return rowBytes(n, output, row);
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
    for (int row : challenge.rows()) {
      RevealedRow.Builder r =
          RevealedRow.newBuilder().setIndex(row).setRow(ByteString.copyFrom(rowBytes(row)));
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
