package io.peerz.ledger;

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
   * Computes the app hash that applying {@code changes} at {@code height} gives, writing nothing;
   * {@link LedgerDb#commit} writes it with the block's results.
   */
  PendingCommit stage(long height, ChangeSet changes);

  /** A proof of the key's value, or of its absence, against {@link #appHash()}. */
  StateProof prove(byte[] key);

  /**
   * A read-only view of the state as last committed, which later commits do not change (a RocksDB
   * snapshot): what a state-sync snapshot is cut from. Close it when done.
   */
  CommittedState committed();

  /**
   * Replaces the whole state with {@code entries} (keys strictly ascending, unsigned) as committed
   * at {@code height}: state sync's restore. Writes nothing and throws IllegalArgumentException
   * when the pairs' Merkle root is not {@code appHash}. Stores no block results for the height.
   */
  void restore(long height, byte[] appHash, List<Entry> entries);

  /** One key/value pair of the state. */
  record Entry(byte[] key, byte[] value) {}

  /** The committed state at one height, frozen; reads never see a later commit. */
  interface CommittedState extends StateReader, AutoCloseable {
    long height();

    byte[] appHash();

    @Override
    void close();
  }

  /** A staged, unwritten commit. */
  interface PendingCommit {
    long height();

    byte[] appHash();
  }
}
