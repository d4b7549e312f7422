package io.peerz.consensus;

import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the node stops for an upgrade: after committing {@code halt-height}, or the first block at
 * or after {@code halt-time} (the Cosmos SDK's app.toml keys). Told of each committed block, it
 * says so once in the log and hands the height to whoever stops the node.
 */
public final class HaltPoint {
  private static final Logger log = LoggerFactory.getLogger(HaltPoint.class);

  private final AppOptions options;
  private final LongConsumer onReached;
  private boolean reached;

  /** Calls {@code onReached} with the height once a committed block reaches {@code options}. */
  public HaltPoint(AppOptions options, LongConsumer onReached) {
    this.options = options;
    this.onReached = onReached;
  }

  /**
   * Refuses, before anything runs, a halt height the chain has passed: the node committed {@code
   * lastHeight} already. Returns whether the node stands at its halt point now (nothing to do but
   * stop): the halt height is the last committed one, or the last block ({@code
   * lastBlockTimeMillis}, 0: none) is past halt-time.
   */
  public boolean reachedAtStart(long lastHeight, long lastBlockTimeMillis) {
    if (options.haltHeight() > 0 && options.haltHeight() < lastHeight) {
      throw new IllegalArgumentException(
          "halt-height "
              + options.haltHeight()
              + " is below the latest committed height "
              + lastHeight
              + ": the chain is past it; set a later halt-height, or 0 (unset) to run on");
    }
    return lastHeight > 0 && options.haltsAfter(lastHeight, Math.max(0, lastBlockTimeMillis));
  }

  /** A block was committed: when it is the halt point, stop there. */
  public synchronized void committed(long height, long blockTimeMillis) {
    if (reached || !options.haltsAfter(height, blockTimeMillis)) {
      return;
    }
    reached = true;
    log.info(
        "halt_reached height={} block_time_ms={} {} action=stopping, exit code 0",
        height,
        blockTimeMillis,
        options.haltSettings());
    onReached.accept(height);
  }
}
