package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchStatsTest {

  @Test
  void percentilesAreNearestRankOfTheSortedLatencies() {
    long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    assertThat(BenchStats.percentile(sorted, 50)).isEqualTo(50);
    assertThat(BenchStats.percentile(sorted, 95)).isEqualTo(100);
    assertThat(BenchStats.percentile(sorted, 90)).isEqualTo(90);
    assertThat(BenchStats.percentile(sorted, 1)).isEqualTo(10);
    assertThat(BenchStats.percentile(new long[] {7}, 99)).isEqualTo(7);
    assertThatThrownBy(() -> BenchStats.percentile(new long[0], 50))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BenchStats.percentile(sorted, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void committedRateCountsOnlyCommittedTxsOverFirstSendToLastCommit() {
    // 4 txs accepted in the first second, 3 committed, one never accepted.
    long[] sent = {0, 100, 200, 300, -1};
    long[] committed = {1000, 1100, -1, 2000, -1};
    BenchStats s = BenchStats.of(sent, committed);
    assertThat(s.sent()).isEqualTo(4);
    assertThat(s.committed()).isEqualTo(3);
    assertThat(s.durationMillis()).isEqualTo(2000);
    assertThat(s.committedPerSecond()).isEqualTo(1.5);
    // latencies 1000, 1000, 1700
    assertThat(s.latencyMillis(50)).isEqualTo(1000);
    assertThat(s.latencyMillis(99)).isEqualTo(1700);
    assertThat(s.maxLatencyMillis()).isEqualTo(1700);
  }

  @Test
  void perSecondSeriesBucketSendsAndCommitsBySecondWithLatencyPercentiles() {
    long[] sent = {0, 500, 900, 1200, 1500};
    long[] committed = {1100, 1200, 1300, 2100, 2400};
    BenchStats s = BenchStats.of(sent, committed);
    assertThat(s.sentPerSecondSeries()).containsExactly(3, 2, 0);
    assertThat(s.committedPerSecondSeries()).containsExactly(0, 3, 2);
    // second 1 commits latencies 1100, 700, 400; second 2: 900, 900
    assertThat(s.p50PerSecondSeries()).containsExactly(-1, 700, 900);
    assertThat(s.p99PerSecondSeries()).containsExactly(-1, 1100, 900);
  }

  @Test
  void nothingCommittedGivesZeroRateAndNoLatency() {
    BenchStats s = BenchStats.of(new long[] {0, 10}, new long[] {-1, -1});
    assertThat(s.committed()).isZero();
    assertThat(s.committedPerSecond()).isZero();
    assertThat(s.latencyMillis(50)).isEqualTo(-1);
    assertThat(s.maxLatencyMillis()).isEqualTo(-1);
  }

  @Test
  void rateParsesNumbersAndMaxAndRefusesTheRest() {
    assertThat(BenchCommand.parseRate("max")).isZero();
    assertThat(BenchCommand.parseRate("2500")).isEqualTo(2500.0);
    assertThatThrownBy(() -> BenchCommand.parseRate("0")).isInstanceOf(CliException.class);
    assertThatThrownBy(() -> BenchCommand.parseRate("fast")).isInstanceOf(CliException.class);
  }
}
