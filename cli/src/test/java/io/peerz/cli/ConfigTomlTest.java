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
