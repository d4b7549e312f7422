package io.peerz.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void delaysStayWithinMinAndMaxAndGrowWithFailures() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 42);
    for (int failures = 0; failures < 40; failures++) {
      long delay = backoff.delayMillis(failures);
      assertThat(delay).isBetween(100L, 1000L);
      long base = Math.min(1000L, 100L << Math.min(failures, 10));
      assertThat(delay).isBetween(base, Math.min(1000L, base + base / 2));
    }
  }

  @Test
  void sameSeedGivesTheSameDelays() {
    assertThat(delays(7)).isEqualTo(delays(7)).isNotEqualTo(delays(8));
  }

  private static List<Long> delays(long seed) {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(60), seed);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      out.add(backoff.delayMillis(i));
    }
    return out;
  }
}
