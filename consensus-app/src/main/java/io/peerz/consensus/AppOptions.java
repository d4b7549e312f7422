package io.peerz.consensus;

/**
 * The application's settings from app.toml, by the Cosmos SDK's names: which state versions to keep
 * ({@code pruning}), how many recent blocks the chain keeps at least ({@code min-retain-blocks}, 0:
 * every block), and where to stop for an upgrade ({@code halt-height}, {@code halt-time} in Unix
 * seconds; 0: never).
 */
public record AppOptions(
    PruningConfig pruning, long minRetainBlocks, long haltHeight, long haltTimeSeconds) {

  /** The defaults of the Cosmos SDK's app.toml: pruning "default", every block kept, no halt. */
  public static final AppOptions DEFAULT = new AppOptions(PruningConfig.DEFAULT, 0, 0, 0);

  public AppOptions {
    if (pruning == null) {
      pruning = PruningConfig.DEFAULT;
    }
    if (minRetainBlocks < 0) {
      throw new IllegalArgumentException(
          "min-retain-blocks must be 0 (keep every block) or positive, got " + minRetainBlocks);
    }
    if (haltHeight < 0) {
      throw new IllegalArgumentException(
          "halt-height must be 0 (no halt) or a height, got " + haltHeight);
    }
    if (haltTimeSeconds < 0) {
      throw new IllegalArgumentException(
          "halt-time must be 0 (no halt) or Unix seconds, got " + haltTimeSeconds);
    }
  }

  /** These options with {@code pruning} instead. */
  public AppOptions withPruning(PruningConfig pruning) {
    return new AppOptions(pruning, minRetainBlocks, haltHeight, haltTimeSeconds);
  }

  /**
   * Whether the block of {@code height} and time {@code blockTimeMillis}, once committed, is where
   * the node halts: at or past halt-height, or the first block at or after halt-time.
   */
  public boolean haltsAfter(long height, long blockTimeMillis) {
    return (haltHeight > 0 && height >= haltHeight)
        || (haltTimeSeconds > 0 && Math.floorDiv(blockTimeMillis, 1000) >= haltTimeSeconds);
  }

  /** What a halt log line says about the settings. */
  public String haltSettings() {
    return "halt-height=" + haltHeight + " halt-time=" + haltTimeSeconds;
  }
}
