package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AddressTest {
  @Test
  void isTheFirst20BytesOfTheKeysSha256() {
    byte[] pub = new byte[32];
    pub[0] = 7;
    assertThat(Address.of(pub).bytes()).isEqualTo(Arrays.copyOf(Sha256.hash(pub), 20));
  }

  @Test
  void printsAsLowerCaseHexWithPrefixAndParsesAnyCase() {
    byte[] b = new byte[20];
    b[0] = (byte) 0xAB;
    b[19] = 0x01;
    Address a = new Address(b);
    assertThat(a.toString()).isEqualTo("0xab00000000000000000000000000000000000001");
    assertThat(Address.parse("0xAB00000000000000000000000000000000000001")).isEqualTo(a);
    assertThat(Address.parse(a.toString())).isEqualTo(a);
  }

  @Test
  void comparesAsUnsignedBytesAndByContent() {
    byte[] low = new byte[20];
    byte[] high = new byte[20];
    low[0] = 0x7f;
    high[0] = (byte) 0x80;
    assertThat(new Address(low)).isLessThan(new Address(high));
    assertThat(new Address(low)).isEqualTo(new Address(low.clone()));
    assertThat(new Address(low).hashCode()).isEqualTo(new Address(low.clone()).hashCode());
  }

  @Test
  void rejectsWrongLengthsWithActionableMessages() {
    assertThatThrownBy(() -> new Address(new byte[19]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("20 bytes");
    assertThatThrownBy(() -> Address.parse("ab00000000000000000000000000000000000001"))
        .hasMessageContaining("must start with 0x");
    assertThatThrownBy(() -> Address.parse("0xab"))
        .hasMessageContaining("has 2 hex digits")
        .hasMessageContaining("expected 40");
    assertThatThrownBy(() -> Address.parse("0xzb00000000000000000000000000000000000001"))
        .hasMessageContaining("'z'")
        .hasMessageContaining("position 2");
    assertThatThrownBy(() -> Address.parse("")).hasMessageContaining("empty");
  }

  @Property
  void parseInvertsToString(@ForAll @Size(20) byte[] bytes) {
    Address a = new Address(bytes);
    assertThat(Address.parse(a.toString())).isEqualTo(a);
  }
}
