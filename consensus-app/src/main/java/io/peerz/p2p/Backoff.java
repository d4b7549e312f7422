package io.peerz.p2p;

import java.time.Duration;
import java.util.Random;

/**
 * Re-dial delays: min doubled per consecutive failure, plus up to half again of jitter so that
 * validators restarted together do not dial in lock-step, never above max. The jitter comes from a
 * seeded Random so a run can be repeated.
 */
final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private final Random random;

  Backoff(Duration min, Duration max, long seed) {
    this.minMillis = Math.max(1, min.toMillis());
    this.maxMillis = Math.max(minMillis, max.toMillis());
    this.random = new Random(seed);
  }

  /** The delay before attempt number {@code failures} (0 after a disconnect). */
  synchronized long delayMillis(int failures) {
    long base = minMillis;
    for (int i = 0; i < failures && base < maxMillis; i++) {
      base = Math.min(maxMillis, base * 2);
    }
    long jitter = random.nextLong(base / 2 + 1);
    return Math.min(maxMillis, base + jitter);
  }
}
