package io.peerz.attest;

/** A file that is not a .npy file peerz can read, with a message that says what is wrong. */
public final class NpyFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public NpyFormatException(String message) {
    super(message);
  }
}
