package io.peerz.ledger;

/** Ed25519 signature verification through Bouncy Castle. */
public final class Ed25519 {
  private Ed25519() {}

  /**
   * True when {@code signature} (64 bytes) is a valid signature of {@code message} by {@code
   * publicKey} (32 bytes). Wrong lengths give false, never an exception.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    throw new UnsupportedOperationException("contract");
  }
}
