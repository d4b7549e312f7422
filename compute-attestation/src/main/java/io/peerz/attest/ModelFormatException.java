package io.peerz.attest;

/**
 * A model file that is not a valid mlp-int8 model (docs/attestation.md "Workload mlp-int8"), with a
 * message that names the tensor or rule at fault.
 */
public final class ModelFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
