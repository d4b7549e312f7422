package io.peerz.gpu.data;

import java.time.Duration;

/**
 * Limits of one server: the largest file, the total bytes stored (inputs being uploaded or held,
 * and outputs), open connections, and how long a connection may stay idle (or take to send its
 * request headers) before it is closed.
 */
public record DataLimits(
    long maxFileBytes, long maxStoredBytes, int maxConnections, Duration idleTimeout) {

  /** Checks every limit is positive and a file fits in the store. */
  public DataLimits {
    if (maxFileBytes <= 0 || maxStoredBytes <= 0 || maxConnections <= 0) {
      throw new IllegalArgumentException(
          "data limits must be positive: maxFileBytes="
              + maxFileBytes
              + " maxStoredBytes="
              + maxStoredBytes
              + " maxConnections="
              + maxConnections);
    }
    if (maxFileBytes > maxStoredBytes) {
      throw new IllegalArgumentException(
          "maxFileBytes " + maxFileBytes + " is above maxStoredBytes " + maxStoredBytes);
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
    }
  }

  /** 4 GiB files, 64 GiB stored, 64 connections, 30 s idle. */
  public static DataLimits defaults() {
    return new DataLimits(4L << 30, 64L << 30, 64, Duration.ofSeconds(30));
  }

  /** These limits with another idle timeout. */
  public DataLimits withIdleTimeout(Duration idle) {
    return new DataLimits(maxFileBytes, maxStoredBytes, maxConnections, idle);
  }
}
