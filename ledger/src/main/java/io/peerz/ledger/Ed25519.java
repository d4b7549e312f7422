package io.peerz.ledger;

/** Ed25519 signature verification through Bouncy Castle. */
public final class Ed25519 {
  /** Length of a public key and of a private seed. */
  public static final int KEY_LENGTH = 32;

  /** Length of a signature. */
  public static final int SIGNATURE_LENGTH = 64;

  private Ed25519() {}

  /**
   * True when {@code signature} (64 bytes) is a valid signature of {@code message} by {@code
   * publicKey} (32 bytes). Wrong lengths give false, never an exception.
   */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey == null
        || message == null
        || signature == null
        || publicKey.length != KEY_LENGTH
        || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    try {
      return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
          signature, 0, publicKey, 0, message, 0, message.length);
    } catch (RuntimeException e) {
      // An undecodable point is an invalid signature, not a program error.
      return false;
    }
  }

  /** True when {@code publicKey} is 32 bytes that decode to a valid Ed25519 curve point. */
  public static boolean isPublicKey(byte[] publicKey) {
    if (publicKey == null || publicKey.length != KEY_LENGTH) {
      return false;
    }
    try {
      return org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(publicKey, 0);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
