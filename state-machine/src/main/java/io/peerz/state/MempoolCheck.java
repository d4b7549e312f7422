package io.peerz.state;

import io.peerz.ledger.StateReader;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.proto.Account;
import io.peerz.state.proto.Params;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * CheckState over committed state: ante checks, and the accounts of accepted txs' signers as their
 * charges (fee, nonce) left them.
 */
final class MempoolCheck implements CheckState {
  private final Store store;
  // The check state's only writes, kept parsed: the mempool checks every waiting tx again after
  // each block, and an account with several txs waiting is read and charged once per tx, which
  // through an encoded overlay was a parse, an encoding and two copies each time.
  private final Map<ByteBuffer, Account> charged = new HashMap<>();
  private final String chainId;
  private final TxSignatures signatures;
  private Params params; // read at the first check: nothing the check state does changes them

  MempoolCheck(StateReader committed, String chainId, TxSignatures signatures) {
    this.store = Store.readOnly(committed);
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
    Ante.Outcome ante = Ante.check(this::account, params, chainId, tx, signatures);
    if (ante instanceof Ante.Failed f) {
      return result
          .setCode(f.error().code)
          .setCodespace(f.error().codespace)
          .setLog(f.log())
          .build();
    }
    // Charging here lets one account queue nonce n, n+1, ... before the next commit.
    Ante.Passed passed = (Ante.Passed) ante;
    charged.put(ByteBuffer.wrap(passed.signer()), Ante.charged(passed));
    return result.build();
  }

  private Account account(byte[] address) {
    Account a = charged.get(ByteBuffer.wrap(address));
    return a != null ? a : store.account(address);
  }
}
