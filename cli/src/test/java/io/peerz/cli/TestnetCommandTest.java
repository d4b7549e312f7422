package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.genesis.GenesisFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestnetCommandTest {

  private static int run(String... args) {
    var sink = new java.io.PrintWriter(java.io.Writer.nullWriter());
    return PeerzCli.execute(args, sink, sink, Map.of(), null);
  }

  @Test
  void initWritesHomesThatShareOneGenesisAndPeerWithEachOther(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("net");
    int code =
        run(
            "testnet",
            "init",
            "--validators",
            "3",
            "--output",
            out.toString(),
            "--base-port",
            "36656");
    assertThat(code).isZero();

    var genesis = GenesisFile.read(out.resolve("node0/config/genesis.json"));
    assertThat(genesis.validators()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      Path home = out.resolve("node" + i);
      assertThat(Files.readString(home.resolve("config/genesis.json")))
          .isEqualTo(Files.readString(out.resolve("node0/config/genesis.json")));
      ConfigToml toml = ConfigToml.read(home.resolve("config/config.toml"));
      assertThat(toml.get("rpc.laddr", Map.of())).hasValue("tcp://127.0.0.1:" + (36657 + 10 * i));
      // Metrics on, each node on a port of its own (CometBFT's 26660 is p2p + 4).
      assertThat(toml.get("instrumentation.prometheus", Map.of())).hasValue("true");
      assertThat(toml.get("instrumentation.prometheus_listen_addr", Map.of()))
          .hasValue("127.0.0.1:" + (36660 + 10 * i));
      String peers = toml.get("p2p.persistent_peers", Map.of()).orElseThrow();
      assertThat(StartCommand.peerList(peers)).hasSize(2);
      assertThat(peers).doesNotContain("127.0.0.1:" + (36656 + 10 * i));
      assertThat(home.resolve("keyring-test")).isDirectory();
    }
    int again = run("testnet", "init", "--output", out.toString());
    assertThat(again).isNotZero();
  }
}
