package io.peerz.attest;

/**
 * Rows of A x B in other summation orders than the verifier's (honest executors), and rows that
 * cheat (zeros, lower-precision inputs), for calibrating and testing {@link FloatRowCheck}.
 */
enum FloatOrders {
  /** k ascending, float accumulation: the verifier's own order. */
  ROW_MAJOR {
    @Override
    float dot(float[] a, float[] b, int n, int j) {
      float s = 0;
      for (int k = 0; k < n; k++) {
        s += a[k] * b[k * n + j];
      }
      return s;
    }
  },
  /** k descending, float accumulation. */
  REVERSED {
    @Override
    float dot(float[] a, float[] b, int n, int j) {
      float s = 0;
      for (int k = n - 1; k >= 0; k--) {
        s += a[k] * b[k * n + j];
      }
      return s;
    }
  },
  /** Pairwise (recursive halving) summation of the float products, as tree reductions do. */
  PAIRWISE {
    @Override
    float dot(float[] a, float[] b, int n, int j) {
      return pairwise(a, b, n, j, 0, n);
    }
  },
  /** 32-deep blocks summed in float, then the block sums in float: a GPU tile's order. */
  BLOCKED {
    @Override
    float dot(float[] a, float[] b, int n, int j) {
      float total = 0;
      for (int kk = 0; kk < n; kk += 32) {
        float s = 0;
        for (int k = kk; k < kk + 32; k++) {
          s += a[k] * b[k * n + j];
        }
        total += s;
      }
      return total;
    }
  },
  /** Eight interleaved float accumulators (k mod 8), then added: a SIMD lane order. */
  STRIDED {
    @Override
    float dot(float[] a, float[] b, int n, int j) {
      float[] lanes = new float[8];
      for (int k = 0; k < n; k++) {
        lanes[k & 7] += a[k] * b[k * n + j];
      }
      float s = 0;
      for (float lane : lanes) {
        s += lane;
      }
      return s;
    }
  },
  /** Math.fma in float at every step (what a GPU's FFMA does). */
  FMA {
    @Override
    float dot(float[] a, float[] b, int n, int j) {
      float s = 0;
      for (int k = 0; k < n; k++) {
        s = Math.fma(a[k], b[k * n + j], s);
      }
      return s;
    }
  },
  /** Double accumulation, rounded to float once at the end (more precise than the verifier). */
  DOUBLE {
    @Override
    float dot(float[] a, float[] b, int n, int j) {
      double s = 0;
      for (int k = 0; k < n; k++) {
        s += (double) a[k] * b[k * n + j];
      }
      return (float) s;
    }
  };

  /** Entry j of the row aRow x B. */
  abstract float dot(float[] aRow, float[] b, int n, int j);

  /** The whole row aRow x B. */
  float[] row(float[] aRow, float[] b, int n) {
    float[] out = new float[n];
    for (int j = 0; j < n; j++) {
      out[j] = dot(aRow, b, n, j);
    }
    return out;
  }

  private static float pairwise(float[] a, float[] b, int n, int j, int from, int to) {
    if (to - from <= 2) {
      float s = 0;
      for (int k = from; k < to; k++) {
        s += a[k] * b[k * n + j];
      }
      return s;
    }
    int mid = (from + to) >>> 1;
    return pairwise(a, b, n, j, from, mid) + pairwise(a, b, n, j, mid, to);
  }

  /** x rounded to bfloat16 (8 significant bits, ties to even) and back to float. */
  static float bfloat16(float x) {
    return keepBits(x, 16);
  }

  /** x rounded to TF32, a GPU tensor core's input format (11 significant bits, ties to even). */
  static float tf32(float x) {
    return keepBits(x, 13);
  }

  /** x with its low {@code drop} significand bits rounded off (ties to even; finite x only). */
  private static float keepBits(float x, int drop) {
    int bits = Float.floatToRawIntBits(x);
    int half = (1 << (drop - 1)) - 1;
    int rounded = bits + half + ((bits >>> drop) & 1);
    return Float.intBitsToFloat(rounded & (-1 << drop));
  }

  /** Every entry rounded to bfloat16. */
  static float[] bfloat16(float[] m) {
    float[] out = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = bfloat16(m[i]);
    }
    return out;
  }

  /** Every entry rounded to TF32. */
  static float[] tf32(float[] m) {
    float[] out = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = tf32(m[i]);
    }
    return out;
  }
}
