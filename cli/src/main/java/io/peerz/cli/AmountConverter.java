package io.peerz.cli;

import java.math.BigDecimal;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An amount in integer base units. The seeds write {@code 100.00}; that is accepted as 100, but a
 * fraction of a base unit is rejected.
 */
final class AmountConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    return toAmount(value);
  }

  static long toAmount(String text) {
    BigDecimal d;
    try {
      d = new BigDecimal(text.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + text + "' is not an amount (integer base units)");
    }
    if (d.signum() < 0) {
      throw new TypeConversionException("'" + text + "' is negative");
    }
    try {
      return d.setScale(0).longValueExact();
    } catch (ArithmeticException e) {
      throw new TypeConversionException(
          "'" + text + "' is not a whole number of base units, or is too large");
    }
  }
}
