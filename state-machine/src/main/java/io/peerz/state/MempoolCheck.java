package io.peerz.state;

import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.StateReader;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.proto.Params;

/**
 * CheckState over committed state: ante checks, and an overlay that charges accepted txs' signers.
 */
final class MempoolCheck implements CheckState {
  private final ChangeSet overlay;
  private final Store store;
  private final String chainId;
  private final TxSignatures signatures;
  private Params params; // read at the first check: nothing the check state does changes them

  MempoolCheck(StateReader committed, String chainId, TxSignatures signatures) {
    this.overlay = new ChangeSet(committed);
    this.store = Store.writable(overlay);
    this.chainId = chainId;
    this.signatures = signatures;
  }

  @Override
  public TxResult check(byte[] tx) {
    TxResult.Builder result = TxResult.newBuilder().setGasWanted(tx.length).setGasUsed(tx.length);
    if (params == null) {
      if (!store.hasGenesis()) {
        // CometBFT sends CheckTx to a node still state-syncing (or before InitChain); an error
        // code keeps it running where an exception would stop it.
        return result
            .setCode(ErrorCode.NOT_READY.code)
            .setCodespace(ErrorCode.NOT_READY.codespace)
            .setLog(
                "the node has no state yet: genesis has not been executed (InitChain) or state"
                    + " sync has not finished; send the tx to a node that has caught up")
            .build();
      }
      params = store.params();
    }
    Ante.Outcome ante = Ante.check(store, params, chainId, tx, signatures);
    if (ante instanceof Ante.Failed f) {
      return result
          .setCode(f.error().code)
          .setCodespace(f.error().codespace)
          .setLog(f.log())
          .build();
    }
    // Charging here lets one account queue nonce n, n+1, ... before the next commit.
    Ante.chargeSigner(store, (Ante.Passed) ante);
    return result.build();
  }
}
