package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's explorer page in a real headless browser: Debian's Chromium (installed by
 * testnet/install-chromium.sh when /usr/bin/chromium is missing) driven by the pinned {@code
 * playwright-core} from npm (testnet/src/test/js/package-lock.json). {@code explorer-e2e.js} opens
 * {@code /explorer} on a fresh node, waits for it to follow the node's websocket, sends a tx, and
 * sees the tx appear on the open page without a reload. apt and npm must reach their registries
 * when the browser or the package are missing: without them this test fails, it does not skip.
 */
class ExplorerIT {
  private static final Duration SCRIPT_LIMIT = Duration.ofMinutes(2);
  private static final Duration INSTALL_LIMIT = Duration.ofMinutes(10);

  @TempDir Path home;

  @Test
  void aTxSentToTheNodeAppearsOnTheOpenExplorerPageWithoutAReload() throws Exception {
    String chromium = installChromium();
    NodeScripts js = NodeScripts.install();
    try (SingleNode node = SingleNode.start(home, "peerz-explorer")) {
      byte[] to = new byte[20];
      new SecureRandom().nextBytes(to);
      byte[] tx = node.send(0, to, 7);
      Path profile = Files.createDirectories(home.resolve("chromium-profile"));

      NodeScripts.Result run =
          js.run(
              "explorer-e2e.js",
              Map.of(
                  "PEERZ_RPC", node.rpc,
                  "PEERZ_CHROMIUM", chromium,
                  "PEERZ_PROFILE", profile.toString(),
                  "PEERZ_TX", Base64.getEncoder().encodeToString(tx),
                  "PEERZ_TX_HASH", Hex.encodeUpper(Transactions.hash(tx))),
              home.resolve("explorer-e2e.log"),
              SCRIPT_LIMIT);
      String output = run.output();
      System.out.println(output);
      assertThat(run.finished())
          .as("the script finished; output:\n%s\nnode:\n%s", output, node.logTail())
          .isTrue();
      assertThat(run.exitCode())
          .as("explorer-e2e.js exit status; output:\n%s\nnode log:\n%s", output, node.logTail())
          .isZero();
      assertThat(output).contains("explorer end-to-end: all checks passed");
    }
  }

  /** Runs testnet/install-chromium.sh (apt-get once per machine) and returns the browser's path. */
  private static String installChromium() throws Exception {
    Path module = Path.of(System.getProperty("user.dir"));
    Path script = module.resolve("install-chromium.sh");
    if (!Files.exists(script)) {
      script = module.resolve("testnet/install-chromium.sh");
    }
    Path out = Files.createTempFile("install-chromium", ".log");
    Process p =
        new ProcessBuilder("bash", script.toString())
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(out.toFile()))
            .start();
    boolean finished = p.waitFor(INSTALL_LIMIT.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
    }
    String log = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(finished && p.exitValue() == 0)
        .as("%s (needs apt-get and Debian's mirror when chromium is missing):\n%s", script, log)
        .isTrue();
    String[] lines = log.strip().split("\n");
    String path = lines[lines.length - 1].strip();
    assertThat(Path.of(path)).as("the browser install-chromium.sh printed").isExecutable();
    return path;
  }
}
