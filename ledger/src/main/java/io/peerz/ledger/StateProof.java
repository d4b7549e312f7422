package io.peerz.ledger;

/**
 * A Merkle proof that a key has a value (membership) or has none (non-membership) under a root.
 * Verifiable by a client holding only the app hash.
 */
public final class StateProof {

  /** The key proven. */
  public byte[] key() {
    throw new UnsupportedOperationException("contract");
  }

  /** The value proven, or null for a proof of absence. */
  public byte[] value() {
    throw new UnsupportedOperationException("contract");
  }

  /** True when this proof shows {@link #key()} has {@link #value()} under {@code root}. */
  public boolean verify(byte[] root) {
    throw new UnsupportedOperationException("contract");
  }

  /** Deterministic encoding for RPC (abci_query proof_ops data). */
  public byte[] toBytes() {
    throw new UnsupportedOperationException("contract");
  }

  /** Decodes {@link #toBytes()}; throws IllegalArgumentException on malformed bytes. */
  public static StateProof fromBytes(byte[] bytes) {
    throw new UnsupportedOperationException("contract");
  }
}
