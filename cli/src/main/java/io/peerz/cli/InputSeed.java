package io.peerz.cli;

import java.math.BigInteger;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --input-seed}: the 32 bytes a job's inputs are generated from. A decimal number is its
 * 256-bit big-endian encoding (42 is 31 zero bytes then 0x2a); {@code 0x} and up to 64 hex digits
 * are those bytes, left-padded with zeros to 32.
 */
final class InputSeed implements ITypeConverter<byte[]> {
  @Override
  public byte[] convert(String value) {
    return parse(value);
  }

  static byte[] parse(String text) {
    String t = text.trim();
    BigInteger v;
    try {
      if (t.startsWith("0x") || t.startsWith("0X")) {
        String hex = t.substring(2);
        if (hex.isEmpty() || hex.length() > 64 || !hex.matches("[0-9a-fA-F]+")) {
          throw new TypeConversionException(
              "'" + text + "' is not 0x followed by 1 to 64 hex digits");
        }
        v = new BigInteger(hex, 16);
      } else {
        if (!t.matches("[0-9]+")) {
          throw new TypeConversionException(
              "'" + text + "' is not a seed: give a decimal number or 0x + up to 64 hex digits");
        }
        v = new BigInteger(t);
      }
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is not a seed");
    }
    if (v.bitLength() > 256) {
      throw new TypeConversionException("'" + text + "' does not fit in 32 bytes");
    }
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - n, out, 32 - n, n);
    return out;
  }
}
