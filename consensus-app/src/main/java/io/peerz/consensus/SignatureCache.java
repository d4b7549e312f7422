package io.peerz.consensus;

import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Sha256;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ed25519 verification with a bounded memory of signatures already found valid. The same vote is
 * verified again and again otherwise: gossip re-sends it, the next block's last_commit carries it,
 * a catch-up commit repeats it (and in the simulation every node of the process checks it). Only
 * valid results are kept, keyed by public key, signature and the SHA-256 of the message, so a
 * cached answer is exactly the answer verification would give. Thread-safe.
 */
final class SignatureCache {
  private SignatureCache() {}

  private static final int CAPACITY = 1 << 16;

  private static final Map<ByteBuffer, Boolean> VALID =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
          return size() > CAPACITY;
        }
      };

  /** Whether {@code signature} is {@code publicKey}'s Ed25519 signature of {@code message}. */
  static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    ByteBuffer key =
        ByteBuffer.allocate(publicKey.length + signature.length + 32)
            .put(publicKey)
            .put(signature)
            .put(Sha256.hash(message))
            .flip();
    synchronized (VALID) {
      if (VALID.containsKey(key)) {
        return true;
      }
    }
    boolean ok = Ed25519.verify(publicKey, message, signature);
    if (ok) {
      synchronized (VALID) {
        VALID.put(key, Boolean.TRUE);
      }
    }
    return ok;
  }
}
