package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class HexTest {
  @Test
  void encodesLowerAndUpperCase() {
    byte[] bytes = {0x00, 0x0f, (byte) 0xab, (byte) 0xff};
    assertThat(Hex.encode(bytes)).isEqualTo("000fabff");
    assertThat(Hex.encodeUpper(bytes)).isEqualTo("000FABFF");
  }

  @Test
  void decodesEitherCaseWithOrWithoutPrefix() {
    byte[] expected = {0x00, 0x0f, (byte) 0xab, (byte) 0xff};
    assertThat(Hex.decode("000fabff")).isEqualTo(expected);
    assertThat(Hex.decode("000FABFF")).isEqualTo(expected);
    assertThat(Hex.decode("0x000fAbFf")).isEqualTo(expected);
    assertThat(Hex.decode("")).isEmpty();
  }

  @Test
  void rejectsOddLengthAndNonHexCharacters() {
    assertThatThrownBy(() -> Hex.decode("abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("odd");
    assertThatThrownBy(() -> Hex.decode("zz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'z'");
  }

  @Property
  void decodeInvertsEncode(@ForAll byte[] bytes) {
    assertThat(Hex.decode(Hex.encode(bytes))).isEqualTo(bytes);
    assertThat(Hex.decode(Hex.encodeUpper(bytes))).isEqualTo(bytes);
  }
}
