package io.peerz.ledger;

import io.peerz.ledger.proto.BlockResults;
import java.util.List;

/**
 * The authenticated state: key-value pairs under a Merkle root (the app hash), with proofs. Reads
 * see the last committed state.
 */
public interface StateStore extends StateReader {

  /** Last committed height; 0 before genesis has been committed. */
  long height();

  /** App hash of the last committed state (the root of the empty state when nothing is there). */
  byte[] appHash();

  /**
   * Computes the app hash that applying {@code changes} at {@code height} gives, writing nothing.
   */
  PendingCommit stage(long height, ChangeSet changes);

  /**
   * Writes a staged commit, the block's results (with app_hash set to the staged root) and the tx
   * index of {@code txs} (raw bytes, in block order) in one RocksDB WriteBatch. Throws
   * IllegalStateException when {@code staged} was not staged on the current state.
   */
  void commit(PendingCommit staged, BlockResults results, List<byte[]> txs);

  /** A proof of the key's value, or of its absence, against {@link #appHash()}. */
  StateProof prove(byte[] key);

  /** A staged, unwritten commit. */
  interface PendingCommit {
    long height();

    byte[] appHash();
  }
}
