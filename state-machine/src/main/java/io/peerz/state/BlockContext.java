package io.peerz.state;

/**
 * What execution may know about the block besides its txs: chain id, height, block time (the only
 * clock), the block's hash (the only randomness) and its proposer.
 */
public record BlockContext(
    String chainId, long height, long timeMillis, byte[] blockHash, byte[] proposerAddress) {}
