package io.peerz.gpu.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The chunk an upload's {@code Content-Range: bytes FIRST-LAST/TOTAL} carries. */
record ContentRange(long first, long last, long total) {
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes (\\d{1,19})-(\\d{1,19})/(\\d{1,19})");

  long length() {
    return last - first + 1;
  }

  /**
   * Parses the header value.
   *
   * @throws DataRejectedException {@code bad_content_range} when malformed or first > last or last
   *     >= total
   */
  static ContentRange parse(String header) throws DataRejectedException {
    String value = header.trim();
    Matcher m = CONTENT_RANGE.matcher(value);
    if (!m.matches()) {
      throw new DataRejectedException(
          DataError.BAD_CONTENT_RANGE,
          "Content-Range must be 'bytes FIRST-LAST/TOTAL' (e.g. bytes 0-8388607/33554432), got '"
              + ByteRange.clip(value)
              + "'");
    }
    try {
      long first = Long.parseLong(m.group(1));
      long last = Long.parseLong(m.group(2));
      long total = Long.parseLong(m.group(3));
      if (first > last || last >= total) {
        throw new DataRejectedException(
            DataError.BAD_CONTENT_RANGE,
            "Content-Range '"
                + value
                + "' is not a chunk of the file: need FIRST <= LAST < TOTAL (LAST inclusive)");
      }
      return new ContentRange(first, last, total);
    } catch (NumberFormatException e) {
      throw new DataRejectedException(
          DataError.BAD_CONTENT_RANGE, "Content-Range bound out of range: '" + value + "'");
    }
  }
}
