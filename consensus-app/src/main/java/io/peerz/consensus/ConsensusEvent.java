package io.peerz.consensus;

import io.peerz.consensus.proto.ProposalMessage;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.util.List;

/** What the consensus core reacts to; the driver feeds these in one at a time, in order. */
sealed interface ConsensusEvent {

  /** A signed proposal with its block, from a peer or our own signer. */
  record ProposalReceived(ProposalMessage message) implements ConsensusEvent {}

  /** A signed prevote or precommit, from a peer or our own signer. */
  record VoteReceived(Vote vote) implements ConsensusEvent {}

  /**
   * A block with the commit that decided it, from a peer that is ahead (catch-up and block sync):
   * decides the current height at once when the commit carries +2/3 of the power's signatures.
   */
  record DecidedReceived(Block block, Commit commit) implements ConsensusEvent {}

  /** A timeout the core scheduled has elapsed. */
  record TimeoutElapsed(long height, int round, Step step) implements ConsensusEvent {}

  /** The mempool holds txs (only matters when empty blocks are not created). */
  record TxsAvailable() implements ConsensusEvent {}

  /** The decided block of {@code height} was executed and committed by the application. */
  record BlockApplied(
      long height, byte[] appHash, byte[] resultsHash, List<ValidatorUpdate> validatorUpdates)
      implements ConsensusEvent {}

  /** The steps of a height (CometBFT's RoundStepType). */
  enum Step {
    NEW_HEIGHT,
    NEW_ROUND,
    PROPOSE,
    PREVOTE,
    PREVOTE_WAIT,
    PRECOMMIT,
    PRECOMMIT_WAIT,
    COMMIT
  }
}
