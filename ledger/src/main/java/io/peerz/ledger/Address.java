package io.peerz.ledger;

/**
 * An account address: the first 20 bytes of SHA-256 of an Ed25519 public key, written {@code 0x} +
 * 40 lower-case hex digits. Equality and ordering are by bytes (unsigned).
 */
public record Address(byte[] bytes) implements Comparable<Address> {
  public static final int LENGTH = 20;

  /** Wraps 20 bytes; throws IllegalArgumentException on another length. */
  public Address {
    throw new UnsupportedOperationException("contract");
  }

  /** The address of an Ed25519 public key. */
  public static Address of(byte[] publicKey) {
    throw new UnsupportedOperationException("contract");
  }

  /**
   * Parses {@code 0x} + 40 hex digits in any case; throws IllegalArgumentException with a message a
   * person can act on.
   */
  public static Address parse(String text) {
    throw new UnsupportedOperationException("contract");
  }

  @Override
  public int compareTo(Address other) {
    throw new UnsupportedOperationException("contract");
  }
}
