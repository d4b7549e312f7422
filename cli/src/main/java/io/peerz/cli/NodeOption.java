package io.peerz.cli;

import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --node}: the JSON-RPC endpoint of a peerz (or CometBFT) node. */
final class NodeOption {
  static final String DEFAULT = "http://127.0.0.1:26657";

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--node",
      paramLabel = "<url>",
      description = "JSON-RPC endpoint of the node (default: $PEERZ_NODE or " + DEFAULT + ").")
  String node;

  /**
   * The flag, else {@code PEERZ_NODE} (so that a shell or a script points every command at one
   * node, as with {@code PEERZ_HOME}), else CometBFT's default RPC address.
   */
  String url() {
    if (node != null) {
      return node;
    }
    String env =
        mixee != null && mixee.root().userObject() instanceof PeerzCli root
            ? root.env.get("PEERZ_NODE")
            : null;
    return env != null && !env.isBlank() ? env.strip() : DEFAULT;
  }

  RpcClient client() {
    String url = url();
    String n = url.startsWith("tcp://") ? "http://" + url.substring(6) : url;
    if (!n.contains("://")) {
      n = "http://" + n;
    }
    return new RpcClient(URI.create(n), Duration.ofSeconds(10));
  }
}
