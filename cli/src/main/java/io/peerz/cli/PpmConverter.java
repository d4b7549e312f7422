package io.peerz.cli;

import java.math.BigDecimal;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A rate written as a decimal fraction ({@code 0.1}, {@code 0.125}) into parts per million,
 * exactly: {@code 0.1} is 100000 ppm; anything finer than 1 ppm is rejected rather than rounded.
 */
final class PpmConverter implements ITypeConverter<Integer> {
  static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  @Override
  public Integer convert(String value) {
    return toPpm(value);
  }

  static int toPpm(String text) {
    BigDecimal d;
    try {
      d = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException(
          "'" + text + "' is not a rate: write a decimal fraction such as 0.1 (10%)");
    }
    if (d.signum() < 0 || d.compareTo(BigDecimal.ONE) > 0) {
      throw new TypeConversionException("'" + text + "' is not a rate between 0 and 1");
    }
    BigDecimal ppm = d.multiply(MILLION);
    try {
      return ppm.setScale(0).intValueExact();
    } catch (ArithmeticException e) {
      throw new TypeConversionException(
          "'" + text + "' has more precision than 1 ppm (at most 6 decimal places)");
    }
  }
}
