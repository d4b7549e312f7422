package io.peerz.ledger;

/** Hexadecimal text for bytes. */
public final class Hex {
  private static final char[] LOWER = "0123456789abcdef".toCharArray();
  private static final char[] UPPER = "0123456789ABCDEF".toCharArray();

  private Hex() {}

  /** Lower-case hex, no prefix. */
  public static String encode(byte[] bytes) {
    return encode(bytes, LOWER);
  }

  /** Upper-case hex, no prefix: how CometBFT writes hashes. */
  public static String encodeUpper(byte[] bytes) {
    return encode(bytes, UPPER);
  }

  private static String encode(byte[] bytes, char[] digits) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = digits[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Decodes hex in either case, with or without a leading {@code 0x}; throws
   * IllegalArgumentException on an odd length or a character that is not a hex digit.
   */
  public static byte[] decode(String hex) {
    String s = hex;
    if (s.startsWith("0x") || s.startsWith("0X")) {
      s = s.substring(2);
    }
    if (s.length() % 2 != 0) {
      throw new IllegalArgumentException(
          "hex text has an odd number of digits (" + s.length() + "): " + abbreviate(hex));
    }
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = digit(s, 2 * i, hex);
      int lo = digit(s, 2 * i + 1, hex);
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  private static int digit(String s, int pos, String original) {
    int d = Character.digit(s.charAt(pos), 16);
    if (d < 0) {
      throw new IllegalArgumentException(
          "not a hex digit '"
              + s.charAt(pos)
              + "' at position "
              + pos
              + " in "
              + abbreviate(original));
    }
    return d;
  }

  static String abbreviate(String text) {
    return text.length() <= 80 ? "'" + text + "'" : "'" + text.substring(0, 77) + "...'";
  }
}
