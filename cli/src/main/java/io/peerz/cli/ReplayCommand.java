package io.peerz.cli;

import io.peerz.consensus.Replay;
import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code peerz replay}: re-execute the block log from genesis and compare app hashes. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Rebuild state from genesis by re-executing every committed block into a scratch",
      "database, checking the app hash at each height. Exit code 1 and the height on a mismatch.",
      "Run it on a stopped node."
    })
final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin HomeOption home;

  @Override
  public Integer call() {
    // The progress bar owns stderr: per-block INFO lines would shred it. Logging is not yet
    // initialised here, so the property reaches logback.xml's ${PEERZ_LOG_LEVEL}.
    if (home.root().env.get("PEERZ_LOG_LEVEL") == null) {
      System.setProperty("PEERZ_LOG_LEVEL", "WARN");
    }
    GenesisDoc genesis = GenesisFile.read(home.home().resolve("config/genesis.json"));
    PrintWriter err = spec.commandLine().getErr();
    ProgressBar bar = new ProgressBar(err);
    Replay.Report report = Replay.run(home.home(), genesis, bar::advanced);
    bar.done();
    PrintWriter out = spec.commandLine().getOut();
    if (!report.ok()) {
      out.println("app hash mismatch at height " + report.mismatchHeight());
      out.println("  recorded: " + report.expectedAppHash());
      out.println("  replayed: " + report.actualAppHash());
      out.flush();
      throw new CliException(
          "replay diverged at height "
              + report.mismatchHeight()
              + " after "
              + report.heightsReplayed()
              + " heights");
    }
    out.println("replayed " + report.heightsReplayed() + " heights: every app hash matches");
    out.flush();
    return 0;
  }

  /** A one-line bar on stderr, redrawn when the percentage changes. */
  static final class ProgressBar {
    private static final int WIDTH = 40;
    private final PrintWriter err;
    private long lastPercent = -1;
    private boolean drawn;

    ProgressBar(PrintWriter err) {
      this.err = err;
    }

    void advanced(long height, long lastHeight) {
      long percent = lastHeight <= 0 ? 100 : Math.min(100, height * 100 / lastHeight);
      if (percent == lastPercent) {
        return;
      }
      lastPercent = percent;
      int filled = (int) (percent * WIDTH / 100);
      err.print(
          "\rreplaying ["
              + "#".repeat(filled)
              + " ".repeat(WIDTH - filled)
              + "] "
              + height
              + "/"
              + lastHeight);
      err.flush();
      drawn = true;
    }

    void done() {
      if (drawn) {
        err.println();
        err.flush();
      }
    }
  }
}
