package io.peerz.state;

import io.peerz.ledger.proto.TxResult;

/**
 * The mempool's view: committed state plus the effects (nonce, fee) of txs already accepted since
 * the last commit. Not thread-safe; the mempool owns one.
 */
public interface CheckState {

  /** Decodes, verifies signature, chain id, nonce, fee and balance; accepted txs advance state. */
  TxResult check(byte[] tx);
}
