package io.peerz.state;

import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.StateReader;
import io.peerz.ledger.proto.TxResult;

/** CheckState over committed state: ante checks, and an overlay that charges accepted txs. */
final class MempoolCheck implements CheckState {
  private final ChangeSet overlay;
  private final Store store;
  private final String chainId;

  MempoolCheck(StateReader committed, String chainId) {
    this.overlay = new ChangeSet(committed);
    this.store = Store.writable(overlay);
    this.chainId = chainId;
  }

  @Override
  public TxResult check(byte[] tx) {
    TxResult.Builder result = TxResult.newBuilder().setGasWanted(tx.length).setGasUsed(tx.length);
    Ante.Outcome ante = Ante.check(store, chainId, tx);
    if (ante instanceof Ante.Failed f) {
      return result
          .setCode(f.error().code)
          .setCodespace(f.error().codespace)
          .setLog(f.log())
          .build();
    }
    // Charging here lets one account queue nonce n, n+1, ... before the next commit.
    Ante.charge(store, (Ante.Passed) ante);
    return result.build();
  }
}
