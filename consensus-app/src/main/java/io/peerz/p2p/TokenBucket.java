package io.peerz.p2p;

/**
 * A byte rate: tokens refill at {@code rate} per second up to one second's worth, each byte takes
 * one, and the balance may go negative (the bytes were already read, or a packet goes out whole);
 * the caller then waits {@link #waitNanos} before moving more. Times are from {@link
 * System#nanoTime}. Floating point is fine here: it only paces a socket, nothing replicated reads
 * it. Not thread-safe: each connection uses its own from its event loop.
 */
final class TokenBucket {
  private static final double NANOS = 1e9;

  private final double rate;
  private double tokens;
  private long updatedNanos;

  TokenBucket(long rate, long nowNanos) {
    if (rate <= 0) {
      throw new IllegalArgumentException("rate must be positive");
    }
    this.rate = rate;
    this.tokens = rate;
    this.updatedNanos = nowNanos;
  }

  /** Takes {@code bytes} tokens at {@code nowNanos}. */
  void take(long bytes, long nowNanos) {
    refill(nowNanos);
    tokens -= bytes;
  }

  /** How long until the balance is back to zero; 0 when it is not negative. */
  long waitNanos(long nowNanos) {
    refill(nowNanos);
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * NANOS / rate);
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - updatedNanos;
    if (elapsed > 0) {
      tokens = Math.min(rate, tokens + elapsed * rate / NANOS);
      updatedNanos = nowNanos;
    }
  }
}
