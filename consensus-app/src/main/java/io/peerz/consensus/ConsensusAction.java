package io.peerz.consensus;

import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Commit;
import java.time.Duration;

/** What the consensus core asks its driver to do. */
sealed interface ConsensusAction {

  /**
   * Sign this proposal (double-sign guarded), then broadcast it with its block and feed it back to
   * the core as {@link ConsensusEvent.ProposalReceived}.
   */
  record SignProposal(Proposal proposal, Block block) implements ConsensusAction {}

  /** Sign this vote (double-sign guarded), broadcast it and feed it back as VoteReceived. */
  record SignVote(Vote vote) implements ConsensusAction {}

  /** Feed {@link ConsensusEvent.TimeoutElapsed} for (height, round, step) after {@code after}. */
  record ScheduleTimeout(long height, int round, ConsensusEvent.Step step, Duration after)
      implements ConsensusAction {}

  /**
   * The block is decided by {@code commit}: append it to the event log, execute and commit it, then
   * feed {@link ConsensusEvent.BlockApplied}.
   */
  record Decide(Block block, Commit commit) implements ConsensusAction {}
}
