package io.peerz.attest;

/**
 * The fixed-point requantization of integer-only inference (Jacob et al. 2018; gemmlowp's
 * fixedpoint.h and TensorFlow Lite's {@code MultiplyByQuantizedMultiplier} in its double-rounding
 * form, the default when TFLITE_SINGLE_ROUNDING is unset): an int32 accumulator times a real
 * multiplier M = multiplier / 2^31 x 2^shift, with multiplier in [2^30, 2^31 - 1] and shift in
 * [-31, 30], rounded twice (the high multiply rounds ties up, the power-of-two division rounds ties
 * away from zero), then the output zero point added and the result clamped to int8 (from the zero
 * point up under ReLU). Every step is pinned in docs/attestation.md "Workload mlp-int8";
 * models/reference.py is the independent NumPy twin that CI compares bit for bit.
 */
public final class Requantization {
  /** The smallest multiplier: 2^30, i.e. M's mantissa 0.5. */
  public static final int MIN_MULTIPLIER = 1 << 30;

  /** The smallest shift: a right shift by 31 (RoundingDivideByPOT's limit). */
  public static final int MIN_SHIFT = -31;

  /** The largest shift: a left shift by 30. */
  public static final int MAX_SHIFT = 30;

  private Requantization() {}

  /**
   * gemmlowp's SaturatingRoundingDoublingHighMul: ab / 2^31 rounded to nearest, ties toward plus
   * infinity. gemmlowp writes it as (ab + 2^30) / 2^31 for ab >= 0 and (ab + 1 - 2^30) / 2^31
   * below, dividing toward zero as C and Java do; that equals floor((ab + 2^30) / 2^31), so -0.5
   * goes to 0 and -1.5 to -1 (the ARM instruction SQRDMULH rounds the same way). The one
   * overflowing case a = b = -2^31 saturates to 2^31 - 1.
   */
  public static int saturatingRoundingDoublingHighMul(int a, int b) {
    if (a == b && a == Integer.MIN_VALUE) {
      return Integer.MAX_VALUE;
    }
    long ab = (long) a * b;
    long nudge = ab >= 0 ? 1L << 30 : 1L - (1L << 30);
    return (int) ((ab + nudge) / (1L << 31));
  }

  /**
   * gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero, by an arithmetic
   * shift plus one when the remainder {@code x & (2^e - 1)} exceeds {@code (2^e - 1) >> 1}, or that
   * plus one for negative x. {@code exponent} is in 0..31.
   */
  public static int roundingDivideByPot(int x, int exponent) {
    if (exponent < 0 || exponent > 31) {
      throw new IllegalArgumentException("exponent " + exponent + " must be in 0..31");
    }
    int mask = (int) ((1L << exponent) - 1);
    int remainder = x & mask;
    int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
  }

  /**
   * TFLite's MultiplyByQuantizedMultiplier: {@code RoundingDivideByPOT(
   * SaturatingRoundingDoublingHighMul(x * 2^left, multiplier), right)} with left = max(shift, 0)
   * and right = max(-shift, 0). Throws ArithmeticException when {@code x * 2^left} leaves int32
   * (C++ would be undefined there; a valid model never gets there, see QuantizedLayer).
   */
  public static int multiplyByQuantizedMultiplier(int x, int multiplier, int shift) {
    checkMultiplier(multiplier, shift);
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    return roundingDivideByPot(
        saturatingRoundingDoublingHighMul(Math.multiplyExact(x, 1 << left), multiplier), right);
  }

  /**
   * One output entry of a layer from its accumulator: {@code clamp(MultiplyByQuantizedMultiplier
   * (acc, multiplier, shift) + outputZeroPoint, low, 127)}, the sum exact (it cannot wrap before
   * the clamp), low = -128 or, under ReLU, max(-128, outputZeroPoint).
   */
  public static byte requantize(
      int accumulator, int multiplier, int shift, int outputZeroPoint, Activation activation) {
    long v = (long) multiplyByQuantizedMultiplier(accumulator, multiplier, shift) + outputZeroPoint;
    int low = activation.low(outputZeroPoint);
    return (byte) Math.max(low, Math.min(Byte.MAX_VALUE, v));
  }

  /** Throws IllegalArgumentException unless multiplier and shift are in their ranges. */
  static void checkMultiplier(int multiplier, int shift) {
    if (multiplier < MIN_MULTIPLIER) {
      throw new IllegalArgumentException(
          "multiplier " + multiplier + " must be in [2^30, 2^31 - 1] (a Q31 mantissa in [0.5, 1))");
    }
    if (shift < MIN_SHIFT || shift > MAX_SHIFT) {
      throw new IllegalArgumentException(
          "shift " + shift + " must be in " + MIN_SHIFT + ".." + MAX_SHIFT);
    }
  }
}
