package io.peerz.gpu.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
  @Test
  void parsesTheThreeFormsOfASingleRange() throws Exception {
    assertThat(ByteRange.parse("bytes=0-9", 100)).isEqualTo(new ByteRange(0, 9));
    assertThat(ByteRange.parse("bytes=90-", 100)).isEqualTo(new ByteRange(90, 99));
    assertThat(ByteRange.parse("bytes=-5", 100)).isEqualTo(new ByteRange(95, 99));
    assertThat(ByteRange.parse("bytes=-500", 100)).isEqualTo(new ByteRange(0, 99));
    assertThat(ByteRange.parse("bytes=50-5000", 100)).isEqualTo(new ByteRange(50, 99));
  }

  @Test
  void refusesWhatSelectsNothingOrIsMalformed() {
    assertCode("bytes=100-", 100, DataError.RANGE_NOT_SATISFIABLE);
    assertCode("bytes=-0", 100, DataError.RANGE_NOT_SATISFIABLE);
    assertCode("bytes=0-0", 0, DataError.RANGE_NOT_SATISFIABLE);
    assertCode("bytes=5-4", 100, DataError.BAD_RANGE);
    assertCode("bytes=0-1,3-4", 100, DataError.BAD_RANGE);
    assertCode("items=0-1", 100, DataError.BAD_RANGE);
    assertCode("bytes=-", 100, DataError.BAD_RANGE);
    assertCode("bytes=99999999999999999999-", 100, DataError.BAD_RANGE);
  }

  @Property
  void aSatisfiableRangeLiesInsideTheFile(
      @ForAll @LongRange(min = 1, max = 1L << 40) long size,
      @ForAll @LongRange(min = 0, max = 1L << 41) long first,
      @ForAll @LongRange(min = 0, max = 1L << 41) long length)
      throws Exception {
    long last = first + length;
    if (first >= size) {
      assertCode("bytes=" + first + "-" + last, size, DataError.RANGE_NOT_SATISFIABLE);
      return;
    }
    ByteRange r = ByteRange.parse("bytes=" + first + "-" + last, size);
    assertThat(r.first()).isEqualTo(first);
    assertThat(r.last()).isEqualTo(Math.min(last, size - 1));
    assertThat(r.length()).isPositive();
  }

  @Test
  void contentRangeNamesAChunkOfTheFile() throws Exception {
    assertThat(ContentRange.parse("bytes 0-99/1000")).isEqualTo(new ContentRange(0, 99, 1000));
    assertThat(ContentRange.parse("bytes 0-99/1000").length()).isEqualTo(100);
    for (String bad :
        new String[] {"bytes 5-4/1000", "bytes 0-1000/1000", "bytes=0-9", "bytes */1000", ""}) {
      assertThatThrownBy(() -> ContentRange.parse(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              DataRejectedException.class,
              e -> assertThat(e.code()).isEqualTo(DataError.BAD_CONTENT_RANGE.code()));
    }
  }

  private static void assertCode(String header, long size, DataError error) {
    assertThatThrownBy(() -> ByteRange.parse(header, size))
        .as(header)
        .isInstanceOfSatisfying(
            DataRejectedException.class, e -> assertThat(e.code()).isEqualTo(error.code()));
  }
}
