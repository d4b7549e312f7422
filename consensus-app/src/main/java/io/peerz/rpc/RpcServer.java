package io.peerz.rpc;

/** The JSON-RPC server: CometBFT's methods over HTTP on one listen address. */
public final class RpcServer implements AutoCloseable {

  /** Starts serving {@code backend} on {@code listen} (host:port; port 0 picks one). */
  public static RpcServer start(RpcBackend backend, String listen) {
    throw new UnsupportedOperationException("contract");
  }

  /** The bound host:port. */
  public String address() {
    throw new UnsupportedOperationException("contract");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("contract");
  }
}
