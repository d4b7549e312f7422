package io.peerz.attest;

import java.util.Arrays;
import java.util.Objects;

/**
 * One fully connected layer of an mlp-int8 model (TensorFlow Lite's int8 FULLY_CONNECTED): int8
 * weights W (out x in, symmetric, -127..127), int32 bias, a requantization multiplier and shift per
 * tensor or per output channel, input and output zero points and an activation. For an int8 input
 * row x, output channel j has the accumulator {@code acc_j = bias_j + sum_k (x_k - zx) W[j][k]} and
 * the output {@link Requantization#requantize requantize(acc_j)}.
 *
 * <p>The constructor proves that no int32 step can overflow: with |x_k - zx| <= 255, |acc_j| <=
 * |bias_j| + 255 sum_k |W[j][k]| =: bound_j, and a layer is valid only when bound_j x 2^left_j fits
 * int32 (left_j the channel's left shift) and in <= {@link CpuGemm#MAX_INNER}. The raw product X
 * W^T, the folded bias {@code bias_j - zx sum_k W[j][k]} and their sum then stay inside int32 too,
 * so any exact int32 implementation (CPU, GPU) computes the same bits.
 */
public final class QuantizedLayer {
  /** The largest |x - zx| of an int8 x and a zero point in -128..127. */
  public static final int MAX_CENTERED_INPUT = 255;

  private final int inFeatures;
  private final int outFeatures;
  private final byte[] weight;
  private final int[] bias;
  private final int[] multiplier;
  private final int[] shift;
  private final int inputZeroPoint;
  private final int outputZeroPoint;
  private final Activation activation;
  private final byte[] gemmOperand;
  private final int[] foldedBias;

  /** An output of {@link #forward}: rows x cols int32 accumulators and int8 outputs, row-major. */
  public record Result(int rows, int cols, int[] accumulators, byte[] outputs) {}

  /**
   * What runs one layer on {@code rows} int8 input rows: {@link #forward} through a GEMM, or a
   * device that also requantizes (the GPU executor); any runner gives forward's exact result.
   */
  @FunctionalInterface
  public interface Runner {
    /** The layer's accumulators and outputs for {@code input} (rows x in, row-major). */
    Result run(QuantizedLayer layer, int rows, byte[] input);
  }

  /**
   * Checks and keeps a layer (arrays copied). {@code weight} is out x in row-major (output channel
   * j's weights are row j); {@code multiplier} and {@code shift} hold 1 entry (per tensor) or out
   * (per channel). Throws IllegalArgumentException naming the first rule broken.
   */
  public QuantizedLayer(
      int inFeatures,
      int outFeatures,
      byte[] weight,
      int[] bias,
      int[] multiplier,
      int[] shift,
      int inputZeroPoint,
      int outputZeroPoint,
      Activation activation) {
    if (inFeatures < 1 || outFeatures < 1) {
      throw new IllegalArgumentException(
          "in and out features must be at least 1, got " + inFeatures + " and " + outFeatures);
    }
    if (inFeatures > CpuGemm.MAX_INNER) {
      throw new IllegalArgumentException(
          inFeatures
              + " input features exceed "
              + CpuGemm.MAX_INNER
              + ", the largest inner dimension whose int8 sums fit int32");
    }
    if ((long) inFeatures * outFeatures != weight.length) {
      throw new IllegalArgumentException(
          "weight must hold out x in = "
              + (long) outFeatures * inFeatures
              + " entries, got "
              + weight.length);
    }
    for (int i = 0; i < weight.length; i++) {
      if (weight[i] == Byte.MIN_VALUE) {
        throw new IllegalArgumentException(
            "weight["
                + i / inFeatures
                + "]["
                + i % inFeatures
                + "] is -128; int8 weights are symmetric, in -127..127");
      }
    }
    if (bias.length != outFeatures) {
      throw new IllegalArgumentException(
          "bias must hold " + outFeatures + " entries, got " + bias.length);
    }
    if (multiplier.length != 1 && multiplier.length != outFeatures) {
      throw new IllegalArgumentException(
          "multiplier must hold 1 (per tensor) or "
              + outFeatures
              + " (per channel) entries, got "
              + multiplier.length);
    }
    if (shift.length != multiplier.length) {
      throw new IllegalArgumentException(
          "shift must hold as many entries as multiplier ("
              + multiplier.length
              + "), got "
              + shift.length);
    }
    for (int i = 0; i < multiplier.length; i++) {
      try {
        Requantization.checkMultiplier(multiplier[i], shift[i]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("channel " + i + ": " + e.getMessage(), e);
      }
    }
    checkZeroPoint("input zero point", inputZeroPoint);
    checkZeroPoint("output zero point", outputZeroPoint);
    if (activation == null) {
      throw new IllegalArgumentException("an activation is needed (none or relu)");
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = weight.clone();
    this.bias = bias.clone();
    this.multiplier = multiplier.clone();
    this.shift = shift.clone();
    this.inputZeroPoint = inputZeroPoint;
    this.outputZeroPoint = outputZeroPoint;
    this.activation = activation;
    this.foldedBias = new int[outFeatures];
    for (int j = 0; j < outFeatures; j++) {
      long absSum = 0;
      long sum = 0;
      for (int k = 0, at = j * inFeatures; k < inFeatures; k++) {
        absSum += Math.abs(weight[at + k]);
        sum += weight[at + k];
      }
      long bound = Math.abs((long) bias[j]) + MAX_CENTERED_INPUT * absSum;
      int left = Math.max(shift(j), 0);
      if (bound > (Integer.MAX_VALUE >> left)) {
        throw new IllegalArgumentException(
            "output channel "
                + j
                + "'s accumulator can reach "
                + bound
                + (left > 0 ? " (times 2^" + left + " by its left shift)" : "")
                + ", beyond int32: |bias| + 255 x sum |weight| must stay below 2^31"
                + (left > 0 ? " / 2^" + left : ""));
      }
      this.foldedBias[j] = (int) (bias[j] - inputZeroPoint * sum);
    }
    this.gemmOperand = new byte[weight.length];
    for (int j = 0; j < outFeatures; j++) {
      for (int k = 0; k < inFeatures; k++) {
        gemmOperand[k * outFeatures + j] = weight[j * inFeatures + k];
      }
    }
  }

  private static void checkZeroPoint(String what, int zeroPoint) {
    if (zeroPoint < Byte.MIN_VALUE || zeroPoint > Byte.MAX_VALUE) {
      throw new IllegalArgumentException(what + " " + zeroPoint + " must be in -128..127");
    }
  }

  /** Input features (the inner dimension). */
  public int inFeatures() {
    return inFeatures;
  }

  /** Output features (channels). */
  public int outFeatures() {
    return outFeatures;
  }

  /** The weights, out x in row-major (a copy). */
  public byte[] weight() {
    return weight.clone();
  }

  /**
   * Column j of the GEMM operand B = W^T (in x out): output channel j's in weights, the vector a
   * model commitment proves alone.
   */
  public byte[] weightColumn(int j) {
    Objects.checkIndex(j, outFeatures);
    return Arrays.copyOfRange(weight, j * inFeatures, (j + 1) * inFeatures);
  }

  /** The GEMM operand B = W^T, in x out row-major (by reference: do not change it). */
  byte[] gemmOperand() {
    return gemmOperand;
  }

  /**
   * bias_j - zx sum_k W[j][k] per channel (a copy): what the raw product X W^T needs added to give
   * the accumulators, for a device that computes the layer in two steps.
   */
  public int[] foldedBias() {
    return foldedBias.clone();
  }

  /** The bias (a copy). */
  public int[] bias() {
    return bias.clone();
  }

  /** The multipliers as stored: 1 or out entries (a copy). */
  public int[] multipliers() {
    return multiplier.clone();
  }

  /** The shifts as stored: 1 or out entries (a copy). */
  public int[] shifts() {
    return shift.clone();
  }

  /** True when multiplier and shift are per output channel. */
  public boolean perChannel() {
    return multiplier.length > 1;
  }

  /** Output channel j's multiplier. */
  public int multiplier(int j) {
    return multiplier[multiplier.length == 1 ? 0 : j];
  }

  /** Output channel j's shift. */
  public int shift(int j) {
    return shift[shift.length == 1 ? 0 : j];
  }

  /** The input zero point. */
  public int inputZeroPoint() {
    return inputZeroPoint;
  }

  /** The output zero point. */
  public int outputZeroPoint() {
    return outputZeroPoint;
  }

  /** The activation. */
  public Activation activation() {
    return activation;
  }

  /**
   * Runs the layer on {@code rows} int8 input rows (row-major rows x in): the raw product X W^T
   * through {@code gemm}, plus the folded bias, requantized entry by entry.
   */
  public Result forward(int rows, byte[] input, Int8Gemm gemm) {
    if (rows < 1 || (long) rows * inFeatures != input.length) {
      throw new IllegalArgumentException(
          "the input must hold rows x "
              + inFeatures
              + " entries for rows >= 1, got "
              + input.length
              + " for "
              + rows
              + " rows");
    }
    if ((long) rows * outFeatures > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          rows + " rows x " + outFeatures + " features do not fit one Java array");
    }
    int[] product = gemm.multiply(rows, inFeatures, outFeatures, input, gemmOperand);
    if (product.length != rows * outFeatures) {
      throw new IllegalStateException(
          "the GEMM returned " + product.length + " entries for " + rows + " x " + outFeatures);
    }
    int[] accumulators = new int[product.length];
    byte[] outputs = new byte[product.length];
    for (int i = 0, at = 0; i < rows; i++) {
      for (int j = 0; j < outFeatures; j++, at++) {
        int acc = Math.addExact(product[at], foldedBias[j]);
        accumulators[at] = acc;
        outputs[at] = output(j, acc);
      }
    }
    return new Result(rows, outFeatures, accumulators, outputs);
  }

  /**
   * Output channel {@code column}'s accumulator for one input row, straight from the definition:
   * {@code bias_j + sum_k (x_k - zx) W[j][k]}, O(in). This is what a checker recomputes for one
   * revealed entry.
   */
  public int accumulator(byte[] inputRow, int column) {
    if (inputRow.length != inFeatures) {
      throw new IllegalArgumentException(
          "an input row holds " + inFeatures + " entries, got " + inputRow.length);
    }
    Objects.checkIndex(column, outFeatures);
    long acc = bias[column];
    for (int k = 0, at = column * inFeatures; k < inFeatures; k++) {
      acc += (long) (inputRow[k] - inputZeroPoint) * weight[at + k];
    }
    return Math.toIntExact(acc);
  }

  /** Output channel {@code column}'s int8 output for an accumulator. */
  public byte output(int column, int accumulator) {
    return Requantization.requantize(
        accumulator, multiplier(column), shift(column), outputZeroPoint, activation);
  }
}
