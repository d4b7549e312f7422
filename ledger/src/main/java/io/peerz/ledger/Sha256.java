package io.peerz.ledger;

/** SHA-256 over the concatenation of its arguments. */
public final class Sha256 {
  private Sha256() {}

  /** Returns the 32-byte SHA-256 digest of the concatenated parts. */
  public static byte[] hash(byte[]... parts) {
    throw new UnsupportedOperationException("contract: ledger helper implements");
  }
}
