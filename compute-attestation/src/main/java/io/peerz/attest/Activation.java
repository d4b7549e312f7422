package io.peerz.attest;

/**
 * A layer's activation, folded into the output clamp as TensorFlow Lite does: none clamps to [-128,
 * 127], ReLU to [max(-128, output zero point), 127] (the quantized value of real 0 and up).
 */
public enum Activation {
  /** Code 0: the clamp to int8 only. */
  NONE(0),
  /** Code 1: nothing below the output zero point. */
  RELU(1);

  private final int code;

  Activation(int code) {
    this.code = code;
  }

  /** The code the model file stores in {@code layers.<l>.activation}. */
  public int code() {
    return code;
  }

  /** The activation of {@code code}, or null. */
  public static Activation ofCode(long code) {
    for (Activation a : values()) {
      if (a.code == code) {
        return a;
      }
    }
    return null;
  }

  /** The clamp's lower end for an output zero point. */
  public int low(int outputZeroPoint) {
    return this == RELU ? Math.max(Byte.MIN_VALUE, outputZeroPoint) : Byte.MIN_VALUE;
  }
}
