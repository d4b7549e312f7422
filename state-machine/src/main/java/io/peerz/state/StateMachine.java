package io.peerz.state;

import io.peerz.ledger.StateReader;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.util.List;

/**
 * The peerz application logic: a pure function of (state, block). No clock but the block time, no
 * randomness but the block hash, no I/O, no floating point.
 */
public final class StateMachine {

  /**
   * Writes the genesis state from {@code appStateJson} (the genesis file's app_state) over the
   * empty state. {@code genesisValidators} are the genesis file's validators; the outcome's
   * validator list is the set consensus starts with. Throws IllegalArgumentException naming the
   * field when app_state is invalid.
   */
  public GenesisOutcome initChain(
      String chainId,
      long genesisTimeMillis,
      byte[] appStateJson,
      List<ValidatorUpdate> genesisValidators,
      StateReader empty) {
    throw new UnsupportedOperationException("contract");
  }

  /** A fresh check state over committed state, for the mempool. */
  public CheckState newCheckState(StateReader committed, String chainId) {
    throw new UnsupportedOperationException("contract");
  }

  /** Executes the block's txs in order, then end-of-block logic (epochs). */
  public BlockOutcome executeBlock(StateReader committed, BlockContext ctx, List<byte[]> txs) {
    throw new UnsupportedOperationException("contract");
  }

  /** Answers a query path ({@code /account/<addr>}, {@code /subnet/<id>}, ...) with JSON. */
  public QueryResult query(StateReader committed, String path, byte[] data) {
    throw new UnsupportedOperationException("contract");
  }
}
