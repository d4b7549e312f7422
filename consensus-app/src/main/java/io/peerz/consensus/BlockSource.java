package io.peerz.consensus;

import io.peerz.ledger.proto.Block;
import java.util.List;

/**
 * What the consensus core asks of the application while building or checking a proposal: {@link
 * ProposalBlocks} in the node (PrepareProposal over the mempool, ProcessProposal), a stand-in in
 * the simulation.
 */
public interface BlockSource {
  /** The txs of a new block (PrepareProposal over the mempool). */
  List<byte[]> proposalTxs(long height, long timeMillis, byte[] proposer, long maxTxBytes);

  /** Whether the application accepts a proposed block (ProcessProposal). */
  boolean accept(Block block, byte[] hash);
}
