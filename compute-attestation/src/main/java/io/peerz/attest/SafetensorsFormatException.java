package io.peerz.attest;

/** A file that is not a {@code .safetensors} file peerz can read, with what is wrong with it. */
public final class SafetensorsFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public SafetensorsFormatException(String message) {
    super(message);
  }
}
