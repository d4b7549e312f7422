package io.peerz.consensus;

import io.peerz.consensus.proto.LightBlockResponse;
import io.peerz.consensus.proto.StateSyncAnchor;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Commit;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the decided blocks below the application's retain height (ABCI's
 * ResponseCommit.retain_height, from {@code min-retain-blocks}), as CometBFT's BlockExecutor does
 * after each commit. Before the blocks go it moves the {@link AnchorFile} up to the new lowest
 * height (that height's and the next one's light blocks), so that a restart rebuilds the chain
 * state without them. It prunes every {@link #STEP} heights: the anchor is a synced file write, not
 * worth one per block.
 */
public final class BlockPruner {
  private static final Logger log = LoggerFactory.getLogger(BlockPruner.class);

  /** Heights between two prunes: up to min-retain-blocks + STEP - 1 blocks are kept. */
  static final long STEP = 10;

  private final BlockStore blocks;
  private final ValidatorHistory history;
  private final AnchorFile anchor;
  private final LongUnaryOperator pruneBelow;
  private long anchored = -1;

  /**
   * Prunes {@code blocks} through {@code pruneBelow} (the ledger's prune, which returns the new
   * lowest height), with the validator sets of {@code history} in the anchor.
   */
  public BlockPruner(
      BlockStore blocks,
      ValidatorHistory history,
      AnchorFile anchor,
      LongUnaryOperator pruneBelow) {
    this.blocks = blocks;
    this.history = history;
    this.anchor = anchor;
    this.pruneBelow = pruneBelow;
  }

  /**
   * Deletes the blocks below {@code retainHeight} (0: none) once it is {@link #STEP} above them.
   */
  public void prune(long retainHeight) {
    long base = blocks.baseHeight();
    if (retainHeight <= 0 || base == 0 || retainHeight < base + STEP) {
      return;
    }
    // The anchor holds the next block too, and the validator set two heights on.
    long target = Math.min(retainHeight, blocks.lastHeight() - 1);
    while (target > base && history.setAt(target + 2) == null) {
      target--;
    }
    if (target <= base) {
      return;
    }
    if (target != anchored) {
      Optional<StateSyncAnchor> a = anchorAt(target);
      if (a.isEmpty()) {
        log.warn(
            "blocks not pruned retain_height={} reason=the anchor's blocks are missing", target);
        return;
      }
      anchor.write(a.get());
      anchored = target;
    }
    long kept = pruneBelow.applyAsLong(target);
    log.debug("blocks pruned retain_height={} base={}", retainHeight, kept);
  }

  /** The light blocks of {@code height} and the next, as a state-syncing peer is served them. */
  private Optional<StateSyncAnchor> anchorAt(long height) {
    Optional<Block> at = blocks.block(height);
    Optional<Commit> atCommit = blocks.seenCommit(height);
    Optional<Block> next = blocks.block(height + 1);
    Optional<Commit> nextCommit = blocks.seenCommit(height + 1);
    ValidatorSet vals = history.setAt(height);
    ValidatorSet nextVals = history.setAt(height + 1);
    ValidatorSet afterNext = history.setAt(height + 2);
    if (at.isEmpty()
        || atCommit.isEmpty()
        || next.isEmpty()
        || nextCommit.isEmpty()
        || vals == null
        || nextVals == null
        || afterNext == null) {
      return Optional.empty();
    }
    return Optional.of(
        StateSyncAnchor.newBuilder()
            .setHeight(height)
            .setAtHeight(
                LightBlockResponse.newBuilder()
                    .setHeight(height)
                    .setBlock(at.get())
                    .setCommit(atCommit.get())
                    .setValidators(StateSyncer.state(vals))
                    .setNextValidators(StateSyncer.state(nextVals)))
            .setNext(
                LightBlockResponse.newBuilder()
                    .setHeight(height + 1)
                    .setBlock(next.get())
                    .setCommit(nextCommit.get())
                    .setValidators(StateSyncer.state(nextVals))
                    .setNextValidators(StateSyncer.state(afterNext)))
            .build());
  }
}
