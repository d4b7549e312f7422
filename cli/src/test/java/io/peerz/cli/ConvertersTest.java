package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.PeerId;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {
  @Test
  void decimalRatesBecomeExactPartsPerMillion() {
    assertThat(PpmConverter.toPpm("0.1")).isEqualTo(100_000);
    assertThat(PpmConverter.toPpm("0.125")).isEqualTo(125_000);
    assertThat(PpmConverter.toPpm("0.000001")).isEqualTo(1);
    assertThat(PpmConverter.toPpm("1")).isEqualTo(1_000_000);
    assertThat(PpmConverter.toPpm("0")).isZero();
    assertThat(PpmConverter.toPpm("0.1000000")).isEqualTo(100_000);
  }

  @Test
  void ratesFinerThanOnePpmAreRejectedNotRounded() {
    assertThatThrownBy(() -> PpmConverter.toPpm("0.0000001"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("more precision than 1 ppm");
    assertThatThrownBy(() -> PpmConverter.toPpm("0.3333333"))
        .hasMessageContaining("more precision");
  }

  @Test
  void ratesOutsideZeroToOneAreRejected() {
    assertThatThrownBy(() -> PpmConverter.toPpm("1.5")).hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> PpmConverter.toPpm("-0.1")).hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> PpmConverter.toPpm("ten")).hasMessageContaining("not a rate");
  }

  @Property
  void everySixDigitFractionRoundTrips(@ForAll @IntRange(min = 0, max = 1_000_000) int ppm) {
    String text = new java.math.BigDecimal(ppm).movePointLeft(6).toPlainString();
    assertThat(PpmConverter.toPpm(text)).isEqualTo(ppm);
  }

  @Test
  void amountsAreWholeBaseUnits() {
    assertThat(AmountConverter.toAmount("5000")).isEqualTo(5000);
    assertThat(AmountConverter.toAmount("100.00")).isEqualTo(100);
    assertThat(AmountConverter.toAmount("1_000_000")).isEqualTo(1_000_000);
    assertThatThrownBy(() -> AmountConverter.toAmount("100.5"))
        .hasMessageContaining("whole number");
    assertThatThrownBy(() -> AmountConverter.toAmount("-1")).hasMessageContaining("negative");
    assertThatThrownBy(() -> AmountConverter.toAmount("99999999999999999999"))
        .hasMessageContaining("too large");
  }

  @Test
  void durationsReadCometBftSpelling() {
    assertThat(DurationConverter.parse("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> DurationConverter.parse("1 second"))
        .isInstanceOf(TypeConversionException.class);
  }

  @Test
  void scoresParseAsNodeIdEqualsScore() {
    var s = new NodeScoreConverter().convert("2=80");
    assertThat(s.getNodeId()).isEqualTo(2);
    assertThat(s.getScore()).isEqualTo(80);
    assertThatThrownBy(() -> new NodeScoreConverter().convert("2:80"))
        .hasMessageContaining("<node-id>=<score>");
  }

  @Test
  void peerIdOfAnEd25519KeyHasTheLibp2pShape() {
    String id = PeerId.ofEd25519(new byte[32]);
    assertThat(id).startsWith("12D3KooW").hasSize(52);
    assertThat(PeerId.ofEd25519(new byte[32])).isEqualTo(id);
    byte[] other = new byte[32];
    other[31] = 1;
    assertThat(PeerId.ofEd25519(other)).isNotEqualTo(id);
  }
}
