package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigTomlTest {
  @Test
  void readsTheFileInitWrites() {
    ConfigToml t = ConfigToml.parse(ConfigToml.initial("my \"node\""));
    assertThat(t.get("moniker", Map.of())).hasValue("my \"node\"");
    assertThat(t.get("rpc.laddr", Map.of())).hasValue("tcp://127.0.0.1:26657");
    assertThat(t.get("p2p.laddr", Map.of())).hasValue("tcp://127.0.0.1:26656");
    assertThat(t.get("consensus.timeout_commit", Map.of())).hasValue("1s");
  }

  @Test
  void environmentOverridesTheFile() {
    ConfigToml t = ConfigToml.parse(ConfigToml.initial("n"));
    assertThat(t.get("rpc.laddr", Map.of("PEERZ_RPC_LADDR", "tcp://0.0.0.0:9000")))
        .hasValue("tcp://0.0.0.0:9000");
    assertThat(ConfigToml.envName("consensus.timeout_commit"))
        .isEqualTo("PEERZ_CONSENSUS_TIMEOUT_COMMIT");
  }

  @Test
  void commentsAndHashesInsideStringsAreHandled() {
    ConfigToml t = ConfigToml.parse("moniker = \"a#b\" # the name\n[rpc]\nladdr = \"x:1\"\n");
    assertThat(t.get("moniker", Map.of())).hasValue("a#b");
  }

  @Test
  void malformedLineIsReportedWithItsNumber() {
    assertThatThrownBy(() -> ConfigToml.parse("moniker = \"a\"\nnonsense\n"))
        .hasMessageContaining("line 2");
  }

  @Test
  void startFlagsOverrideEnvironmentWhichOverridesTheFile(@TempDir Path home) throws Exception {
    Files.createDirectories(home.resolve("config"));
    Files.writeString(home.resolve("config/config.toml"), ConfigToml.initial("from-file"));
    StartCommand start = new StartCommand();
    new CommandLine(start).parseArgs("--rpc.laddr", "tcp://127.0.0.1:1234");
    Map<String, String> env =
        Map.of(
            "PEERZ_RPC_LADDR", "tcp://127.0.0.1:9999", "PEERZ_P2P_LADDR", "tcp://127.0.0.1:8888");

    StartCommand.Settings s = start.settings(home, env);

    assertThat(s.rpcListen()).isEqualTo("127.0.0.1:1234");
    assertThat(s.p2pListen()).isEqualTo("127.0.0.1:8888");
    assertThat(s.moniker()).isEqualTo("from-file");
    assertThat(s.timeoutCommit()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.persistentPeers()).isEmpty();
  }

  @Test
  void persistentPeersComeFromTheEnvironmentUnlessTheFlagGivesThem(@TempDir Path home)
      throws Exception {
    String a = "a".repeat(40) + "@127.0.0.1:26656";
    String b = "b".repeat(40) + "@127.0.0.1:26666";
    StartCommand fromEnv = new StartCommand();
    new CommandLine(fromEnv).parseArgs();
    assertThat(
            fromEnv
                .settings(home, Map.of("PEERZ_P2P_PERSISTENT_PEERS", a + ", " + b))
                .persistentPeers())
        .containsExactly(a, b);

    StartCommand fromFlag = new StartCommand();
    new CommandLine(fromFlag).parseArgs("--p2p.persistent_peers", b);
    assertThat(fromFlag.settings(home, Map.of("PEERZ_P2P_PERSISTENT_PEERS", a)).persistentPeers())
        .containsExactly(b);
  }

  @Test
  void stateSyncSettingsComeFromTheFileTheEnvironmentAndFlags(@TempDir Path home) throws Exception {
    Files.createDirectories(home.resolve("config"));
    Files.writeString(home.resolve("config/config.toml"), ConfigToml.initial("n"));
    StartCommand defaults = new StartCommand();
    new CommandLine(defaults).parseArgs();
    StartCommand.Settings d = defaults.settings(home, Map.of());
    assertThat(d.snapshots().interval()).isEqualTo(100);
    assertThat(d.snapshots().keepRecent()).isEqualTo(2);
    assertThat(d.stateSync().enable()).isFalse();

    StartCommand flags = new StartCommand();
    new CommandLine(flags).parseArgs("--statesync.enable", "--statesync.snapshot_interval", "0");
    StartCommand.Settings f =
        flags.settings(
            home,
            Map.of(
                "PEERZ_STATESYNC_SNAPSHOT_INTERVAL", "10",
                "PEERZ_STATESYNC_SNAPSHOT_KEEP_RECENT", "5",
                "PEERZ_STATESYNC_TIMEOUT", "30s"));
    assertThat(f.stateSync().enable()).isTrue();
    assertThat(f.stateSync().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(f.snapshots().interval()).isZero();
    assertThat(f.snapshots().keepRecent()).isEqualTo(5);

    StartCommand bad = new StartCommand();
    new CommandLine(bad).parseArgs();
    assertThatThrownBy(
            () -> bad.settings(home, Map.of("PEERZ_STATESYNC_SNAPSHOT_INTERVAL", "often")))
        .hasMessageContaining("statesync.snapshot_interval");
    assertThatThrownBy(() -> bad.settings(home, Map.of("PEERZ_STATESYNC_ENABLE", "yes")))
        .hasMessageContaining("statesync.enable");
  }

  @Test
  void peerAndRpcLimitsComeFromTheFileTheEnvironmentAndFlagsUnderCometBftsNames(@TempDir Path home)
      throws Exception {
    Files.createDirectories(home.resolve("config"));
    Files.writeString(
        home.resolve("config/config.toml"),
        ConfigToml.initial("n")
            .replace("max_num_inbound_peers = 40", "max_num_inbound_peers = 7")
            .replace("max_body_bytes = 1000000", "max_body_bytes = 5000"));
    StartCommand defaults = new StartCommand();
    new CommandLine(defaults).parseArgs();
    StartCommand.Settings d = defaults.settings(home, Map.of());
    assertThat(d.p2pLimits().maxNumInboundPeers()).isEqualTo(7);
    assertThat(d.p2pLimits().maxNumOutboundPeers()).isEqualTo(10);
    assertThat(d.p2pLimits().maxPacketMsgPayloadSize()).isEqualTo(65536);
    assertThat(d.p2pLimits().sendRate()).isEqualTo(5_120_000);
    assertThat(d.p2pLimits().recvRate()).isEqualTo(5_120_000);
    assertThat(d.rpcLimits().maxBodyBytes()).isEqualTo(5000);
    assertThat(d.rpcLimits().maxHeaderBytes()).isEqualTo(1 << 20);
    assertThat(d.rpcLimits().maxOpenConnections()).isEqualTo(900);

    String id = "a".repeat(40);
    StartCommand flags = new StartCommand();
    new CommandLine(flags)
        .parseArgs(
            "--p2p.max_num_inbound_peers", "3",
            "--p2p.send_rate", "1000",
            "--rpc.max_open_connections", "0");
    StartCommand.Settings f =
        flags.settings(
            home,
            Map.of(
                "PEERZ_P2P_MAX_NUM_INBOUND_PEERS", "9",
                "PEERZ_P2P_MAX_NUM_OUTBOUND_PEERS", "4",
                "PEERZ_P2P_MAX_PACKET_MSG_PAYLOAD_SIZE", "2048",
                "PEERZ_P2P_RECV_RATE", "2000",
                "PEERZ_P2P_UNCONDITIONAL_PEER_IDS", id + ", ",
                "PEERZ_RPC_MAX_HEADER_BYTES", "4096"));
    assertThat(f.p2pLimits().maxNumInboundPeers()).isEqualTo(3);
    assertThat(f.p2pLimits().maxNumOutboundPeers()).isEqualTo(4);
    assertThat(f.p2pLimits().maxPacketMsgPayloadSize()).isEqualTo(2048);
    assertThat(f.p2pLimits().sendRate()).isEqualTo(1000);
    assertThat(f.p2pLimits().recvRate()).isEqualTo(2000);
    assertThat(f.p2pLimits().unconditionalPeerIds()).containsExactly(id);
    assertThat(f.rpcLimits().maxHeaderBytes()).isEqualTo(4096);
    assertThat(f.rpcLimits().maxOpenConnections()).isZero();

    StartCommand bad = new StartCommand();
    new CommandLine(bad).parseArgs();
    assertThatThrownBy(() -> bad.settings(home, Map.of("PEERZ_P2P_SEND_RATE", "0")))
        .hasMessage("p2p.send_rate must be positive, got 0");
    assertThatThrownBy(
            () -> bad.settings(home, Map.of("PEERZ_P2P_MAX_PACKET_MSG_PAYLOAD_SIZE", "10")))
        .hasMessage("p2p.max_packet_msg_payload_size must be at least 1024, got 10");
    assertThatThrownBy(() -> bad.settings(home, Map.of("PEERZ_P2P_UNCONDITIONAL_PEER_IDS", "x")))
        .hasMessage("p2p.unconditional_peer_ids: expected 40-hex node ids, got x");
    assertThatThrownBy(() -> bad.settings(home, Map.of("PEERZ_RPC_MAX_BODY_BYTES", "lots")))
        .hasMessage("rpc.max_body_bytes: expected a whole number, got lots");
  }

  @Test
  void txIndexingIsOnUnlessTheFileTheEnvironmentOrTheFlagSaysNull(@TempDir Path home)
      throws Exception {
    Files.createDirectories(home.resolve("config"));
    Files.writeString(home.resolve("config/config.toml"), ConfigToml.initial("n"));
    StartCommand defaults = new StartCommand();
    new CommandLine(defaults).parseArgs();
    assertThat(defaults.settings(home, Map.of()).indexTxs()).isTrue();
    assertThat(defaults.settings(home, Map.of("PEERZ_TX_INDEX_INDEXER", "null")).indexTxs())
        .isFalse();

    Files.writeString(
        home.resolve("config/config.toml"),
        ConfigToml.initial("n").replace("indexer = \"kv\"", "indexer = \"null\""));
    assertThat(defaults.settings(home, Map.of()).indexTxs()).isFalse();
    StartCommand flag = new StartCommand();
    new CommandLine(flag).parseArgs("--tx_index.indexer", "kv");
    assertThat(flag.settings(home, Map.of()).indexTxs()).isTrue();

    assertThatThrownBy(() -> defaults.settings(home, Map.of("PEERZ_TX_INDEX_INDEXER", "psql")))
        .hasMessage("tx_index.indexer: expected kv or null, got psql");
  }

  @Test
  void metricsAreOffByDefaultAndTurnedOnByTheFileTheEnvironmentOrTheFlag(@TempDir Path home)
      throws Exception {
    StartCommand noFile = new StartCommand();
    new CommandLine(noFile).parseArgs();
    assertThat(noFile.settings(home, Map.of()).metrics().listen()).isNull();

    Files.createDirectories(home.resolve("config"));
    Files.writeString(home.resolve("config/config.toml"), ConfigToml.initial("n"));
    StartCommand defaults = new StartCommand();
    new CommandLine(defaults).parseArgs();
    assertThat(defaults.settings(home, Map.of()).metrics().listen()).isNull();
    assertThat(
            defaults
                .settings(home, Map.of("PEERZ_INSTRUMENTATION_PROMETHEUS", "true"))
                .metrics()
                .listen())
        .isEqualTo(":26660");
    assertThat(
            defaults
                .settings(
                    home,
                    Map.of(
                        "PEERZ_INSTRUMENTATION_PROMETHEUS", "true",
                        "PEERZ_INSTRUMENTATION_PROMETHEUS_LISTEN_ADDR", "127.0.0.1:9100"))
                .metrics()
                .listen())
        .isEqualTo("127.0.0.1:9100");

    Files.writeString(
        home.resolve("config/config.toml"),
        ConfigToml.initial("n").replace("prometheus = false", "prometheus = true"));
    assertThat(defaults.settings(home, Map.of()).metrics().listen()).isEqualTo(":26660");
    StartCommand off = new StartCommand();
    new CommandLine(off).parseArgs("--instrumentation.prometheus=false");
    assertThat(off.settings(home, Map.of()).metrics().listen()).isNull();

    StartCommand flags = new StartCommand();
    new CommandLine(flags)
        .parseArgs(
            "--instrumentation.prometheus",
            "--instrumentation.prometheus_listen_addr",
            "127.0.0.1:26661");
    assertThat(flags.settings(home, Map.of()).metrics().listen()).isEqualTo("127.0.0.1:26661");

    assertThatThrownBy(
            () -> defaults.settings(home, Map.of("PEERZ_INSTRUMENTATION_PROMETHEUS", "on")))
        .hasMessage("instrumentation.prometheus: expected true or false, got on");
  }

  @Test
  void aPeerWithoutANodeIdIsRejected() {
    assertThatThrownBy(() -> StartCommand.peerList("127.0.0.1:26656"))
        .hasMessageContaining("node id");
  }

  @Test
  void listenAddressWithoutAPortIsRejected() {
    assertThatThrownBy(() -> StartCommand.hostPort("tcp://127.0.0.1", "rpc.laddr"))
        .hasMessageContaining("rpc.laddr");
  }
}
