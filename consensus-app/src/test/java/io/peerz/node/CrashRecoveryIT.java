package io.peerz.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.consensus.Application;
import io.peerz.consensus.BlockExecution;
import io.peerz.consensus.CounterApp;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.Replay;
import io.peerz.consensus.TestChains;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Hex;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.proto.Block;
import io.peerz.state.StateMachine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a node at the fail point between appending a decided block and executing it, restarts it,
 * and checks it recovers that block with the app hash a clean run reaches, then keeps going.
 */
class CrashRecoveryIT {

  @TempDir Path home;

  private record Run(int exitCode, List<String> lines) {}

  private static Run runNode(List<String> jvmArgs, String... args)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashRecoveryMain.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("node process did not exit; output:\n" + String.join("\n", lines));
    }
    return new Run(p.exitValue(), lines);
  }

  private static Matcher find(Run run, String regex) {
    Pattern pattern = Pattern.compile(regex);
    for (String line : run.lines()) {
      Matcher m = pattern.matcher(line);
      if (m.find()) {
        return m;
      }
    }
    throw new AssertionError(
        "no line matches " + regex + " in output:\n" + String.join("\n", run.lines()));
  }

  /** Crashes a node at the fail point, resumes it, and returns the appended height. */
  private long crashAndRecover(String app) throws Exception {
    Run crashed =
        runNode(
            List.of(
                "-D"
                    + BlockExecution.FAILPOINT_PROPERTY
                    + "="
                    + BlockExecution.FAILPOINT_AFTER_BLOCK_APPEND),
            "submit",
            home.toString(),
            "5",
            app);
    assertThat(crashed.exitCode())
        .as("output:\n%s", String.join("\n", crashed.lines()))
        .isEqualTo(BlockExecution.FAILPOINT_EXIT_STATUS);

    long appended;
    try (LedgerDb db = LedgerDb.open(home.resolve("data/ledger.db"))) {
      appended = db.blocks().lastHeight();
      Block block = db.blocks().block(appended).orElseThrow();
      assertThat(block.getTxsCount()).isPositive();
      assertThat(db.state().height())
          .as("the appended block was not executed")
          .isEqualTo(appended - 1);
      assertThat(db.blocks().results(appended)).isEmpty();
    }

    Run resumed = runNode(List.of(), "resume", home.toString(), "3", app);
    assertThat(resumed.exitCode()).as("output:\n%s", String.join("\n", resumed.lines())).isZero();
    Matcher recovered = find(resumed, "RECOVERED height=(\\d+) app_hash=([0-9a-f]+)");
    assertThat(Long.parseLong(recovered.group(1))).isEqualTo(appended);
    find(resumed, "ADVANCED height=\\d+");

    try (LedgerDb db = LedgerDb.open(home.resolve("data/ledger.db"))) {
      assertThat(db.blocks().lastHeight()).isGreaterThanOrEqualTo(appended + 3);
      assertThat(Hex.encode(db.blocks().results(appended).orElseThrow().getAppHash().toByteArray()))
          .isEqualTo(recovered.group(2));
    }
    return appended;
  }

  private long txsInLog() {
    try (LedgerDb db = LedgerDb.open(home.resolve("data/ledger.db"))) {
      long txs = 0;
      for (long h = 1; h <= db.blocks().lastHeight(); h++) {
        txs += db.blocks().block(h).orElseThrow().getTxsCount();
      }
      return txs;
    }
  }

  @Test
  void theCounterNodeRecoversTheAppendedBlockWithTheCleanRunsAppHash() throws Exception {
    long appended = crashAndRecover("counter");
    long txs = txsInLog();
    assertThat(txs).isPositive();
    try (LedgerDb db = LedgerDb.open(home.resolve("data/ledger.db"))) {
      assertThat(new CounterApp(db).committed()).isEqualTo(txs);
    }
    // A clean run: the same blocks executed from genesis in a scratch directory, never crashed.
    Replay.Report clean =
        Replay.run(
            home,
            TestNodes.config(home, TestChains.key(1), null).genesis(),
            (h, l) -> {},
            CounterApp::new);
    assertThat(clean.ok()).as("%s", clean).isTrue();
    assertThat(clean.heightsReplayed()).isGreaterThanOrEqualTo(appended);
  }

  @Test
  void thePeerzNodeRecoversTheAppendedBlockWithTheCleanRunsAppHash() throws Exception {
    long appended = crashAndRecover("peerz");
    long txs = txsInLog();
    assertThat(txs).isPositive();
    GenesisDoc genesis = TestNodes.peerzConfig(home, TestChains.key(1), null).genesis();
    try (LedgerDb db = LedgerDb.open(home.resolve("data/ledger.db"))) {
      PeerzApplication app = new PeerzApplication(db, new StateMachine(), genesis.chainId());
      Application.QueryResponse account =
          app.query(
              new Application.QueryRequest(
                  "/account/" + TestChains.key(2).address(), new byte[0], 0, false));
      assertThat(account.code()).as(account.log()).isZero();
      assertThat(new String(account.value(), StandardCharsets.UTF_8))
          .contains(Long.toString(10 * txs));
    }
    Replay.Report clean = Replay.run(home, genesis, (h, l) -> {});
    assertThat(clean.ok()).as("%s", clean).isTrue();
    assertThat(clean.heightsReplayed()).isGreaterThanOrEqualTo(appended);
  }
}
