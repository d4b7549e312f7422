package io.peerz.attest;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The reference INT8 x INT8 -> INT32 matrix product on the CPU: blocked, multithreaded on the
 * common fork-join pool, exact integer arithmetic. Any other executor (the GPU path) must produce
 * the same int32 values, hence the same output root. Every sum fits in int32 for n up to 4096: a
 * product is at most 128 x 128 = 2^14 in magnitude and a sum of 2^12 of them at most 2^26.
 *
 * <p>Also the reference FP32 product of {@code fp32-gemm-<n>}, on the same row blocks and tiles,
 * accumulating in float with k ascending; other executors may sum in another order and are checked
 * against a tolerance ({@link FloatRowCheck}), not for equal bits.
 */
public final class CpuGemm {
  /** Rows per parallel task. */
  private static final int ROW_BLOCK = 32;

  /** Inner-dimension tile: with COL_BLOCK it keeps a 128 x 512 int tile of B (256 KiB) in L2. */
  private static final int K_BLOCK = 128;

  private static final int COL_BLOCK = 512;

  private CpuGemm() {}

  /** C = A x B for a job's inputs, row-major n x n int32. */
  public static int[] multiply(GemmInputs inputs) {
    return multiply(inputs.n(), inputs.a, inputs.b);
  }

  /**
   * The largest inner dimension k for which no int32 sum can overflow: a product of two int8 is at
   * most (-128) x (-128) = 2^14 in magnitude, and 131,071 x 2^14 < 2^31 - 1 < 131,072 x 2^14.
   */
  public static final int MAX_INNER = 131_071;

  /** C = A x B for row-major n x n int8 matrices, 1 <= n <= 4096. */
  public static int[] multiply(int n, byte[] a, byte[] b) {
    checkShape(n, a.length, b.length);
    return compute(n, n, n, a, b, null);
  }

  /**
   * C = A x B for row-major int8 A (m x k) and B (k x n): row-major int32 C (m x n), exact for any
   * k up to {@link #MAX_INNER}.
   */
  public static int[] multiply(int m, int k, int n, byte[] a, byte[] b) {
    checkShape(m, k, n, a, b);
    return compute(m, k, n, a, b, null);
  }

  /**
   * A cheating executor for tests and demos: computes A x B but skips exactly {@code floor(n *
   * skipPpm / 1_000_000)} rows, chosen by {@link #skippedRows}, and leaves zeros in them.
   */
  public static int[] computeFaulty(GemmInputs inputs, int skipPpm, long seed) {
    int n = inputs.n();
    boolean[] skip = new boolean[n];
    for (int row : skippedRows(n, skipPpm, seed)) {
      skip[row] = true;
    }
    return compute(n, n, n, inputs.a, inputs.b, skip);
  }

  /**
   * The rows a faulty run with these parameters skips, ascending: a seeded partial Fisher-Yates
   * shuffle, so the skipped fraction is exact.
   */
  public static int[] skippedRows(int n, int skipPpm, long seed) {
    if (skipPpm < 0 || skipPpm > 1_000_000) {
      throw new IllegalArgumentException("skipPpm " + skipPpm + " must be in 0..1000000");
    }
    int count = (int) ((long) n * skipPpm / 1_000_000);
    int[] perm = IntStream.range(0, n).toArray();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(n - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    int[] rows = Arrays.copyOf(perm, count);
    Arrays.sort(rows);
    return rows;
  }

  /** C = A x B for a fp32-gemm job's inputs, row-major n x n float32. */
  public static float[] multiply(Fp32GemmInputs inputs) {
    return multiplyFloat(inputs.n(), inputs.a, inputs.b);
  }

  /** C = A x B for row-major n x n float32 matrices, 1 <= n <= 4096, summed in float. */
  public static float[] multiplyFloat(int n, float[] a, float[] b) {
    checkShape(n, a.length, b.length);
    float[] c = new float[n * n];
    forEachRowBlock(n, (from, to) -> multiplyRowsFloat(n, a, b, c, from, to));
    return c;
  }

  private static int[] compute(int m, int k, int n, byte[] a, byte[] b, boolean[] skip) {
    // Widening B once lets the inner loop run on int arrays only, which C2 vectorizes.
    int[] bw = new int[k * n];
    IntStream.range(0, k)
        .parallel()
        .forEach(
            r -> {
              for (int j = 0, at = r * n; j < n; j++) {
                bw[at + j] = b[at + j];
              }
            });
    int[] c = new int[m * n];
    forEachRowBlock(m, (from, to) -> multiplyRows(k, n, a, bw, c, from, to, skip));
    return c;
  }

  /** The rows [from, to) one parallel task computes. */
  @FunctionalInterface
  private interface RowBlock {
    void compute(int from, int to);
  }

  /** Runs {@code block} over ROW_BLOCK-row slices of 0..n-1 on the current fork-join pool. */
  private static void forEachRowBlock(int n, RowBlock block) {
    int blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    IntStream.range(0, blocks)
        .parallel()
        .forEach(blk -> block.compute(blk * ROW_BLOCK, Math.min(n, (blk + 1) * ROW_BLOCK)));
  }

  /**
   * The float twin of {@link #multiplyRows}: the same tiles in the same i-k-j order, so each
   * c[i][j] accumulates its n products with k ascending, in float (Java's float arithmetic is
   * strict IEEE 754 binary32 and never fused into an FMA, so this is one well-defined summation).
   */
  private static void multiplyRowsFloat(
      int n, float[] a, float[] b, float[] c, int rowFrom, int rowTo) {
    for (int jj = 0; jj < n; jj += COL_BLOCK) {
      int jEnd = Math.min(n, jj + COL_BLOCK);
      for (int kk = 0; kk < n; kk += K_BLOCK) {
        int kEnd = Math.min(n, kk + K_BLOCK);
        for (int i = rowFrom; i < rowTo; i++) {
          int ci = i * n;
          for (int k = kk; k < kEnd; k++) {
            float av = a[ci + k];
            int bk = k * n;
            for (int j = jj; j < jEnd; j++) {
              c[ci + j] += av * b[bk + j];
            }
          }
        }
      }
    }
  }

  /** Rows [rowFrom, rowTo) of C (m x n) = A (m x inner) x B (inner x n), B widened to int. */
  private static void multiplyRows(
      int inner, int n, byte[] a, int[] bw, int[] c, int rowFrom, int rowTo, boolean[] skip) {
    for (int jj = 0; jj < n; jj += COL_BLOCK) {
      int jEnd = Math.min(n, jj + COL_BLOCK);
      for (int kk = 0; kk < inner; kk += K_BLOCK) {
        int kEnd = Math.min(inner, kk + K_BLOCK);
        for (int i = rowFrom; i < rowTo; i++) {
          if (skip != null && skip[i]) {
            continue;
          }
          int ci = i * n;
          int ai = i * inner;
          for (int k = kk; k < kEnd; k++) {
            int av = a[ai + k];
            int bk = k * n;
            for (int j = jj; j < jEnd; j++) {
              c[ci + j] += av * bw[bk + j];
            }
          }
        }
      }
    }
  }

  /**
   * Rows {@code rows} of C = A x B of a seeded int8 job, without the whole product: B regenerated
   * once, only the sampled rows of A, one pass over B for all of them; O(rows x n^2). What a
   * verifier recomputes for a reveal, and what an executor that kept only C's leaf hashes (the GPU
   * computed C) reveals from.
   */
  public static int[][] seededRows(Workload workload, byte[] seed, long jobId, int[] rows) {
    int n = workload.n();
    byte[] b = GemmInputs.matrixB(workload, seed, jobId);
    byte[][] a = new byte[rows.length][];
    for (int s = 0; s < rows.length; s++) {
      a[s] = GemmInputs.rowOfA(workload, seed, jobId, rows[s]);
    }
    int[][] out = new int[rows.length][n];
    int[] bk = new int[n];
    for (int k = 0; k < n; k++) {
      // Widening one row of B to int keeps the inner loop on int arrays, which C2 vectorizes.
      for (int j = 0, at = k * n; j < n; j++) {
        bk[j] = b[at + j];
      }
      for (int s = 0; s < rows.length; s++) {
        int av = a[s][k];
        int[] o = out[s];
        for (int j = 0; j < n; j++) {
          o[j] += av * bk[j];
        }
      }
    }
    return out;
  }

  /** Row {@code row} of A x B alone, from that row of A and all of B: O(n^2), exact. */
  static int[] row(int n, byte[] aRow, byte[] b) {
    int[] out = new int[n];
    for (int k = 0; k < n; k++) {
      int av = aRow[k];
      int bk = k * n;
      for (int j = 0; j < n; j++) {
        out[j] += av * b[bk + j];
      }
    }
    return out;
  }

  /** Throws IllegalArgumentException unless A and B are n x n with n in 1..Workload.MAX_N. */
  public static void checkShape(int n, byte[] a, byte[] b) {
    checkShape(n, a.length, b.length);
  }

  /**
   * Throws IllegalArgumentException unless A holds m x k and B k x n entries, every dimension is
   * positive, k is at most {@link #MAX_INNER} and C's m x n entries fit one Java array.
   */
  public static void checkShape(int m, int k, int n, byte[] a, byte[] b) {
    if (m <= 0 || k <= 0 || n <= 0) {
      throw new IllegalArgumentException(
          "dimensions m=" + m + ", k=" + k + ", n=" + n + " must all be positive");
    }
    if (k > MAX_INNER) {
      throw new IllegalArgumentException(
          "inner dimension k="
              + k
              + " exceeds "
              + MAX_INNER
              + ", the largest for which int8 x int8 sums cannot overflow int32");
    }
    if ((long) m * n > Integer.MAX_VALUE - 8
        || (long) m * k > Integer.MAX_VALUE - 8
        || (long) k * n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "matrices of m=" + m + ", k=" + k + ", n=" + n + " do not fit one Java array each");
    }
    if (a.length != m * k || b.length != k * n) {
      throw new IllegalArgumentException(
          "A must hold m*k = "
              + (long) m * k
              + " and B k*n = "
              + (long) k * n
              + " entries, got A "
              + a.length
              + " and B "
              + b.length);
    }
  }

  private static void checkShape(int n, int aLength, int bLength) {
    if (n <= 0 || n > Workload.MAX_N) {
      throw new IllegalArgumentException("matrix side " + n + " must be in 1.." + Workload.MAX_N);
    }
    if (aLength != n * n || bLength != n * n) {
      throw new IllegalArgumentException(
          "matrices must hold n*n = " + n * n + " entries, got A " + aLength + " and B " + bLength);
    }
  }
}
