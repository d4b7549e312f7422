package io.peerz.ledger;

import java.nio.file.Path;

/**
 * The node's RocksDB: the event log of decided blocks and their results, the tx index, and the
 * authenticated state. One instance per data directory; thread-safe for one writer and many
 * readers.
 */
public final class LedgerDb implements AutoCloseable {

  /** Opens (creating when absent) the database under {@code dir}. */
  public static LedgerDb open(Path dir) {
    throw new UnsupportedOperationException("contract");
  }

  public BlockStore blocks() {
    throw new UnsupportedOperationException("contract");
  }

  public StateStore state() {
    throw new UnsupportedOperationException("contract");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("contract");
  }
}
