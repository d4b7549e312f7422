package io.peerz.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 over the concatenation of its arguments. */
public final class Sha256 {
  /** Length of a digest in bytes. */
  public static final int LENGTH = 32;

  // One digest per thread: MessageDigest.getInstance looks the provider up on every call, which
  // was 6% of the consensus thread's samples while it hashed the txs of 30,000-tx blocks.
  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(Sha256::newDigest);

  private Sha256() {}

  /** Returns the 32-byte SHA-256 digest of the concatenated parts. */
  public static byte[] hash(byte[]... parts) {
    MessageDigest digest = DIGEST.get();
    digest.reset(); // clean even if an earlier call threw between its updates
    for (byte[] part : parts) {
      digest.update(part);
    }
    return digest.digest();
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
