package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peerz start --halt-height} stops with exit code 0 after that height and refuses one the
 * chain has passed; {@code peerz export} writes the genesis of the state at a height and refuses
 * what it cannot export, writing nothing.
 */
class HaltAndExportCommandTest {
  @TempDir Path dir;

  private CliRun start(Path home, String... more) {
    String[] base = {
      "start",
      "--home",
      home.toString(),
      "--rpc.laddr",
      "tcp://127.0.0.1:0",
      "--p2p.laddr",
      "tcp://127.0.0.1:0",
      "--consensus.timeout_commit",
      "30ms"
    };
    String[] args = new String[base.length + more.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return CliRun.run(args);
  }

  @Test
  void startStopsAtTheHaltHeightAndExportWritesTheGenesisOfAKeptHeight() throws Exception {
    Path home = dir.resolve("home");
    assertThat(CliRun.run("init", "--home", home.toString(), "--chain-id", "halt-t").exitCode())
        .isZero();

    CliRun halted = start(home, "--halt-height", "6", "--statesync.snapshot_interval", "0");
    assertThat(halted.exitCode()).as(halted.err()).isZero();
    // Again at its halt point: nothing to do, exit 0.
    assertThat(start(home, "--halt-height", "6").exitCode()).isZero();
    CliRun past = start(home, "--halt-height", "4");
    assertThat(past.exitCode()).isEqualTo(1);
    assertThat(past.err())
        .contains("Error: halt-height 4 is below the latest committed height 6")
        .contains("set a later halt-height, or 0");

    Path out = dir.resolve("genesis-4.json");
    CliRun export =
        CliRun.run(
            "export", "--home", home.toString(), "--height", "3", "--output", out.toString());
    assertThat(export.exitCode()).as(export.err()).isZero();
    assertThat(export.err()).contains("exported the state at height 3");
    GenesisDoc g = GenesisFile.read(out);
    assertThat(g.chainId()).isEqualTo("halt-t");
    assertThat(g.initialHeight()).isEqualTo(4);
    assertThat(new String(g.appStateJson(), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"export\"")
        .contains("\"height\" : \"3\"");

    // To standard output by default, the latest height.
    CliRun latest = CliRun.run("export", "--home", home.toString());
    assertThat(latest.exitCode()).as(latest.err()).isZero();
    assertThat(
            GenesisFile.parse(latest.out().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .initialHeight())
        .isEqualTo(7);

    // An existing file is never overwritten; a height not committed is refused.
    byte[] before = Files.readAllBytes(out);
    CliRun again =
        CliRun.run(
            "export", "--home", home.toString(), "--height", "2", "--output", out.toString());
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("exists");
    assertThat(Files.readAllBytes(out)).isEqualTo(before);
    Path ahead = dir.resolve("ahead.json");
    CliRun future =
        CliRun.run(
            "export", "--home", home.toString(), "--height", "99", "--output", ahead.toString());
    assertThat(future.exitCode()).isEqualTo(1);
    assertThat(future.err()).contains("Error: height 99 is not committed yet, latest height is 6");
    assertThat(ahead).doesNotExist();
  }

  @Test
  void onAPrunedNodeExportNamesTheLowestHeightAndReplayStartsFromASnapshot() throws Exception {
    Path home = dir.resolve("pruned");
    assertThat(CliRun.run("init", "--home", home.toString(), "--chain-id", "prune-t").exitCode())
        .isZero();
    CliRun halted =
        start(
            home,
            "--pruning",
            "custom",
            "--pruning-keep-recent",
            "2",
            "--pruning-interval",
            "10",
            "--min-retain-blocks",
            "5",
            "--statesync.snapshot_interval",
            "10",
            "--statesync.snapshot_keep_recent",
            "2",
            "--halt-height",
            "45");
    assertThat(halted.exitCode()).as(halted.err()).isZero();
    Path out = dir.resolve("g.json");
    CliRun pruned =
        CliRun.run(
            "export", "--home", home.toString(), "--height", "5", "--output", out.toString());
    assertThat(pruned.exitCode()).isEqualTo(1);
    assertThat(pruned.err())
        .containsPattern("Error: height 5 is not available, lowest height is \\d+");
    assertThat(out).doesNotExist();

    // The blocks below the snapshots are gone: replay starts from one, and says so.
    CliRun replay = CliRun.run("replay", "--home", home.toString());
    assertThat(replay.exitCode()).as(replay.err()).isZero();
    assertThat(replay.out())
        .containsPattern("started from the state-sync snapshot at height [1-9]\\d*: this node no")
        .contains("every app hash matches");
  }
}
