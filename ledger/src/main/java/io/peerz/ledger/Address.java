package io.peerz.ledger;

import java.util.Arrays;

/**
 * An account address: the first 20 bytes of SHA-256 of an Ed25519 public key, written {@code 0x} +
 * 40 lower-case hex digits. Equality and ordering are by bytes (unsigned).
 */
public record Address(byte[] bytes) implements Comparable<Address> {
  public static final int LENGTH = 20;

  /** Wraps 20 bytes; throws IllegalArgumentException on another length. */
  public Address {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "an address is 20 bytes, got " + (bytes == null ? "null" : bytes.length));
    }
    bytes = bytes.clone();
  }

  /** The address of an Ed25519 public key. */
  public static Address of(byte[] publicKey) {
    if (publicKey == null || publicKey.length != Ed25519.KEY_LENGTH) {
      throw new IllegalArgumentException(
          "an Ed25519 public key is 32 bytes, got "
              + (publicKey == null ? "null" : publicKey.length));
    }
    return new Address(Arrays.copyOf(Sha256.hash(publicKey), LENGTH));
  }

  /**
   * Parses {@code 0x} + 40 hex digits in any case; throws IllegalArgumentException with a message a
   * person can act on.
   */
  public static Address parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("address is empty; expected 0x followed by 40 hex digits");
    }
    String t = text.strip();
    if (!(t.startsWith("0x") || t.startsWith("0X"))) {
      throw new IllegalArgumentException(
          "address " + Hex.abbreviate(text) + " must start with 0x followed by 40 hex digits");
    }
    String digits = t.substring(2);
    if (digits.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          "address "
              + Hex.abbreviate(text)
              + " has "
              + digits.length()
              + " hex digits after 0x; expected 40");
    }
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), 16) < 0) {
        throw new IllegalArgumentException(
            "address "
                + Hex.abbreviate(text)
                + " has a non-hex character '"
                + digits.charAt(i)
                + "' at position "
                + (i + 2));
      }
    }
    return new Address(Hex.decode(digits));
  }

  /** The 20 bytes (a copy). */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public int compareTo(Address other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Address other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "0x" + Hex.encode(bytes);
  }
}
