package io.peerz.state;

import java.util.List;

/**
 * What execution may know about the block besides its txs: chain id, height, block time (the only
 * clock), the block's hash (the only randomness), its proposer and the misbehavior its evidence
 * proves (slashed before the txs run).
 */
public record BlockContext(
    String chainId,
    long height,
    long timeMillis,
    byte[] blockHash,
    byte[] proposerAddress,
    List<Misbehavior> misbehavior) {

  public BlockContext {
    misbehavior = misbehavior == null ? List.of() : List.copyOf(misbehavior);
  }

  /** A block without evidence. */
  public BlockContext(
      String chainId, long height, long timeMillis, byte[] blockHash, byte[] proposerAddress) {
    this(chainId, height, timeMillis, blockHash, proposerAddress, List.of());
  }
}
