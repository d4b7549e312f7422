package io.peerz.consensus;

import java.util.Locale;

/**
 * Which earlier versions of the state the application keeps: the Cosmos SDK's {@code pruning},
 * {@code pruning-keep-recent} and {@code pruning-interval} of app.toml, with its meanings.
 * "default" keeps the last 362880 versions, "nothing" keeps every version (an archive),
 * "everything" keeps the last 2, "custom" keeps the last {@code keepRecent}; old versions are
 * deleted every {@code interval} heights. A version is the state as committed at a height: what
 * {@code abci_query} at that height and {@code peerz export --height} read.
 */
public record PruningConfig(Strategy strategy, long keepRecent, long interval) {

  /** The strategies, as app.toml names them. */
  public enum Strategy {
    DEFAULT,
    NOTHING,
    EVERYTHING,
    CUSTOM;

    /** The name app.toml uses. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The Cosmos SDK's "everything": the fewest versions and the shortest interval allowed. */
  static final long EVERYTHING_KEEP_RECENT = 2;

  static final long EVERYTHING_INTERVAL = 10;

  /** The Cosmos SDK's "default": about three weeks of 5-second blocks. */
  static final long DEFAULT_KEEP_RECENT = 362_880;

  static final long DEFAULT_INTERVAL = 10;

  /** pruning = "default". */
  public static final PruningConfig DEFAULT =
      new PruningConfig(Strategy.DEFAULT, DEFAULT_KEEP_RECENT, DEFAULT_INTERVAL);

  /** pruning = "nothing": every version is kept. */
  public static final PruningConfig NOTHING = new PruningConfig(Strategy.NOTHING, 0, 0);

  /** pruning = "everything": the last 2 versions, pruned every 10 heights. */
  public static final PruningConfig EVERYTHING =
      new PruningConfig(Strategy.EVERYTHING, EVERYTHING_KEEP_RECENT, EVERYTHING_INTERVAL);

  /** Validates as the Cosmos SDK's PruningOptions.Validate, with its messages. */
  public PruningConfig {
    if (strategy == null) {
      throw new IllegalArgumentException("pruning strategy is missing");
    }
    if (strategy != Strategy.NOTHING) {
      if (interval == 0) {
        throw new IllegalArgumentException(
            "'pruning-interval' must not be 0. If you want to disable pruning, select pruning ="
                + " \"nothing\"");
      }
      if (interval < EVERYTHING_INTERVAL) {
        throw new IllegalArgumentException(
            "'pruning-interval' must not be less than "
                + EVERYTHING_INTERVAL
                + ". For the most aggressive pruning, select pruning = \"everything\"");
      }
      if (keepRecent < EVERYTHING_KEEP_RECENT) {
        throw new IllegalArgumentException(
            "'pruning-keep-recent' must not be less than "
                + EVERYTHING_KEEP_RECENT
                + ". For the most aggressive pruning, select pruning = \"everything\"");
      }
    }
  }

  /**
   * The options app.toml's keys give: {@code keepRecent} and {@code interval} count only for
   * "custom" (null: not set), as in the Cosmos SDK. Throws IllegalArgumentException, naming the
   * key, for an unknown strategy or custom values the SDK refuses.
   */
  public static PruningConfig of(String strategy, Long keepRecent, Long interval) {
    String name = strategy == null ? "default" : strategy.trim();
    return switch (name) {
      case "default" -> DEFAULT;
      case "nothing" -> NOTHING;
      case "everything" -> EVERYTHING;
      case "custom" -> {
        try {
          yield new PruningConfig(
              Strategy.CUSTOM,
              keepRecent == null ? 0 : keepRecent,
              interval == null ? 0 : interval);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("invalid custom pruning options: " + e.getMessage());
        }
      }
      default ->
          throw new IllegalArgumentException(
              "unknown pruning strategy \""
                  + name
                  + "\": expected \"default\", \"nothing\", \"everything\" or \"custom\"");
    };
  }

  /**
   * The oldest version to keep once {@code height} is committed, or 0 when nothing is pruned at
   * this height (the Cosmos SDK's pruning manager: every {@code interval} heights, the current
   * version and the {@code keepRecent} before it stay).
   */
  public long keepFrom(long height) {
    if (strategy == Strategy.NOTHING || height % interval != 0 || height <= keepRecent) {
      return 0;
    }
    return height - keepRecent;
  }
}
