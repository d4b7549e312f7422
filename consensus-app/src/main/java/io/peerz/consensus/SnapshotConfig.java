package io.peerz.consensus;

import io.peerz.ledger.StateSnapshot;

/**
 * When the application takes state-sync snapshots: every {@code interval} heights (0: never),
 * keeping the {@code keepRecent} newest, in chunks of at most {@code chunkBytes}. The keys follow
 * CometBFT's {@code [statesync]} section: {@code snapshot_interval}, {@code snapshot_keep_recent}.
 */
public record SnapshotConfig(long interval, int keepRecent, int chunkBytes) {

  /** Snapshots every 100 heights, the last 2 kept, 1 MiB chunks. */
  public static final SnapshotConfig DEFAULT =
      new SnapshotConfig(100, 2, StateSnapshot.DEFAULT_CHUNK_BYTES);

  /** No snapshots. */
  public static final SnapshotConfig DISABLED =
      new SnapshotConfig(0, 2, StateSnapshot.DEFAULT_CHUNK_BYTES);

  public SnapshotConfig {
    if (interval < 0) {
      throw new IllegalArgumentException(
          "statesync.snapshot_interval must be 0 (off) or positive, got " + interval);
    }
    if (keepRecent < 1) {
      throw new IllegalArgumentException(
          "statesync.snapshot_keep_recent must be at least 1, got " + keepRecent);
    }
    if (chunkBytes < 64) {
      throw new IllegalArgumentException("snapshot chunk size must be at least 64 bytes");
    }
  }

  /** Snapshots every {@code interval} heights with the default retention and chunk size. */
  public static SnapshotConfig every(long interval, int keepRecent) {
    return new SnapshotConfig(interval, keepRecent, StateSnapshot.DEFAULT_CHUNK_BYTES);
  }

  boolean takesAt(long height) {
    return interval > 0 && height > 0 && height % interval == 0;
  }
}
