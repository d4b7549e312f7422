package io.peerz.consensus;

import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Sha256;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ed25519 verification of votes, proposals and commits with a bounded memory of signatures already
 * found valid. The same vote is verified again and again otherwise: gossip re-sends it, the next
 * block's last_commit carries it, a catch-up commit repeats it. Only valid results are kept, keyed
 * by public key, signature and the SHA-256 of the message, so a cached answer is exactly the answer
 * verification would give. One per node (the node gives it to its consensus driver; the simulation
 * shares one among its nodes, as they check the same votes); thread-safe.
 */
public final class SignatureCache {

  /** An empty memory. */
  public SignatureCache() {}

  private static final int CAPACITY = 1 << 16;

  private final Map<ByteBuffer, Boolean> valid =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
          return size() > CAPACITY;
        }
      };

  /** Whether {@code signature} is {@code publicKey}'s Ed25519 signature of {@code message}. */
  boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    ByteBuffer key =
        ByteBuffer.allocate(publicKey.length + signature.length + 32)
            .put(publicKey)
            .put(signature)
            .put(Sha256.hash(message))
            .flip();
    synchronized (valid) {
      if (valid.containsKey(key)) {
        return true;
      }
    }
    boolean ok = Ed25519.verify(publicKey, message, signature);
    if (ok) {
      synchronized (valid) {
        valid.put(key, Boolean.TRUE);
      }
    }
    return ok;
  }
}
