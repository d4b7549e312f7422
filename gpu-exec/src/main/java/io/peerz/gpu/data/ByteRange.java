package io.peerz.gpu.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An inclusive byte range {@code [first, last]} of a file: what a Range header selects. */
record ByteRange(long first, long last) {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

  long length() {
    return last - first + 1;
  }

  /**
   * The one range that {@code header} (a {@code Range} value, e.g. {@code bytes=0-99}, {@code
   * bytes=100-} or {@code bytes=-100}) selects of a file of {@code size} bytes; an end past the
   * file is cut to its last byte, as RFC 9110 says.
   *
   * @throws DataRejectedException {@code bad_range} when malformed or several ranges, {@code
   *     range_not_satisfiable} when it starts at or past the end
   */
  static ByteRange parse(String header, long size) throws DataRejectedException {
    String value = header.trim();
    if (value.indexOf(',') >= 0) {
      throw new DataRejectedException(
          DataError.BAD_RANGE,
          "one range per request: ask 'Range: bytes=A-B', got '" + clip(value) + "'");
    }
    Matcher m = RANGE.matcher(value);
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      throw new DataRejectedException(
          DataError.BAD_RANGE,
          "Range must be bytes=A-B, bytes=A- or bytes=-N, got '" + clip(value) + "'");
    }
    if (m.group(1).isEmpty()) {
      long suffix = parse(m.group(2), value);
      if (suffix == 0 || size == 0) {
        throw unsatisfiable(value, size);
      }
      return new ByteRange(Math.max(0, size - suffix), size - 1);
    }
    long first = parse(m.group(1), value);
    long last = m.group(2).isEmpty() ? Long.MAX_VALUE : parse(m.group(2), value);
    if (last < first) {
      throw new DataRejectedException(
          DataError.BAD_RANGE, "Range ends before it starts: '" + clip(value) + "'");
    }
    if (first >= size) {
      throw unsatisfiable(value, size);
    }
    return new ByteRange(first, Math.min(last, size - 1));
  }

  private static DataRejectedException unsatisfiable(String value, long size) {
    return new DataRejectedException(
        DataError.RANGE_NOT_SATISFIABLE,
        "'" + clip(value) + "' selects no byte of this " + size + "-byte file");
  }

  private static long parse(String digits, String value) throws DataRejectedException {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new DataRejectedException(
          DataError.BAD_RANGE, "Range bound out of range: '" + clip(value) + "'");
    }
  }

  /** A header value as far as an error message repeats it. */
  static String clip(String value) {
    return value.length() <= 80 ? value : value.substring(0, 80) + "...";
  }
}
