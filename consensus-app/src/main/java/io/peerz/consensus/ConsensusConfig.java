package io.peerz.consensus;

import java.time.Duration;

/**
 * Timeouts and limits of the Tendermint rounds (CometBFT's [consensus] section): each round's
 * propose, prevote and precommit timeouts grow by their delta so that rounds eventually last long
 * enough for a correct proposer's messages to arrive.
 */
public record ConsensusConfig(
    Duration timeoutPropose,
    Duration timeoutProposeDelta,
    Duration timeoutPrevote,
    Duration timeoutPrevoteDelta,
    Duration timeoutPrecommit,
    Duration timeoutPrecommitDelta,
    Duration timeoutCommit,
    boolean createEmptyBlocks,
    long maxBlockTxBytes) {

  /**
   * The txs a proposal carries when it must travel to other validators, below the chain's block
   * limit: about 7,000 bank sends, which arrive, are checked and voted on within round 0's timeouts
   * even on a small shared machine. A larger proposal after a slow height (its mempool full) was
   * seen to miss round 0, and the next ones grew larger still. A lone validator fills blocks.
   */
  public static final long PROPOSAL_TX_BYTES = 1L << 20;

  /** CometBFT's default timeouts with {@code timeoutCommit}; empty blocks are created. */
  public static ConsensusConfig defaults(Duration timeoutCommit) {
    return new ConsensusConfig(
        Duration.ofMillis(3000),
        Duration.ofMillis(500),
        Duration.ofMillis(1000),
        Duration.ofMillis(500),
        Duration.ofMillis(1000),
        Duration.ofMillis(500),
        timeoutCommit,
        true,
        4L << 20);
  }

  Duration propose(int round) {
    return timeoutPropose.plus(timeoutProposeDelta.multipliedBy(round));
  }

  Duration prevote(int round) {
    return timeoutPrevote.plus(timeoutPrevoteDelta.multipliedBy(round));
  }

  Duration precommit(int round) {
    return timeoutPrecommit.plus(timeoutPrecommitDelta.multipliedBy(round));
  }
}
