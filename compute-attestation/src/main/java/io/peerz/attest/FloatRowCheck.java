package io.peerz.attest;

/**
 * The tolerance check of a revealed {@code fp32-gemm-<n>} row. The verifier recomputes row i of A x
 * B in float (k ascending) as r, and bounds each entry's allowed distance by {@code tol_ij = gamma
 * x sum_k |a_ik| |b_kj|} with {@code gamma = 2 n u / (1 - n u)}, {@code u = 2^-24}: any float
 * summation order (or double, or FMA, accumulation) of a dot product of length n is within {@code n
 * u / (1 - n u) x sum_k |a_ik||b_kj|} of the exact value (Higham, Accuracy and Stability of
 * Numerical Algorithms, 3.1), so two honest results are within twice that of each other. A revealed
 * entry c_ij passes when it is finite and {@code |c_ij - r_ij| <= tol_ij}.
 *
 * <p>Every validator must reach the same verdict, so the arithmetic is pinned: Java 17 float and
 * double arithmetic is strict IEEE 754 (JEP 306; no extended precision, and the JIT never fuses a
 * multiply and an add into an FMA), r sums float products in float with k ascending, the magnitude
 * sum adds |a||b| (exact in double: two 24-bit significands) in double with k ascending, and no
 * Math.fma is used. Inputs lie in [-1, 1] with no subnormals (the smallest non-zero entry is
 * 2^-31), so products stay far above float's underflow and the bound holds as stated.
 */
public final class FloatRowCheck {
  /** float32's unit roundoff, 2^-24. */
  public static final double UNIT_ROUNDOFF = 0x1p-24;

  private FloatRowCheck() {}

  /** gamma = 2 n u / (1 - n u) for a dot product of length n (n u < 1 for every n <= 4096). */
  public static double gamma(int n) {
    double nu = n * UNIT_ROUNDOFF;
    return 2 * nu / (1 - nu);
  }

  /** The verifier's recomputation of some rows of A x B and each entry's tolerance. */
  public record Rows(float[][] values, double[][] tolerances) {}

  /**
   * Rows {@code aRows} x B (n x n, row-major): r in float and tol = gamma x sum |a||b| in double,
   * both with k ascending, in one pass over B for all rows.
   */
  public static Rows recompute(int n, float[][] aRows, float[] b) {
    double gamma = gamma(n);
    float[][] r = new float[aRows.length][n];
    double[][] t = new double[aRows.length][n];
    float[] absB = new float[n];
    for (int k = 0; k < n; k++) {
      int bk = k * n;
      for (int j = 0; j < n; j++) {
        absB[j] = Math.abs(b[bk + j]);
      }
      for (int s = 0; s < aRows.length; s++) {
        float av = aRows[s][k];
        double absA = Math.abs(av);
        float[] rs = r[s];
        double[] ts = t[s];
        for (int j = 0; j < n; j++) {
          rs[j] += av * b[bk + j];
          ts[j] += absA * absB[j];
        }
      }
    }
    for (double[] ts : t) {
      for (int j = 0; j < n; j++) {
        ts[j] *= gamma;
      }
    }
    return new Rows(r, t);
  }

  /**
   * The first column j where {@code revealed[j]} is NaN or infinite or {@code |revealed[j] - r[j]|
   * > tol[j]}, or -1 when the whole row passes.
   */
  public static int firstViolation(float[] revealed, float[] r, double[] tol) {
    for (int j = 0; j < r.length; j++) {
      float c = revealed[j];
      if (!Float.isFinite(c) || !(Math.abs((double) c - (double) r[j]) <= tol[j])) {
        return j;
      }
    }
    return -1;
  }

  /**
   * The largest {@code |c_ij - r_ij| / tol_ij} over a row, for calibration: below 1 passes (a
   * non-finite entry gives infinity).
   */
  public static double maxRatio(float[] revealed, float[] r, double[] tol) {
    double max = 0;
    for (int j = 0; j < r.length; j++) {
      float c = revealed[j];
      if (!Float.isFinite(c)) {
        return Double.POSITIVE_INFINITY;
      }
      max = Math.max(max, Math.abs((double) c - (double) r[j]) / tol[j]);
    }
    return max;
  }
}
