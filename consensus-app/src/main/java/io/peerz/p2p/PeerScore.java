package io.peerz.p2p;

/**
 * A peer's misbehavior score: points added per {@link Misbehavior}, less one point per second
 * since, never below zero. Times are from {@link System#nanoTime}; guarded by its owner.
 */
final class PeerScore {
  private static final long NANOS_PER_POINT = 1_000_000_000L;

  private long points;
  private long updatedNanos;

  /** Adds {@code kind}'s points at {@code nowNanos}; returns the score after. */
  long add(Misbehavior kind, long nowNanos) {
    decay(nowNanos);
    points += kind.points;
    return points;
  }

  /** The score at {@code nowNanos}. */
  long score(long nowNanos) {
    decay(nowNanos);
    return points;
  }

  private void decay(long nowNanos) {
    long elapsed = nowNanos - updatedNanos;
    if (points > 0 && elapsed > 0) {
      points = Math.max(0, points - elapsed / NANOS_PER_POINT);
      // Keep the remainder: a report every 0.9 s must not escape decay-free.
      updatedNanos = nowNanos - elapsed % NANOS_PER_POINT;
    } else if (points == 0) {
      updatedNanos = nowNanos;
    }
  }
}
