package io.peerz.gpu.executor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What the executor daemon needs from a node: committed state by query path, the chain's facts for
 * signing a tx, broadcast and lookup of txs. The CLI implements it over CometBFT's JSON-RPC; a
 * failure to reach the node is a {@link NodeUnavailableException}.
 */
public interface NodeClient {
  /** The node's address, for messages. */
  String endpoint();

  /** The committed value at {@code path} as JSON, or empty when the query fails (unknown id). */
  Optional<JsonNode> query(String path);

  /** The latest committed height. */
  long latestHeight();

  /** The chain id. */
  String chainId();

  /** The minimum tx fee. */
  long minFee();

  /** The next nonce of {@code address} (0 for an account the chain has never seen). */
  long nonce(String address);

  /** CheckTx's verdict on a broadcast tx: code 0 accepted, else the code and log. */
  Broadcast broadcast(byte[] tx);

  /**
   * The committed result of the tx with this hash ({@code tx_result}, {@code height}), or empty.
   */
  Optional<JsonNode> tx(byte[] hash);

  /** CheckTx's answer. */
  record Broadcast(int code, String log) {}

  /** The node cannot be reached or answered with an error; the daemon waits and retries. */
  final class NodeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NodeUnavailableException(String message) {
      super(message);
    }
  }
}
