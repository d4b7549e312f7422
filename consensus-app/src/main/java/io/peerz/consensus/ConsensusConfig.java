package io.peerz.consensus;

import java.time.Duration;

/**
 * Timeouts and limits of the Tendermint rounds (CometBFT's [consensus] section): each round's
 * propose, prevote and precommit timeouts grow by their delta so that rounds eventually last long
 * enough for a correct proposer's messages to arrive.
 */
record ConsensusConfig(
    Duration timeoutPropose,
    Duration timeoutProposeDelta,
    Duration timeoutPrevote,
    Duration timeoutPrevoteDelta,
    Duration timeoutPrecommit,
    Duration timeoutPrecommitDelta,
    Duration timeoutCommit,
    boolean createEmptyBlocks,
    long maxBlockTxBytes) {

  static ConsensusConfig defaults(Duration timeoutCommit) {
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
