package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** What a tx needs to know from the node: chain id, minimum fee and the signer's next nonce. */
final class NodeFacts {
  private NodeFacts() {}

  static String chainId(RpcClient rpc) {
    String network = rpc.status().path("node_info").path("network").asText("");
    if (network.isEmpty()) {
      throw new CliException("the node's /status has no node_info.network; pass --chain-id");
    }
    return network;
  }

  static long minFee(RpcClient rpc) {
    RpcClient.QueryAnswer a = rpc.abciQuery("/params");
    if (!a.ok()) {
      throw new CliException(
          "cannot read /params for the minimum fee (code "
              + a.code()
              + ": "
              + a.log()
              + "); pass --fee");
    }
    JsonNode fee = Json.parse(a.value(), "/params").findValue("min_fee");
    return fee == null || fee.isNull() ? 0 : Long.parseLong(fee.asText());
  }

  /** The account's next nonce; an account the chain has never seen starts at 0. */
  static long nonce(RpcClient rpc, String address) {
    RpcClient.QueryAnswer a = rpc.abciQuery("/account/" + address);
    if (!a.ok() || a.value().length == 0) {
      return 0;
    }
    JsonNode n = Json.parse(a.value(), "/account/" + address).path("nonce");
    return n.isMissingNode() || n.isNull() ? 0 : Long.parseLong(n.asText());
  }
}
