package io.peerz.rpc;

/**
 * What one client can make the JSON-RPC server hold, under CometBFT's {@code [rpc]} names. A
 * request over a limit is refused as soon as its bytes show it, with a JSON-RPC error that names
 * the limit.
 *
 * @param maxBodyBytes the largest request body ({@code max_body_bytes}), and the largest websocket
 *     message once its fragments are put together
 * @param maxHeaderBytes the largest request line, and the largest header block ({@code
 *     max_header_bytes}): a URI request's query counts against it
 * @param maxOpenConnections HTTP and websocket connections open at once ({@code
 *     max_open_connections}); 0 means no limit, as in CometBFT
 */
public record RpcLimits(int maxBodyBytes, int maxHeaderBytes, int maxOpenConnections) {

  /** CometBFT's defaults: 1,000,000 body bytes, 1 MiB of headers, 900 connections. */
  public static final RpcLimits DEFAULT = new RpcLimits(1_000_000, 1 << 20, 900);

  public RpcLimits {
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException(
          "rpc.max_body_bytes must be positive, got " + maxBodyBytes);
    }
    if (maxHeaderBytes < 1024) {
      throw new IllegalArgumentException(
          "rpc.max_header_bytes must be at least 1024, got " + maxHeaderBytes);
    }
    if (maxOpenConnections < 0) {
      throw new IllegalArgumentException(
          "rpc.max_open_connections must be 0 (no limit) or more, got " + maxOpenConnections);
    }
  }
}
