package io.peerz.consensus;

/** A running node: storage, application, mempool, sequencer and JSON-RPC. */
public final class PeerzNode implements AutoCloseable {

  /**
   * Opens the data directory, recovers to the last committed height (replaying decided blocks the
   * application has not committed), starts the sequencer and the JSON-RPC server, and returns once
   * RPC accepts requests.
   */
  public static PeerzNode start(NodeConfig config) {
    throw new UnsupportedOperationException("contract");
  }

  /** The address the JSON-RPC server listens on, e.g. {@code 127.0.0.1:26657}. */
  public String rpcAddress() {
    throw new UnsupportedOperationException("contract");
  }

  /** Blocks until {@link #close()} is called from another thread (or a shutdown hook). */
  public void awaitTermination() throws InterruptedException {
    throw new UnsupportedOperationException("contract");
  }

  /** Stops consensus, RPC and storage cleanly. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("contract");
  }
}
