package io.peerz.attest;

import io.peerz.ledger.Sha256;
import java.nio.charset.StandardCharsets;

/**
 * Freivalds' check that C = A x B for n x n int8 A, B and int32 C in O(rounds x n^2): for seeded
 * random r with entries in [0, 65535], compare C r with A (B r), exactly over the integers in long
 * arithmetic (|B r| < 2^35, |A (B r)| < 2^54, |C r| < 2^59 for n <= 4096, so nothing overflows). If
 * C differs from A x B, some row d of C - A x B is non-zero and d . r = 0 is a non-zero linear
 * equation in r, which a uniform r from a set of 65536 values per entry satisfies with probability
 * at most 1/65536 (Schwartz-Zippel): a wrong C passes a round with probability at most 2^-16, all
 * rounds with at most 2^(-16 x rounds).
 */
public final class Freivalds {
  /** Entries of r lie in [0, R_RANGE). */
  public static final int R_RANGE = 1 << 16;

  /** Most rounds one call runs; 4 already give an error bound of 2^-64. */
  public static final int MAX_ROUNDS = 64;

  private static final byte[] DOMAIN = "peerz/freivalds/v1".getBytes(StandardCharsets.US_ASCII);

  private Freivalds() {}

  /** Freivalds' check of a job's claimed output. */
  public static boolean verify(GemmInputs inputs, int[] c, byte[] seed, int rounds) {
    return verify(inputs.n(), inputs.a, inputs.b, c, seed, rounds);
  }

  /**
   * True when C passes {@code rounds} rounds of Freivalds' check with vectors from {@code seed} (32
   * bytes); A, B and C are row-major n x n.
   */
  public static boolean verify(int n, byte[] a, byte[] b, int[] c, byte[] seed, int rounds) {
    if (n <= 0 || n > Workload.MAX_N) {
      throw new IllegalArgumentException("matrix side " + n + " must be in 1.." + Workload.MAX_N);
    }
    if (a.length != n * n || b.length != n * n || c.length != n * n) {
      throw new IllegalArgumentException("A, B and C must each hold n*n = " + n * n + " entries");
    }
    return firstFailingRow(n, n, n, a, b, c, seed, rounds) < 0;
  }

  /** The largest n (columns of B and C) for which every sum below stays exact in a long. */
  public static final int MAX_COLS = 1 << 16;

  /** The largest k x n for which every sum below stays exact in a long. */
  public static final long MAX_INNER_TIMES_COLS = 1L << 32;

  /**
   * Freivalds' check of a rectangular product C (m x n, int32) = A (m x k, int8) x B (k x n, int8),
   * all row-major: -1 when C passes {@code rounds} rounds with vectors from {@code seed}, else the
   * first row i where {@code (C r)_i != (A (B r))_i}, a row of C that is surely wrong. Exact over
   * the integers in long arithmetic for n <= {@link #MAX_COLS} and k x n <= {@link
   * #MAX_INNER_TIMES_COLS}: |C r| <= 2^31 (2^16 - 1) n < 2^63 and |A (B r)| <= 2^14 (2^16 - 1) k n
   * < 2^62, so nothing wraps and a wrong C passes a round with probability at most 2^-16.
   */
  public static int firstFailingRow(
      int m, int k, int n, byte[] a, byte[] b, int[] c, byte[] seed, int rounds) {
    if (m <= 0 || k <= 0 || n <= 0) {
      throw new IllegalArgumentException("dimensions must be positive");
    }
    if (n > MAX_COLS || (long) k * n > MAX_INNER_TIMES_COLS) {
      throw new IllegalArgumentException(
          "k="
              + k
              + ", n="
              + n
              + " is beyond the exact range (n <= "
              + MAX_COLS
              + ", k x n <= 2^32)");
    }
    if (a.length != (long) m * k || b.length != (long) k * n || c.length != (long) m * n) {
      throw new IllegalArgumentException(
          "A must hold m*k, B k*n and C m*n entries for m=" + m + ", k=" + k + ", n=" + n);
    }
    if (rounds < 1 || rounds > MAX_ROUNDS) {
      throw new IllegalArgumentException("rounds " + rounds + " must be in 1.." + MAX_ROUNDS);
    }
    for (int round = 0; round < rounds; round++) {
      long[] r = vector(seed, round, n);
      long[] br = times(k, n, b, r);
      for (int i = 0; i < m; i++) {
        long left = 0;
        long right = 0;
        int ci = i * n;
        for (int j = 0; j < n; j++) {
          left += (long) c[ci + j] * r[j];
        }
        int ai = i * k;
        for (int t = 0; t < k; t++) {
          right += a[ai + t] * br[t];
        }
        if (left != right) {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * The buyer's full check of C = A x B: null when C passes {@code rounds} rounds of Freivalds'
   * check, else a wrong entry, found by recomputing the failing row exactly (O(k n) more).
   */
  public static EntryCheck.Wrong firstWrongEntry(
      Int8Matrix a, Int8Matrix b, Int32Matrix c, byte[] seed, int rounds) {
    if (a.cols() != b.rows() || c.rows() != a.rows() || c.cols() != b.cols()) {
      throw new IllegalArgumentException(
          "C is "
              + c.rows()
              + " x "
              + c.cols()
              + ", A x B is "
              + a.rows()
              + " x "
              + b.cols()
              + " (A "
              + a.rows()
              + " x "
              + a.cols()
              + ", B "
              + b.rows()
              + " x "
              + b.cols()
              + ")");
    }
    int m = a.rows();
    int k = a.cols();
    int n = b.cols();
    int row = firstFailingRow(m, k, n, a.data(), b.data(), c.data(), seed, rounds);
    if (row < 0) {
      return null;
    }
    int[] exact = new int[n];
    for (int t = 0; t < k; t++) {
      int av = a.data()[row * k + t];
      int bt = t * n;
      for (int j = 0; j < n; j++) {
        exact[j] += av * b.data()[bt + j];
      }
    }
    for (int j = 0; j < n; j++) {
      if (exact[j] != c.data()[row * n + j]) {
        return new EntryCheck.Wrong(row, j, c.data()[row * n + j], exact[j]);
      }
    }
    throw new IllegalStateException("row " + row + " failed Freivalds' check but equals A x B");
  }

  /**
   * Round {@code round}'s vector: n entries in [0, 65535], entry j the big-endian u16 at bytes 2(j
   * mod 16) of block floor(j / 16) of SHA-256("peerz/freivalds/v1" || seed (32 bytes) || round (u32
   * BE) || block (u32 BE)).
   */
  public static long[] vector(byte[] seed, int round, int n) {
    if (seed == null || seed.length != Sha256.LENGTH) {
      throw new IllegalArgumentException(
          "Freivalds seed must be 32 bytes, got " + (seed == null ? "null" : seed.length));
    }
    long[] r = new long[n];
    byte[] roundBytes = new byte[4];
    GemmInputs.putInt(roundBytes, 0, round);
    byte[] counter = new byte[4];
    for (int block = 0; 16 * block < n; block++) {
      GemmInputs.putInt(counter, 0, block);
      byte[] h = Sha256.hash(DOMAIN, seed, roundBytes, counter);
      for (int w = 0; w < 16 && 16 * block + w < n; w++) {
        r[16 * block + w] = ((h[2 * w] & 0xff) << 8) | (h[2 * w + 1] & 0xff);
      }
    }
    return r;
  }

  /** M r for row-major rows x cols int8 M. */
  private static long[] times(int rows, int cols, byte[] m, long[] r) {
    long[] out = new long[rows];
    for (int k = 0; k < rows; k++) {
      long s = 0;
      int at = k * cols;
      for (int j = 0; j < cols; j++) {
        s += m[at + j] * r[j];
      }
      out[k] = s;
    }
    return out;
  }
}
