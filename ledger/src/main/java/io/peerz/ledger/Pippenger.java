package io.peerz.ledger;

import java.util.Arrays;

/**
 * Multi-scalar multiplication sum [s_j]P_j on edwards25519 by Pippenger's bucket method with signed
 * digits, for {@link Ed25519Batch}. Each scalar (below 2^253, four little-endian 64-bit words) is
 * cut into windows of c bits recoded to digits in (-2^(c-1), 2^(c-1)]; per window, each point is
 * added (or subtracted) into the bucket of its digit's magnitude, the buckets are summed with
 * weights 1..2^(c-1) by two running sums, and the window results are combined by c doublings each,
 * from the top window down. The window c minimizes the estimated count of additions for the given
 * scalars: one per non-zero digit plus two per bucket per window.
 */
final class Pippenger {
  private static final int SCALAR_BITS = 253;
  private static final int MAX_WINDOW = 12;

  private Pippenger() {}

  /** Sum of [scalars[j]]points[j] for j below count; scalars below 2^253. */
  static EdwardsPoint sum(EdwardsPoint.Affine[] points, long[][] scalars, int count) {
    int c = window(scalars, count);
    int windows = windows(c);
    int[][] digits = new int[count][];
    for (int j = 0; j < count; j++) {
      digits[j] = digits(scalars[j], c, windows);
    }
    int buckets = 1 << (c - 1);
    EdwardsPoint[] bucket = new EdwardsPoint[buckets + 1];
    for (int i = 1; i <= buckets; i++) {
      bucket[i] = new EdwardsPoint();
    }
    boolean[] filled = new boolean[buckets + 1];
    EdwardsPoint total = new EdwardsPoint();
    EdwardsPoint running = new EdwardsPoint();
    EdwardsPoint window = new EdwardsPoint();
    boolean started = false;
    for (int w = windows - 1; w >= 0; w--) {
      if (started) {
        for (int i = 0; i < c; i++) {
          total.twice();
        }
      }
      Arrays.fill(filled, false);
      for (int j = 0; j < count; j++) {
        int digit = digits[j][w];
        if (digit != 0) {
          int i = Math.abs(digit);
          if (filled[i]) {
            bucket[i].add(points[j], digit < 0);
          } else {
            bucket[i].set(points[j], digit < 0);
            filled[i] = true;
          }
        }
      }
      if (weigh(bucket, filled, running, window)) {
        if (started) {
          total.add(window);
        } else {
          total.set(window);
          started = true;
        }
      }
    }
    return total;
  }

  /**
   * Sets {@code window} to sum [i]bucket[i] over the filled buckets: running sums from the top
   * bucket down, each added into the window sum, so that bucket i is counted i times. False when
   * every bucket is empty.
   */
  private static boolean weigh(
      EdwardsPoint[] bucket, boolean[] filled, EdwardsPoint running, EdwardsPoint window) {
    boolean runningStarted = false;
    boolean windowStarted = false;
    for (int i = bucket.length - 1; i >= 1; i--) {
      if (filled[i]) {
        if (runningStarted) {
          running.add(bucket[i]);
        } else {
          running.set(bucket[i]);
          runningStarted = true;
        }
      }
      if (runningStarted) {
        if (windowStarted) {
          window.add(running);
        } else {
          window.set(running);
          windowStarted = true;
        }
      }
    }
    return windowStarted;
  }

  /** Enough c-bit windows for a 253-bit scalar plus the carry out of signed recoding. */
  private static int windows(int c) {
    return (SCALAR_BITS + 1 + c - 1) / c;
  }

  /** The window width with the fewest estimated additions for these scalars. */
  private static int window(long[][] scalars, int count) {
    int[] bits = new int[count];
    for (int j = 0; j < count; j++) {
      bits[j] = bitLength(scalars[j]) + 1;
    }
    int best = 1;
    long bestCost = Long.MAX_VALUE;
    for (int c = 2; c <= MAX_WINDOW; c++) {
      long cost = (long) windows(c) << c;
      for (int j = 0; j < count; j++) {
        cost += (bits[j] + c - 1) / c;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = c;
      }
    }
    return best;
  }

  /**
   * The signed digits d_w of a scalar, sum d_w·2^(c·w), each in (-2^(c-1), 2^(c-1)]: a window above
   * 2^(c-1) becomes its value minus 2^c and carries one into the next window.
   */
  private static int[] digits(long[] scalar, int c, int windows) {
    int[] digits = new int[windows];
    int half = 1 << (c - 1);
    int carry = 0;
    for (int w = 0; w < windows; w++) {
      int v = bits(scalar, w * c, c) + carry;
      carry = v > half ? 1 : 0;
      digits[w] = v - (carry << c);
    }
    return digits;
  }

  /** The c bits of a scalar from bit {@code pos} up. */
  private static int bits(long[] scalar, int pos, int c) {
    int word = pos >>> 6;
    if (word >= scalar.length) {
      return 0;
    }
    int shift = pos & 63;
    long v = scalar[word] >>> shift;
    if (shift + c > 64 && word + 1 < scalar.length) {
      v |= scalar[word + 1] << (64 - shift);
    }
    return (int) (v & ((1L << c) - 1));
  }

  private static int bitLength(long[] scalar) {
    for (int word = scalar.length - 1; word >= 0; word--) {
      if (scalar[word] != 0) {
        return 64 * word + 64 - Long.numberOfLeadingZeros(scalar[word]);
      }
    }
    return 0;
  }
}
