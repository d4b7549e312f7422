package io.peerz.state;

import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.StateReader;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peerz application logic: a pure function of (state, block). No clock but the block time, no
 * randomness but the block hash, no I/O, no floating point.
 */
public final class StateMachine {
  private static final Logger log = LoggerFactory.getLogger(StateMachine.class);

  private final TxSignatures signatures;

  /** A state machine that remembers verified tx signatures in {@code signatures}. */
  public StateMachine(TxSignatures signatures) {
    this.signatures = signatures;
  }

  /** A state machine with a signature memory of its own (tools and tests). */
  public StateMachine() {
    this(new TxSignatures());
  }

  /** The tx signatures this state machine verified, which callers may verify ahead into. */
  public TxSignatures signatures() {
    return signatures;
  }

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
    ChangeSet changes = new ChangeSet(empty);
    Genesis.write(changes, chainId, genesisTimeMillis, appStateJson);
    Validators.recordGenesis(Store.writable(changes), genesisValidators);
    log.info("event=init_chain chain_id={} writes={}", chainId, changes.size());
    return new GenesisOutcome(changes, List.copyOf(genesisValidators));
  }

  /**
   * Whether {@code committed} holds a chain: genesis written, by InitChain or a state-sync restore.
   */
  public boolean hasGenesis(StateReader committed) {
    return Store.readOnly(committed).hasGenesis();
  }

  /** A fresh check state over committed state, for the mempool. */
  public CheckState newCheckState(StateReader committed, String chainId) {
    return new MempoolCheck(committed, chainId, signatures);
  }

  /**
   * Slashes the block's misbehavior, executes its txs in order, then end-of-block logic (epochs,
   * the validator election); the outcome's validator updates are for consensus.
   */
  public BlockOutcome executeBlock(StateReader committed, BlockContext ctx, List<byte[]> txs) {
    return BlockExecutor.execute(committed, ctx, txs, signatures);
  }

  /** Answers a query path ({@code /account/<addr>}, {@code /subnet/<id>}, ...) with JSON. */
  public QueryResult query(StateReader committed, String path, byte[] data) {
    return new Queries(committed).answer(path);
  }
}
