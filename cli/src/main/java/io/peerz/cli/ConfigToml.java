package io.peerz.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The node's {@code config/config.toml} in CometBFT's layout, of which peerz reads {@code moniker},
 * {@code [rpc] laddr, max_body_bytes, max_header_bytes, max_open_connections}, {@code [p2p] laddr,
 * persistent_peers, max_num_inbound_peers, max_num_outbound_peers, unconditional_peer_ids,
 * max_packet_msg_payload_size, send_rate, recv_rate}, {@code [consensus] timeout_commit}, {@code
 * [tx_index] indexer}, {@code [statesync] enable, snapshot_interval, snapshot_keep_recent, timeout}
 * and {@code [instrumentation] prometheus, prometheus_listen_addr}. Reads the TOML subset CometBFT
 * writes: {@code [section]} headers and {@code key = value} lines with quoted strings, numbers or
 * booleans. Keys are {@code section.key}; {@code PEERZ_SECTION_KEY} environment variables override
 * them.
 */
final class ConfigToml {
  private final Map<String, String> values;

  private ConfigToml(Map<String, String> values) {
    this.values = values;
  }

  static ConfigToml empty() {
    return new ConfigToml(Map.of());
  }

  static ConfigToml read(Path file) {
    if (!Files.exists(file)) {
      return empty();
    }
    try {
      return parse(Files.readString(file), file.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static ConfigToml parse(String text) {
    return parse(text, "config.toml");
  }

  /** Parses {@code text}; {@code name} names the file in errors. */
  static ConfigToml parse(String text, String name) {
    Map<String, String> values = new LinkedHashMap<>();
    String section = "";
    int lineNo = 0;
    for (String raw : text.split("\n", -1)) {
      lineNo++;
      String line = stripComment(raw).trim();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("[")) {
        if (!line.endsWith("]")) {
          throw new CliException(name + " line " + lineNo + ": unclosed section header");
        }
        section = line.substring(1, line.length() - 1).trim();
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new CliException(name + " line " + lineNo + ": expected key = value");
      }
      String key = line.substring(0, eq).trim();
      String value = line.substring(eq + 1).trim();
      if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) {
        value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
      }
      values.put(section.isEmpty() ? key : section + "." + key, value);
    }
    return new ConfigToml(values);
  }

  /** The value of {@code key} ({@code section.key}): environment first, then the file. */
  Optional<String> get(String key, Map<String, String> env) {
    String fromEnv = env.get(envName(key));
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return Optional.of(fromEnv);
    }
    return Optional.ofNullable(values.get(key));
  }

  /** {@code rpc.laddr} is overridden by {@code PEERZ_RPC_LADDR}. */
  static String envName(String key) {
    return "PEERZ_" + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /** The config.toml that {@code peerz init} writes. */
  static String initial(String moniker) {
    return """
        # peerz node configuration (CometBFT's config.toml layout; peerz reads the keys below).
        # Environment variables override it (PEERZ_MONIKER, PEERZ_RPC_LADDR, PEERZ_P2P_LADDR,
        # PEERZ_CONSENSUS_TIMEOUT_COMMIT) and 'peerz start' flags override both.

        moniker = "%s"

        [rpc]
        laddr = "tcp://127.0.0.1:26657"
        # Largest request body (and websocket message), largest request line and header block,
        # connections open at once (0: no limit). Over them a request gets a JSON-RPC error.
        max_body_bytes = 1000000
        max_header_bytes = 1048576
        max_open_connections = 900

        [p2p]
        laddr = "tcp://127.0.0.1:26656"
        # Peers that dialed this node / that it dialed, besides the persistent and unconditional
        # peers, which always keep their place (unconditional_peer_ids: comma-separated node ids).
        max_num_inbound_peers = 40
        max_num_outbound_peers = 10
        unconditional_peer_ids = ""
        # A message travels in packets of at most this many payload bytes, one sealed frame each.
        max_packet_msg_payload_size = 65536
        # Bytes per second written to and read from each peer.
        send_rate = 5120000
        recv_rate = 5120000

        [consensus]
        timeout_commit = "1s"

        [tx_index]
        # "kv" indexes committed txs for the tx and tx_search queries; "null" indexes nothing
        # (a validator that serves no tx queries spends less CPU and disk per tx).
        indexer = "kv"

        [statesync]
        # A fresh node restores from a peer's snapshot instead of executing every block.
        enable = false
        # Snapshots of the state every this many heights (0: none), the newest kept.
        snapshot_interval = 100
        snapshot_keep_recent = 2

        [instrumentation]
        # Serve Prometheus metrics at http://<prometheus_listen_addr>/metrics (docs/metrics.md);
        # ":26660" listens on every interface.
        prometheus = false
        prometheus_listen_addr = ":26660"
        """
        .formatted(moniker.replace("\\", "\\\\").replace("\"", "\\\""));
  }

  private static String stripComment(String line) {
    boolean inString = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"' && (i == 0 || line.charAt(i - 1) != '\\')) {
        inString = !inString;
      } else if (c == '#' && !inString) {
        return line.substring(0, i);
      }
    }
    return line;
  }
}
