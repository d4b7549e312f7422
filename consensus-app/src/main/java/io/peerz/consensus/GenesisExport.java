package io.peerz.consensus;

import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.StateStore;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.StateMachine;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code peerz export}: the genesis of a new chain that starts from a stopped node's state at one
 * kept height (the Cosmos SDK's path of a breaking upgrade). The new chain keeps the chain id, the
 * consensus params and the heights (its initial height is the exported one + 1); its validators are
 * the state's, its genesis time the exported block's.
 */
public final class GenesisExport {
  private GenesisExport() {}

  /**
   * The genesis of the state {@code home}'s node committed at {@code height} (0: the latest).
   * Throws IllegalArgumentException for a height that is not kept (CometBFT's "height X is not
   * available, lowest height is Y") or not committed yet, and IllegalStateException when the node
   * is running (its database is locked) or has no state.
   */
  public static GenesisDoc of(Path home, GenesisDoc original, long height) {
    Path ledger = home.resolve("data").resolve("ledger.db");
    if (!Files.isDirectory(ledger)) {
      throw new IllegalStateException(
          "no ledger at " + ledger + ": this home has never run a node; give the node's --home");
    }
    LedgerDb db;
    try {
      db = LedgerDb.open(ledger);
    } catch (UncheckedIOException e) {
      throw new IllegalStateException(
          "cannot open the ledger at "
              + ledger
              + " (is the node running? stop it first, e.g. with halt-height): "
              + e.getCause().getMessage(),
          e);
    }
    try (db) {
      StateStore state = db.state();
      long latest = state.height();
      if (latest == 0) {
        throw new IllegalStateException("the node at " + home + " has committed no state yet");
      }
      long h = height == 0 ? latest : height;
      if (h > latest) {
        throw new IllegalArgumentException(
            "height " + h + " is not committed yet, latest height is " + latest);
      }
      long lowest = state.earliestVersion();
      if (h < lowest) {
        throw new IllegalArgumentException(
            "height "
                + h
                + " is not available, lowest height is "
                + lowest
                + " (the state versions below it were pruned: app.toml pruning; export a height"
                + " from "
                + lowest
                + " on, or from a node with pruning = \"nothing\")");
      }
      StateMachine machine = new StateMachine();
      try (StateStore.CommittedState at = state.at(h)) {
        byte[] appState = machine.exportAppState(at, h, at.appHash());
        List<GenesisDoc.Validator> validators = new ArrayList<>();
        for (ValidatorUpdate v : machine.exportValidators(at)) {
          validators.add(new GenesisDoc.Validator(v.getPubKey().toByteArray(), v.getPower(), ""));
        }
        // The exported block's time, so that block time goes on; the original genesis's time
        // when that block was pruned (or h is the genesis state).
        long timeMillis =
            db.blocks()
                .block(h)
                .map(b -> Blocks.millis(b.getHeader().getTime()))
                .orElse(original.genesisTimeMillis());
        return GenesisFile.exported(
            original, Instant.ofEpochMilli(timeMillis), h + 1, validators, appState);
      }
    }
  }
}
