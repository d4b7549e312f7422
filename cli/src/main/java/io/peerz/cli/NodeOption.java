package io.peerz.cli;

import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --node}: the JSON-RPC endpoint of a peerz (or CometBFT) node. */
final class NodeOption {
  @Option(
      names = "--node",
      paramLabel = "<url>",
      defaultValue = "http://127.0.0.1:26657",
      description = "JSON-RPC endpoint of the node (default: ${DEFAULT-VALUE}).")
  String node = "http://127.0.0.1:26657";

  RpcClient client() {
    String n = node.startsWith("tcp://") ? "http://" + node.substring(6) : node;
    if (!n.contains("://")) {
      n = "http://" + n;
    }
    return new RpcClient(URI.create(n), Duration.ofSeconds(10));
  }
}
