package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.gpu.executor.NodeClient;
import java.util.Optional;

/** The executor daemon's view of a node, over CometBFT's JSON-RPC ({@link RpcClient}). */
final class RpcNodeClient implements NodeClient {
  private final RpcClient rpc;

  RpcNodeClient(RpcClient rpc) {
    this.rpc = rpc;
  }

  @Override
  public String endpoint() {
    return rpc.endpoint();
  }

  @Override
  public Optional<JsonNode> query(String path) {
    RpcClient.QueryAnswer a = unavailableOnFailure(() -> rpc.abciQuery(path));
    if (!a.ok() || a.value().length == 0) {
      return Optional.empty();
    }
    return Optional.of(Json.parse(a.value(), path));
  }

  @Override
  public long latestHeight() {
    return unavailableOnFailure(
        () -> rpc.status().path("sync_info").path("latest_block_height").asLong(0));
  }

  @Override
  public String chainId() {
    return unavailableOnFailure(() -> NodeFacts.chainId(rpc));
  }

  @Override
  public long minFee() {
    return unavailableOnFailure(() -> NodeFacts.minFee(rpc));
  }

  @Override
  public long nonce(String address) {
    return unavailableOnFailure(() -> NodeFacts.nonce(rpc, address));
  }

  @Override
  public Broadcast broadcast(byte[] tx) {
    RpcClient.Broadcast b = unavailableOnFailure(() -> rpc.broadcastTxSync(tx));
    return new Broadcast(b.code(), b.log());
  }

  @Override
  public Optional<JsonNode> tx(byte[] hash) {
    return unavailableOnFailure(() -> rpc.tx(hash));
  }

  private static <T> T unavailableOnFailure(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (CliException e) {
      throw new NodeUnavailableException(e.getMessage());
    }
  }
}
