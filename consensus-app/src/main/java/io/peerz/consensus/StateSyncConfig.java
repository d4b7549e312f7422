package io.peerz.consensus;

import java.time.Duration;

/**
 * Whether a fresh node restores from a peer's snapshot instead of executing every block from
 * genesis ({@code [statesync] enable}), and how long it tries before giving up ({@code
 * statesync.timeout}). The restored app hash is trusted only when the header of the next height
 * carries it under a commit signed by more than two thirds of the genesis validators' power.
 */
public record StateSyncConfig(boolean enable, Duration timeout) {

  /** State sync off. */
  public static final StateSyncConfig DISABLED = new StateSyncConfig(false, Duration.ofMinutes(2));

  public StateSyncConfig {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("statesync.timeout must be positive, got " + timeout);
    }
  }

  /** State sync on, giving up after {@code timeout}. */
  public static StateSyncConfig enabled(Duration timeout) {
    return new StateSyncConfig(true, timeout);
  }
}
