package io.peerz.ledger;

/** Read access to a key-value state, iterated in unsigned byte order of keys. */
public interface StateReader {

  /** The value at {@code key}, or null when absent. */
  byte[] get(byte[] key);

  /**
   * Visits entries with {@code from <= key < to} in ascending key order ({@code to == null}: no
   * upper bound) until the visitor returns false.
   */
  void scan(byte[] from, byte[] to, EntryVisitor visitor);

  /** Receives one entry; returns false to stop. */
  @FunctionalInterface
  interface EntryVisitor {
    boolean visit(byte[] key, byte[] value);
  }
}
