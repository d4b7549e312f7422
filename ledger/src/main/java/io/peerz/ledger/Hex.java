package io.peerz.ledger;

/** Hexadecimal text for bytes. */
public final class Hex {
  private Hex() {}

  /** Lower-case hex, no prefix. */
  public static String encode(byte[] bytes) {
    throw new UnsupportedOperationException("contract");
  }

  /** Upper-case hex, no prefix: how CometBFT writes hashes. */
  public static String encodeUpper(byte[] bytes) {
    throw new UnsupportedOperationException("contract");
  }

  /** Decodes hex in either case, with or without a leading {@code 0x}. */
  public static byte[] decode(String hex) {
    throw new UnsupportedOperationException("contract");
  }
}
