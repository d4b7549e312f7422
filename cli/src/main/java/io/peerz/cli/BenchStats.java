package io.peerz.cli;

import java.util.Arrays;

/**
 * What {@code peerz bench} measured, from each tx's send and commit time (milliseconds since the
 * first send; a negative commit time is a tx that was not seen committed): committed tx/s, commit
 * latency percentiles and the per-second series the plot draws.
 */
final class BenchStats {
  private final int sent;
  private final int committed;
  private final long durationMillis;
  private final long[] sortedLatencies;
  private final int[] sentPerSecond;
  private final int[] committedPerSecond;
  private final long[] p50PerSecond;
  private final long[] p99PerSecond;

  private BenchStats(
      int sent,
      int committed,
      long durationMillis,
      long[] sortedLatencies,
      int[] sentPerSecond,
      int[] committedPerSecond,
      long[] p50PerSecond,
      long[] p99PerSecond) {
    this.sent = sent;
    this.committed = committed;
    this.durationMillis = durationMillis;
    this.sortedLatencies = sortedLatencies;
    this.sentPerSecond = sentPerSecond;
    this.committedPerSecond = committedPerSecond;
    this.p50PerSecond = p50PerSecond;
    this.p99PerSecond = p99PerSecond;
  }

  /**
   * {@code sentMillis[i]} is when tx i was accepted by the node (negative: never accepted), {@code
   * committedMillis[i]} when it was seen in a committed block (negative: never).
   */
  static BenchStats of(long[] sentMillis, long[] committedMillis) {
    if (sentMillis.length != committedMillis.length) {
      throw new IllegalArgumentException("one send and one commit time per tx");
    }
    int sent = 0;
    int committed = 0;
    long last = 0;
    for (int i = 0; i < sentMillis.length; i++) {
      if (sentMillis[i] >= 0) {
        sent++;
        last = Math.max(last, sentMillis[i]);
        if (committedMillis[i] >= 0) {
          committed++;
          last = Math.max(last, committedMillis[i]);
        }
      }
    }
    int seconds = (int) (last / 1000) + 1;
    int[] sentPerSecond = new int[seconds];
    int[] committedPerSecond = new int[seconds];
    long[] latencies = new long[committed];
    long[][] bySecond = new long[seconds][];
    int[] fill = new int[seconds];
    int n = 0;
    for (int i = 0; i < sentMillis.length; i++) {
      if (sentMillis[i] < 0) {
        continue;
      }
      sentPerSecond[(int) (sentMillis[i] / 1000)]++;
      if (committedMillis[i] >= 0) {
        committedPerSecond[(int) (committedMillis[i] / 1000)]++;
        latencies[n++] = Math.max(0, committedMillis[i] - sentMillis[i]);
      }
    }
    for (int s = 0; s < seconds; s++) {
      bySecond[s] = new long[committedPerSecond[s]];
    }
    for (int i = 0; i < sentMillis.length; i++) {
      if (sentMillis[i] >= 0 && committedMillis[i] >= 0) {
        int s = (int) (committedMillis[i] / 1000);
        bySecond[s][fill[s]++] = Math.max(0, committedMillis[i] - sentMillis[i]);
      }
    }
    long[] p50 = new long[seconds];
    long[] p99 = new long[seconds];
    for (int s = 0; s < seconds; s++) {
      Arrays.sort(bySecond[s]);
      p50[s] = bySecond[s].length == 0 ? -1 : percentile(bySecond[s], 50);
      p99[s] = bySecond[s].length == 0 ? -1 : percentile(bySecond[s], 99);
    }
    Arrays.sort(latencies);
    return new BenchStats(
        sent,
        committed,
        committed == 0 ? 0 : last,
        latencies,
        sentPerSecond,
        committedPerSecond,
        p50,
        p99);
  }

  /** The nearest-rank percentile of ascending {@code sorted} (non-empty), 0 < p <= 100. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(1, rank) - 1];
  }

  int sent() {
    return sent;
  }

  int committed() {
    return committed;
  }

  /** From the first send to the last commit seen. */
  long durationMillis() {
    return durationMillis;
  }

  /** Committed txs over the time from the first send to the last commit. */
  double committedPerSecond() {
    return durationMillis == 0 ? 0 : committed * 1000.0 / durationMillis;
  }

  /** Commit latency percentile in milliseconds; -1 when nothing committed. */
  long latencyMillis(double p) {
    return sortedLatencies.length == 0 ? -1 : percentile(sortedLatencies, p);
  }

  long maxLatencyMillis() {
    return sortedLatencies.length == 0 ? -1 : sortedLatencies[sortedLatencies.length - 1];
  }

  /** Txs the node accepted in each second since the first send. */
  int[] sentPerSecondSeries() {
    return sentPerSecond.clone();
  }

  /** Txs seen committed in each second since the first send. */
  int[] committedPerSecondSeries() {
    return committedPerSecond.clone();
  }

  /** Median commit latency of the txs committed in each second; -1 where none were. */
  long[] p50PerSecondSeries() {
    return p50PerSecond.clone();
  }

  /** 99th percentile commit latency of the txs committed in each second; -1 where none were. */
  long[] p99PerSecondSeries() {
    return p99PerSecond.clone();
  }
}
