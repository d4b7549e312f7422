package io.peerz.attest;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random valid mlp-int8 models and inputs that reach the corners of the arithmetic: extreme and
 * sparse weights, biases up to the overflow bound, multipliers at both ends of their range (2^30
 * makes half of all products a rounding tie), right shifts from 0 to 31 and left shifts up to the
 * bound, per-tensor and per-channel requantization, ReLU with any zero point, and layers of tiny
 * weights and shifts of 0..3, where a rounding that differs by one shows in the int8 output.
 */
final class RandomModels {
  private RandomModels() {}

  /** A model of 1..4 layers with up to {@code maxWidth} features per layer. */
  static QuantizedMlp model(SplittableRandom r, int maxWidth) {
    int count = 1 + r.nextInt(4);
    List<QuantizedLayer> layers = new ArrayList<>(count);
    int in = 1 + r.nextInt(maxWidth);
    int zero = zeroPoint(r);
    for (int l = 0; l < count; l++) {
      int out = 1 + r.nextInt(maxWidth);
      QuantizedLayer layer = layer(r, in, out, zero);
      layers.add(layer);
      in = out;
      zero = layer.outputZeroPoint();
    }
    return new QuantizedMlp(layers);
  }

  /** A layer that takes {@code in} features with input zero point {@code inputZeroPoint}. */
  static QuantizedLayer layer(SplittableRandom r, int in, int out, int inputZeroPoint) {
    byte[] weight = new byte[in * out];
    boolean tiny = r.nextInt(3) == 0;
    int mode = tiny ? 1 : r.nextInt(4);
    for (int i = 0; i < weight.length; i++) {
      weight[i] =
          (byte)
              switch (mode) {
                case 0 -> r.nextInt(-127, 128);
                case 1 -> r.nextInt(-2, 3);
                case 2 -> new int[] {-127, 0, 127}[r.nextInt(3)];
                default -> r.nextInt(10) == 0 ? r.nextInt(-127, 128) : 0;
              };
    }
    long[] absSum = new long[out];
    long maxAbsSum = 0;
    for (int j = 0; j < out; j++) {
      for (int k = 0; k < in; k++) {
        absSum[j] += Math.abs(weight[j * in + k]);
      }
      maxAbsSum = Math.max(maxAbsSum, absSum[j]);
    }
    boolean perChannel = r.nextBoolean() && out > 1;
    int[] multiplier = new int[perChannel ? out : 1];
    int[] shift = new int[multiplier.length];
    for (int c = 0; c < multiplier.length; c++) {
      multiplier[c] =
          switch (r.nextInt(4)) {
            case 0 -> Requantization.MIN_MULTIPLIER;
            case 1 -> Integer.MAX_VALUE;
            default -> r.nextInt(Requantization.MIN_MULTIPLIER, Integer.MAX_VALUE) + 1;
          };
      long sum = perChannel ? absSum[c] : maxAbsSum;
      // Mostly a shift that maps typical accumulators (~ 2^7 x 2^7 x sqrt(in)) onto int8,
      // sometimes any shift; then as far right as the overflow bound needs.
      int typical = 64 - Long.numberOfLeadingZeros(Math.max(1, 128L * 128 * (long) Math.sqrt(in)));
      int s =
          tiny
              ? r.nextInt(-3, 1)
              : r.nextInt(4) == 0
                  ? r.nextInt(Requantization.MIN_SHIFT, Requantization.MAX_SHIFT + 1)
                  : Math.max(Requantization.MIN_SHIFT, Math.min(8, 7 - typical + r.nextInt(-4, 5)));
      while (s > 0 && QuantizedLayer.MAX_CENTERED_INPUT * sum > (Integer.MAX_VALUE >> s)) {
        s--;
      }
      shift[c] = s;
    }
    int[] bias = new int[out];
    for (int j = 0; j < out; j++) {
      int s = shift[perChannel ? j : 0];
      long room =
          (Integer.MAX_VALUE >> Math.max(s, 0)) - QuantizedLayer.MAX_CENTERED_INPUT * absSum[j];
      bias[j] =
          (int)
              switch (tiny ? 1 : r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> {
                  long b = Math.min(room, tiny ? 20 : 100_000);
                  yield r.nextLong(-b, b + 1);
                }
                case 2 -> r.nextLong(-room, room + 1);
                default -> r.nextBoolean() ? room : -room;
              };
    }
    return new QuantizedLayer(
        in,
        out,
        weight,
        bias,
        multiplier,
        shift,
        inputZeroPoint,
        zeroPoint(r),
        r.nextBoolean() ? Activation.RELU : Activation.NONE);
  }

  /** rows x cols int8 entries: uniform, or only the extremes. */
  static byte[] input(SplittableRandom r, int rows, int cols) {
    byte[] x = new byte[rows * cols];
    boolean extremes = r.nextInt(4) == 0;
    for (int i = 0; i < x.length; i++) {
      x[i] = (byte) (extremes ? (r.nextBoolean() ? -128 : 127) : r.nextInt(-128, 128));
    }
    return x;
  }

  static int zeroPoint(SplittableRandom r) {
    return switch (r.nextInt(4)) {
      case 0 -> -128;
      case 1 -> 127;
      default -> r.nextInt(-128, 128);
    };
  }
}
