package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RequantizationTest {
  private static final int HALF = 1 << 30;

  @Test
  void theHighMultiplyRoundsTiesTowardPlusInfinity() {
    // x * 2^30 / 2^31 = x / 2: every odd x is a tie.
    assertThat(Requantization.saturatingRoundingDoublingHighMul(1, HALF)).isEqualTo(1);
    assertThat(Requantization.saturatingRoundingDoublingHighMul(3, HALF)).isEqualTo(2);
    assertThat(Requantization.saturatingRoundingDoublingHighMul(-1, HALF)).isEqualTo(0);
    assertThat(Requantization.saturatingRoundingDoublingHighMul(-3, HALF)).isEqualTo(-1);
    assertThat(Requantization.saturatingRoundingDoublingHighMul(-455, HALF)).isEqualTo(-227);
    // Not ties: nearest.
    assertThat(Requantization.saturatingRoundingDoublingHighMul(-5, 3 << 28)).isEqualTo(-2);
    assertThat(Requantization.saturatingRoundingDoublingHighMul(5, 3 << 28)).isEqualTo(2);
  }

  @Test
  void theHighMultiplySaturatesItsOneOverflow() {
    assertThat(
            Requantization.saturatingRoundingDoublingHighMul(Integer.MIN_VALUE, Integer.MIN_VALUE))
        .isEqualTo(Integer.MAX_VALUE);
    assertThat(
            Requantization.saturatingRoundingDoublingHighMul(Integer.MIN_VALUE, Integer.MAX_VALUE))
        .isEqualTo(-Integer.MAX_VALUE);
  }

  @Test
  void theDivisionRoundsTiesAwayFromZero() {
    assertThat(Requantization.roundingDivideByPot(3, 1)).isEqualTo(2);
    assertThat(Requantization.roundingDivideByPot(-3, 1)).isEqualTo(-2);
    assertThat(Requantization.roundingDivideByPot(-1, 1)).isEqualTo(-1);
    assertThat(Requantization.roundingDivideByPot(6, 2)).isEqualTo(2);
    assertThat(Requantization.roundingDivideByPot(-6, 2)).isEqualTo(-2);
    assertThat(Requantization.roundingDivideByPot(5, 2)).isEqualTo(1);
    assertThat(Requantization.roundingDivideByPot(-5, 2)).isEqualTo(-1);
    assertThat(Requantization.roundingDivideByPot(-7, 0)).isEqualTo(-7);
    assertThat(Requantization.roundingDivideByPot(Integer.MIN_VALUE, 31)).isEqualTo(-1);
    assertThat(Requantization.roundingDivideByPot(Integer.MAX_VALUE, 31)).isEqualTo(1);
    assertThat(Requantization.roundingDivideByPot(HALF - 1, 31)).isEqualTo(0);
    assertThat(Requantization.roundingDivideByPot(-HALF, 31)).isEqualTo(-1);
  }

  @Property(tries = 2000)
  void theHighMultiplyIsTheFloorOfAbPlusHalf(@ForAll int a, @ForAll int b) {
    long expected =
        a == Integer.MIN_VALUE && b == Integer.MIN_VALUE
            ? Integer.MAX_VALUE
            : Math.floorDiv((long) a * b + (1L << 30), 1L << 31);
    assertThat(Requantization.saturatingRoundingDoublingHighMul(a, b)).isEqualTo((int) expected);
  }

  @Property(tries = 2000)
  void theDivisionIsNearestWithTiesAwayFromZero(
      @ForAll int x, @ForAll @IntRange(min = 0, max = 31) int e) {
    long magnitude = Math.abs((long) x);
    long rounded = e == 0 ? magnitude : (magnitude + (1L << (e - 1))) >> e;
    assertThat(Requantization.roundingDivideByPot(x, e))
        .isEqualTo((int) (x < 0 ? -rounded : rounded));
  }

  @Property(tries = 2000)
  void theMultiplierIsTheTwoRoundingsInTurn(
      @ForAll int x,
      @ForAll @IntRange(min = 1 << 30, max = Integer.MAX_VALUE) int multiplier,
      @ForAll @IntRange(min = -31, max = 30) int shift) {
    int left = Math.max(shift, 0);
    int xs = (int) Math.max(Integer.MIN_VALUE >> left, Math.min(Integer.MAX_VALUE >> left, x));
    long high = Math.floorDiv((long) (xs << left) * multiplier + (1L << 30), 1L << 31);
    int right = Math.max(-shift, 0);
    long magnitude = Math.abs(high);
    long rounded = right == 0 ? magnitude : (magnitude + (1L << (right - 1))) >> right;
    assertThat(Requantization.multiplyByQuantizedMultiplier(xs, multiplier, shift))
        .isEqualTo((int) (high < 0 ? -rounded : rounded));
  }

  @Test
  void aLeftShiftThatLeavesInt32IsAnErrorNotAWrap() {
    assertThat(Requantization.multiplyByQuantizedMultiplier(Integer.MAX_VALUE >> 3, HALF, 3))
        .isEqualTo((Integer.MAX_VALUE >> 3) * 4);
    assertThatThrownBy(
            () ->
                Requantization.multiplyByQuantizedMultiplier((Integer.MAX_VALUE >> 3) + 1, HALF, 3))
        .isInstanceOf(ArithmeticException.class);
  }

  @Test
  void multipliersAndShiftsOutsideTheirRangesAreRefused() {
    assertThatThrownBy(() -> Requantization.multiplyByQuantizedMultiplier(1, HALF - 1, 0))
        .hasMessageContaining("[2^30, 2^31 - 1]");
    assertThatThrownBy(() -> Requantization.multiplyByQuantizedMultiplier(1, -HALF, 0))
        .hasMessageContaining("[2^30, 2^31 - 1]");
    assertThatThrownBy(() -> Requantization.multiplyByQuantizedMultiplier(1, HALF, 31))
        .hasMessageContaining("-31..30");
    assertThatThrownBy(() -> Requantization.multiplyByQuantizedMultiplier(1, HALF, -32))
        .hasMessageContaining("-31..30");
    assertThatThrownBy(() -> Requantization.roundingDivideByPot(1, 32))
        .hasMessageContaining("0..31");
  }

  @Test
  void theOutputAddsTheZeroPointAndClampsWithReluFromTheZeroPoint() {
    // 1000 x 0.5 x 2^-3 = 62.5 -> 63 (the division rounds away from zero), + 11.
    assertThat(Requantization.requantize(1000, HALF, -3, 11, Activation.NONE)).isEqualTo((byte) 74);
    assertThat(Requantization.requantize(-1000, HALF, -3, 11, Activation.NONE))
        .isEqualTo((byte) -52);
    assertThat(Requantization.requantize(-1000, HALF, -3, 11, Activation.RELU))
        .isEqualTo((byte) 11);
    assertThat(Requantization.requantize(1 << 20, HALF, -3, 11, Activation.RELU))
        .isEqualTo(Byte.MAX_VALUE);
    assertThat(Requantization.requantize(-(1 << 20), HALF, -3, 11, Activation.NONE))
        .isEqualTo(Byte.MIN_VALUE);
    assertThat(Requantization.requantize(-(1 << 20), HALF, -3, -128, Activation.RELU))
        .isEqualTo(Byte.MIN_VALUE);
    // The zero point is added exactly: near int32's top it cannot wrap before the clamp.
    assertThat(
            Requantization.requantize(
                Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 127, Activation.NONE))
        .isEqualTo(Byte.MAX_VALUE);
    assertThat(
            Requantization.requantize(
                Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -128, Activation.NONE))
        .isEqualTo(Byte.MIN_VALUE);
  }
}
