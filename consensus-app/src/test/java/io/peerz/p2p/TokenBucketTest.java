package io.peerz.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aBurstOfOneSecondPassesAndMoreWaitsForTheRateToCatchUp() {
    TokenBucket bucket = new TokenBucket(1000, 0);
    bucket.take(1000, 0);
    assertThat(bucket.waitNanos(0)).isZero();
    bucket.take(500, 0);
    assertThat(bucket.waitNanos(0)).isEqualTo(SECOND / 2);
    assertThat(bucket.waitNanos(SECOND / 4)).isEqualTo(SECOND / 4);
    assertThat(bucket.waitNanos(SECOND / 2)).isZero();
  }

  @Test
  void idleTimeRefillsNoMoreThanOneSecondsWorth() {
    TokenBucket bucket = new TokenBucket(1000, 0);
    bucket.take(1000, 0);
    bucket.take(1500, 3600 * SECOND);
    assertThat(bucket.waitNanos(3600 * SECOND)).isEqualTo(SECOND / 2);
  }

  @Test
  void theReceiveThrottleStopsReadingPastTheRateAndResumesOnceItCaughtUp() {
    EmbeddedChannel channel = new EmbeddedChannel(new ReceiveThrottle(10_000));
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[5_000]));
    assertThat(channel.config().isAutoRead()).isTrue();
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[10_000]));
    assertThat(channel.config().isAutoRead()).isFalse();
    // The bytes already read still go on; only further reads wait.
    assertThat(channel.inboundMessages()).hasSize(2);
    long deadline = System.nanoTime() + 10 * SECOND;
    while (!channel.config().isAutoRead() && System.nanoTime() < deadline) {
      channel.runScheduledPendingTasks();
      Thread.onSpinWait();
    }
    assertThat(channel.config().isAutoRead()).isTrue();
    channel.finishAndReleaseAll();
  }
}
