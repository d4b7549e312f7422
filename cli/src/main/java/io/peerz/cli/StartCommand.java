package io.peerz.cli;

import io.peerz.consensus.AppOptions;
import io.peerz.consensus.SnapshotConfig;
import io.peerz.consensus.StateSyncConfig;
import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import io.peerz.genesis.NodeKeyFile;
import io.peerz.genesis.PrivValidatorKeyFile;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.node.AbciNode;
import io.peerz.node.NodeConfig;
import io.peerz.node.PeerzNode;
import io.peerz.p2p.PeerLimits;
import io.peerz.rpc.RpcLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code peerz start}: the node (embedded sequencer, RocksDB, JSON-RPC) until SIGINT or SIGTERM.
 * Settings come from config.toml, then {@code PEERZ_*} variables, then flags, each overriding the
 * one before.
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Run the node: embedded sequencer, RocksDB state and JSON-RPC, until Ctrl-C or SIGTERM.",
      "Settings: <home>/config/config.toml, overridden by PEERZ_* environment variables",
      "(PEERZ_MONIKER, PEERZ_RPC_LADDR, PEERZ_P2P_LADDR, PEERZ_P2P_PERSISTENT_PEERS,",
      "PEERZ_CONSENSUS_TIMEOUT_COMMIT, PEERZ_STATESYNC_ENABLE, PEERZ_STATESYNC_SNAPSHOT_INTERVAL,",
      "PEERZ_STATESYNC_SNAPSHOT_KEEP_RECENT, PEERZ_STATESYNC_TIMEOUT, PEERZ_P2P_MAX_NUM_INBOUND_PEERS,",
      "PEERZ_P2P_MAX_NUM_OUTBOUND_PEERS, PEERZ_P2P_MAX_PACKET_MSG_PAYLOAD_SIZE, PEERZ_P2P_SEND_RATE,",
      "PEERZ_P2P_RECV_RATE, PEERZ_P2P_UNCONDITIONAL_PEER_IDS, PEERZ_RPC_MAX_BODY_BYTES,",
      "PEERZ_RPC_MAX_HEADER_BYTES, PEERZ_RPC_MAX_OPEN_CONNECTIONS,",
      "PEERZ_INSTRUMENTATION_PROMETHEUS, PEERZ_INSTRUMENTATION_PROMETHEUS_LISTEN_ADDR),",
      "overridden by these flags (CometBFT's names). The application's settings come from",
      "<home>/config/app.toml (the Cosmos SDK's keys: pruning, pruning-keep-recent,",
      "pruning-interval, min-retain-blocks, halt-height, halt-time), PEERZ_PRUNING, ...,",
      "PEERZ_HALT_TIME, and the flags of the same names."
    })
final class StartCommand implements Callable<Integer> {
  @Mixin HomeOption home;

  @Option(
      names = "--moniker",
      description = "Node name (default: moniker in config.toml, which init sets).")
  String moniker;

  @Option(
      names = "--rpc.laddr",
      paramLabel = "<addr>",
      description = "JSON-RPC listen address (default: tcp://127.0.0.1:26657).")
  String rpcLaddr;

  @Option(
      names = "--p2p.laddr",
      paramLabel = "<addr>",
      description = "Peer-to-peer listen address (default: tcp://127.0.0.1:26656).")
  String p2pLaddr;

  @Option(
      names = "--p2p.persistent_peers",
      paramLabel = "<id@host:port,...>",
      description = {
        "Validators to connect to and stay connected with, comma-separated node ids and",
        "addresses as CometBFT writes them (default: none, a single-validator network)."
      })
  String persistentPeers;

  @Option(
      names = "--p2p.max_num_inbound_peers",
      paramLabel = "<n>",
      description = {
        "Peers that dialed this node, beyond which another is refused; persistent and",
        "unconditional peers do not count (default: 40)."
      })
  Integer maxInboundPeers;

  @Option(
      names = "--p2p.max_num_outbound_peers",
      paramLabel = "<n>",
      description = {
        "Peers this node dials other than persistent and unconditional ones (default: 10).",
        "peerz dials only persistent peers today, which this does not limit."
      })
  Integer maxOutboundPeers;

  @Option(
      names = "--p2p.max_packet_msg_payload_size",
      paramLabel = "<bytes>",
      description = {
        "Messages travel in packets of at most this many payload bytes, one sealed frame each;",
        "a peer's frame is never larger (default: 65536; at least 1024)."
      })
  Integer maxPacketPayload;

  @Option(
      names = "--p2p.send_rate",
      paramLabel = "<bytes/s>",
      description = "Bytes per second written to each peer (default: 5120000).")
  Long sendRate;

  @Option(
      names = "--p2p.recv_rate",
      paramLabel = "<bytes/s>",
      description = "Bytes per second read from each peer (default: 5120000).")
  Long recvRate;

  @Option(
      names = "--p2p.unconditional_peer_ids",
      paramLabel = "<id,...>",
      description = {
        "Node ids exempt from the peer counts and never banned, like the persistent peers:",
        "list the validators that are not persistent peers (default: none)."
      })
  String unconditionalPeerIds;

  @Option(
      names = "--rpc.max_body_bytes",
      paramLabel = "<bytes>",
      description = {
        "Largest JSON-RPC request body, and largest websocket message once its fragments are",
        "joined; a larger one is refused before it is read (default: 1000000)."
      })
  Integer maxBodyBytes;

  @Option(
      names = "--rpc.max_header_bytes",
      paramLabel = "<bytes>",
      description = {
        "Largest request line (a URI request's query included) and largest header block",
        "(default: 1048576)."
      })
  Integer maxHeaderBytes;

  @Option(
      names = "--rpc.max_open_connections",
      paramLabel = "<n>",
      description = {
        "HTTP and websocket connections open at once; others are answered with a JSON-RPC",
        "error and closed; 0 for no limit (default: 900)."
      })
  Integer maxOpenConnections;

  @Option(
      names = "--consensus.timeout_commit",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "Wait after a commit before the next height (default: 1s).")
  Duration timeoutCommit;

  @Option(
      names = "--abci",
      paramLabel = "<addr>",
      description = {
        "Serve the application alone over ABCI 2.0 on this address (tcp://host:port) for",
        "CometBFT v0.38 to drive (cometbft node --proxy_app <addr>); CometBFT then serves",
        "JSON-RPC and p2p, and this process starts neither. See docs/cometbft.md.",
        "Default: off, the node runs its own consensus, JSON-RPC and p2p."
      })
  String abci;

  @Option(
      names = "--statesync.enable",
      paramLabel = "<bool>",
      arity = "0..1",
      fallbackValue = "true",
      description = {
        "A fresh node restores from a peer's snapshot, then block-syncs the rest",
        "(default: false). Needs p2p.persistent_peers. See docs/cometbft.md."
      })
  Boolean stateSyncEnable;

  @Option(
      names = "--statesync.snapshot_interval",
      paramLabel = "<heights>",
      description =
          "Take a state-sync snapshot every this many heights; 0 disables (default: 100).")
  Long snapshotInterval;

  @Option(
      names = "--statesync.snapshot_keep_recent",
      paramLabel = "<n>",
      description = "How many of the newest snapshots to keep (default: 2).")
  Integer snapshotKeepRecent;

  @Option(
      names = "--tx_index.indexer",
      paramLabel = "<kv|null>",
      description =
          "kv indexes committed txs by hash, height and event for the tx and tx_search queries;"
              + " null indexes nothing, for a validator that serves no tx queries: less CPU and"
              + " disk per tx (default: kv). Heights committed under null are indexed when the"
              + " node next starts with kv.")
  String indexer;

  @Option(
      names = "--pruning",
      paramLabel = "<strategy>",
      description = {
        "Which earlier state versions to keep (abci_query at a height, export --height):",
        "default (the last 362880), nothing (all), everything (the last 2), custom",
        "(--pruning-keep-recent, --pruning-interval) (default: default)."
      })
  String pruning;

  @Option(
      names = "--pruning-keep-recent",
      paramLabel = "<n>",
      description = {
        "How many recent state versions to keep, at least 2: required with --pruning custom,",
        "ignored by the other strategies (default: 0, app.toml's)."
      })
  Long pruningKeepRecent;

  @Option(
      names = "--pruning-interval",
      paramLabel = "<heights>",
      description = {
        "Delete old state versions every this many heights, at least 10: required with",
        "--pruning custom, ignored by the other strategies (default: 0, app.toml's)."
      })
  Long pruningInterval;

  @Option(
      names = "--min-retain-blocks",
      paramLabel = "<n>",
      description = {
        "Keep at least this many recent blocks and delete the older ones (and their results",
        "and tx index); the blocks of served state-sync snapshots stay (default: 0, keep all)."
      })
  Long minRetainBlocks;

  @Option(
      names = "--halt-height",
      paramLabel = "<height>",
      description = {
        "Stop cleanly after committing this height, exit code 0 (default: 0, never); a height",
        "below the last committed one is refused."
      })
  Long haltHeight;

  @Option(
      names = "--halt-time",
      paramLabel = "<unix-seconds>",
      description =
          "Stop cleanly after the first block at or after this Unix time (default: 0, never).")
  Long haltTime;

  @Option(
      names = "--instrumentation.prometheus",
      paramLabel = "<bool>",
      arity = "0..1",
      fallbackValue = "true",
      description = {
        "Serve Prometheus metrics (CometBFT's and peerz's, docs/metrics.md) at",
        "http://<prometheus_listen_addr>/metrics (default: false; on in 'testnet init')."
      })
  Boolean prometheus;

  @Option(
      names = "--instrumentation.prometheus_listen_addr",
      paramLabel = "<addr>",
      description = {
        "Where metrics are served: host:port, or :port for every interface (default: :26660).",
        "A port in use stops the node before it starts."
      })
  String prometheusListen;

  /** CometBFT's {@code [instrumentation] prometheus_listen_addr} default. */
  static final String DEFAULT_PROMETHEUS_LISTEN = ":26660";

  /** Where metrics are served, or null when they are off. */
  record Metrics(String listen) {}

  /** The settings after config.toml, environment and flags have had their say. */
  record Settings(
      String moniker,
      String rpcListen,
      String p2pListen,
      Duration timeoutCommit,
      List<String> persistentPeers,
      SnapshotConfig snapshots,
      StateSyncConfig stateSync,
      boolean indexTxs,
      AppOptions app,
      PeerLimits p2pLimits,
      RpcLimits rpcLimits,
      Metrics metrics) {}

  Settings settings(Path h, Map<String, String> env) {
    ConfigToml toml = ConfigToml.read(h.resolve("config/config.toml"));
    String m = moniker != null ? moniker : toml.get("moniker", env).orElse("peerz-node");
    String rpc =
        rpcLaddr != null ? rpcLaddr : toml.get("rpc.laddr", env).orElse("tcp://127.0.0.1:26657");
    String p2p =
        p2pLaddr != null ? p2pLaddr : toml.get("p2p.laddr", env).orElse("tcp://127.0.0.1:26656");
    Duration tc =
        timeoutCommit != null
            ? timeoutCommit
            : DurationConverter.parse(toml.get("consensus.timeout_commit", env).orElse("1s"));
    String peers =
        persistentPeers != null
            ? persistentPeers
            : toml.get("p2p.persistent_peers", env).orElse("");
    return new Settings(
        m,
        hostPort(rpc, "rpc.laddr"),
        hostPort(p2p, "p2p.laddr"),
        tc,
        peerList(peers),
        snapshots(toml, env),
        stateSync(toml, env),
        indexTxs(toml, env),
        AppToml.read(
            h,
            env,
            new AppToml.Overrides(
                pruning,
                pruningKeepRecent,
                pruningInterval,
                minRetainBlocks,
                haltHeight,
                haltTime)),
        p2pLimits(toml, env),
        rpcLimits(toml, env),
        metrics(toml, env));
  }

  private PeerLimits p2pLimits(ConfigToml toml, Map<String, String> env) {
    PeerLimits d = PeerLimits.DEFAULT;
    String ids =
        unconditionalPeerIds != null
            ? unconditionalPeerIds
            : toml.get("p2p.unconditional_peer_ids", env).orElse("");
    try {
      return d.with(
              setting(
                  maxInboundPeers, toml, env, "p2p.max_num_inbound_peers", d.maxNumInboundPeers()),
              setting(
                  maxOutboundPeers,
                  toml,
                  env,
                  "p2p.max_num_outbound_peers",
                  d.maxNumOutboundPeers()),
              setting(
                  maxPacketPayload,
                  toml,
                  env,
                  "p2p.max_packet_msg_payload_size",
                  d.maxPacketMsgPayloadSize()),
              setting(sendRate, toml, env, "p2p.send_rate", d.sendRate()),
              setting(recvRate, toml, env, "p2p.recv_rate", d.recvRate()))
          .withUnconditionalPeerIds(
              Arrays.stream(ids.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList());
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  private RpcLimits rpcLimits(ConfigToml toml, Map<String, String> env) {
    RpcLimits d = RpcLimits.DEFAULT;
    try {
      return new RpcLimits(
          setting(maxBodyBytes, toml, env, "rpc.max_body_bytes", d.maxBodyBytes()),
          setting(maxHeaderBytes, toml, env, "rpc.max_header_bytes", d.maxHeaderBytes()),
          setting(
              maxOpenConnections, toml, env, "rpc.max_open_connections", d.maxOpenConnections()));
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  /** A byte rate: the flag, else the environment or file, else the default. */
  private static long setting(
      Long flag, ConfigToml toml, Map<String, String> env, String key, long dflt) {
    return flag != null ? flag : number(toml, env, key, dflt);
  }

  /** A count or size: the flag, else the environment or file, else the default. */
  private static int setting(
      Integer flag, ConfigToml toml, Map<String, String> env, String key, int dflt) {
    long v = flag != null ? flag : number(toml, env, key, dflt);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new CliException(key + ": " + v + " is too large");
    }
    return (int) v;
  }

  private Metrics metrics(ConfigToml toml, Map<String, String> env) {
    boolean on =
        prometheus != null ? prometheus : bool(toml, env, "instrumentation.prometheus", false);
    String listen =
        prometheusListen != null
            ? prometheusListen
            : toml.get("instrumentation.prometheus_listen_addr", env)
                .orElse(DEFAULT_PROMETHEUS_LISTEN);
    return new Metrics(on ? listen : null);
  }

  private static boolean bool(ConfigToml toml, Map<String, String> env, String key, boolean dflt) {
    String v = toml.get(key, env).orElse(Boolean.toString(dflt)).trim();
    if (!v.equals("true") && !v.equals("false")) {
      throw new CliException(key + ": expected true or false, got " + v);
    }
    return v.equals("true");
  }

  private boolean indexTxs(ConfigToml toml, Map<String, String> env) {
    String v = (indexer != null ? indexer : toml.get("tx_index.indexer", env).orElse("kv")).trim();
    return switch (v) {
      case "kv" -> true;
      case "null" -> false;
      default -> throw new CliException("tx_index.indexer: expected kv or null, got " + v);
    };
  }

  private SnapshotConfig snapshots(ConfigToml toml, Map<String, String> env) {
    long interval =
        snapshotInterval != null
            ? snapshotInterval
            : number(toml, env, "statesync.snapshot_interval", SnapshotConfig.DEFAULT.interval());
    long keep =
        snapshotKeepRecent != null
            ? snapshotKeepRecent
            : number(
                toml, env, "statesync.snapshot_keep_recent", SnapshotConfig.DEFAULT.keepRecent());
    try {
      return SnapshotConfig.every(interval, (int) Math.min(Integer.MAX_VALUE, keep));
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  private StateSyncConfig stateSync(ConfigToml toml, Map<String, String> env) {
    boolean enable;
    if (stateSyncEnable != null) {
      enable = stateSyncEnable;
    } else {
      String v = toml.get("statesync.enable", env).orElse("false").trim();
      if (!v.equals("true") && !v.equals("false")) {
        throw new CliException("statesync.enable: expected true or false, got " + v);
      }
      enable = v.equals("true");
    }
    Duration timeout = DurationConverter.parse(toml.get("statesync.timeout", env).orElse("2m"));
    try {
      return new StateSyncConfig(enable, timeout);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  private static long number(ConfigToml toml, Map<String, String> env, String key, long dflt) {
    String v = toml.get(key, env).orElse(Long.toString(dflt)).trim();
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new CliException(key + ": expected a whole number, got " + v);
    }
  }

  /** {@code id@host:port} entries, comma-separated; blanks ignored. */
  static List<String> peerList(String peers) {
    List<String> out = new ArrayList<>();
    for (String p : peers.split(",")) {
      String t = p.trim();
      if (t.isEmpty()) {
        continue;
      }
      int at = t.indexOf('@');
      if (at <= 0 || !t.substring(0, at).matches("[0-9a-fA-F]{40}")) {
        throw new CliException(
            "p2p.persistent_peers: expected <40-hex node id>@host:port, got " + t);
      }
      hostPort(t.substring(at + 1), "p2p.persistent_peers");
      out.add(t);
    }
    return out;
  }

  /** CometBFT writes listen addresses as {@code tcp://host:port}; the node takes host:port. */
  static String hostPort(String laddr, String what) {
    String s = laddr.startsWith("tcp://") ? laddr.substring(6) : laddr;
    int colon = s.lastIndexOf(':');
    if (s.contains("://") || colon <= 0 || colon == s.length() - 1) {
      throw new CliException(what + ": expected tcp://host:port, got " + laddr);
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new CliException(what + ": bad port in " + laddr);
    }
    return s;
  }

  @Override
  public Integer call() throws InterruptedException {
    // Logging starts here, not at class load: picocli builds every command for every run.
    Logger log = LoggerFactory.getLogger(StartCommand.class);
    Path h = home.home();
    Path genesisFile = h.resolve("config/genesis.json");
    if (!Files.exists(genesisFile)) {
      throw new CliException("no " + genesisFile + ": run 'peerz init --home " + h + "' first");
    }
    Settings s = settings(h, home.root().env);
    GenesisDoc genesis = GenesisFile.read(genesisFile);
    Ed25519KeyPair validatorKey =
        PrivValidatorKeyFile.read(h.resolve("config/priv_validator_key.json"));
    Ed25519KeyPair nodeKey = NodeKeyFile.read(h.resolve("config/node_key.json"));
    NodeConfig config =
        new NodeConfig(
            h,
            genesis,
            validatorKey,
            nodeKey,
            s.moniker(),
            s.rpcListen(),
            s.p2pListen(),
            s.timeoutCommit(),
            s.persistentPeers(),
            s.snapshots(),
            s.stateSync(),
            s.indexTxs(),
            s.p2pLimits(),
            s.rpcLimits(),
            s.app());
    log.info(
        "starting node chain_id={} moniker={} node_id={} home={} pruning={} keep_recent={}"
            + " interval={} min_retain_blocks={} {}",
        genesis.chainId(),
        s.moniker(),
        NodeKeyFile.nodeId(nodeKey.publicKey()),
        h,
        s.app().pruning().strategy().key(),
        s.app().pruning().keepRecent(),
        s.app().pruning().interval(),
        s.app().minRetainBlocks(),
        s.app().haltSettings());
    if (abci != null) {
      if (s.metrics().listen() != null) {
        log.info("metrics not served reason=under --abci CometBFT serves its own");
      }
      return serveAbci(log, h, genesis, s);
    }
    // Bound first: a taken metrics port stops the node before it opens its data.
    MetricsEndpoint metrics =
        s.metrics().listen() == null
            ? null
            : MetricsEndpoint.start(s.metrics().listen(), "instrumentation.prometheus_listen_addr");
    PeerzNode node;
    try {
      node = PeerzNode.start(config, metrics == null ? null : metrics.registry());
    } catch (RuntimeException e) {
      if (metrics != null) {
        metrics.close();
      }
      throw e;
    }
    if (node.haltedAtStart()) {
      if (metrics != null) {
        metrics.close();
      }
      return 0;
    }
    if (metrics != null) {
      log.info("metrics listening address={} path=/metrics", metrics.address());
    }
    Thread hook =
        new Thread(
            () -> {
              log.info("stopping node");
              node.close();
              if (metrics != null) {
                metrics.close();
              }
            },
            "peerz-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    log.info("node started rpc=http://{} p2p={}", node.rpcAddress(), s.p2pListen());
    node.awaitTermination();
    // Stopped at its halt point (or closed): the metrics go with it.
    if (metrics != null) {
      metrics.close();
    }
    return 0;
  }

  /** The application behind an ABCI socket: same data directory, genesis and state. */
  private int serveAbci(Logger log, Path h, GenesisDoc genesis, Settings s)
      throws InterruptedException {
    AbciNode node =
        AbciNode.start(
            h, genesis, abci.startsWith("tcp://") ? abci : "tcp://" + abci, s.snapshots(), s.app());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping abci server");
                  node.close();
                },
                "peerz-shutdown"));
    node.awaitTermination();
    return 0;
  }
}
