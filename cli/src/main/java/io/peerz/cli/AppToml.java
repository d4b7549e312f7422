package io.peerz.cli;

import io.peerz.consensus.AppOptions;
import io.peerz.consensus.PruningConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * The node's {@code config/app.toml}: the application's settings by the Cosmos SDK's names and in
 * its place (beside CometBFT's config.toml, which under {@code --abci} CometBFT owns): {@code
 * pruning}, {@code pruning-keep-recent}, {@code pruning-interval}, {@code min-retain-blocks},
 * {@code halt-height}, {@code halt-time}. {@code PEERZ_PRUNING}, {@code PEERZ_PRUNING_KEEP_RECENT},
 * ... override the file, and {@code peerz start}'s flags of the same names override both.
 */
final class AppToml {
  private AppToml() {}

  /** Flag values ({@code peerz start --pruning ...}); null where not given. */
  record Overrides(
      String pruning,
      Long keepRecent,
      Long interval,
      Long minRetainBlocks,
      Long haltHeight,
      Long haltTime) {
    static final Overrides NONE = new Overrides(null, null, null, null, null, null);
  }

  /** The options of {@code <home>/config/app.toml} under {@code env} and {@code flags}. */
  static AppOptions read(Path home, Map<String, String> env, Overrides flags) {
    ConfigToml toml = ConfigToml.read(home.resolve("config/app.toml"));
    String strategy =
        flags.pruning() != null ? flags.pruning() : toml.get("pruning", env).orElse("default");
    Long keepRecent = value(toml, env, "pruning-keep-recent", flags.keepRecent());
    Long interval = value(toml, env, "pruning-interval", flags.interval());
    PruningConfig pruning;
    try {
      pruning = PruningConfig.of(strategy, keepRecent, interval);
    } catch (IllegalArgumentException e) {
      throw new CliException("app.toml pruning: " + e.getMessage());
    }
    long minRetain = orZero(value(toml, env, "min-retain-blocks", flags.minRetainBlocks()));
    long haltHeight = orZero(value(toml, env, "halt-height", flags.haltHeight()));
    long haltTime = orZero(value(toml, env, "halt-time", flags.haltTime()));
    try {
      return new AppOptions(pruning, minRetain, haltHeight, haltTime);
    } catch (IllegalArgumentException e) {
      throw new CliException("app.toml " + e.getMessage());
    }
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  /** The flag's value, else the environment's, else the file's; null when none sets it. */
  private static Long value(ConfigToml toml, Map<String, String> env, String key, Long flag) {
    if (flag != null) {
      return flag;
    }
    String v = toml.get(key, env).orElse(null);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new CliException(
          "app.toml " + key + ": expected a whole number, got '" + v.trim() + "'");
    }
  }

  /** The app.toml {@code peerz init} and {@code peerz testnet init} write: the SDK's defaults. */
  static String initial() {
    return """
        # peerz application configuration: the Cosmos SDK's app.toml keys, with their meanings.
        # PEERZ_PRUNING, PEERZ_PRUNING_KEEP_RECENT, PEERZ_PRUNING_INTERVAL, PEERZ_MIN_RETAIN_BLOCKS,
        # PEERZ_HALT_HEIGHT and PEERZ_HALT_TIME override it; 'peerz start' flags of the same
        # names (--pruning, --min-retain-blocks, ...) override both.

        # Earlier versions of the state (what abci_query at a height and 'peerz export --height'
        # read): "default" keeps the last 362880, "nothing" keeps all (an archive), "everything"
        # keeps the last 2, "custom" keeps the last pruning-keep-recent (at least 2), deleting
        # the older ones every pruning-interval heights (at least 10).
        pruning = "default"
        pruning-keep-recent = "0"
        pruning-interval = "0"

        # Keep at least this many recent blocks and delete older ones (0: keep every block). The
        # blocks of the state-sync snapshots this node serves are kept whatever this says.
        min-retain-blocks = 0

        # Stop cleanly after committing this height (0: never), for an upgrade or an export.
        halt-height = 0

        # Stop cleanly after committing the first block at or after this Unix time in seconds
        # (0: never).
        halt-time = 0
        """;
  }
}
