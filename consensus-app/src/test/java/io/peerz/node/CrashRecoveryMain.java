package io.peerz.node;

import ch.qos.logback.classic.Level;
import io.peerz.consensus.BlockExecution;
import io.peerz.consensus.CounterApp;
import io.peerz.consensus.TestChains;
import io.peerz.ledger.Hex;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * The process {@link CrashRecoveryIT} starts: a one-validator node on the counter application or
 * (fourth argument {@code peerz}) the real one. {@code submit <home> <txs>} submits txs and runs
 * until the fail point halts it; {@code resume <home> <blocks>} starts again, reports the recovered
 * height and app hash, and exits once {@code blocks} more blocks are committed.
 */
final class CrashRecoveryMain {
  private CrashRecoveryMain() {}

  public static void main(String[] args) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(Level.INFO);
    String mode = args[0];
    Path home = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    boolean peerz = args.length > 3 && args[3].equals("peerz");
    PeerzNode node =
        peerz
            ? TestNodes.peerzNode(
                TestNodes.peerzConfig(home, TestChains.key(1), Duration.ofMillis(20)),
                BlockExecution.failpoint())
            : TestNodes.counterNode(
                TestNodes.config(home, TestChains.key(1), Duration.ofMillis(20)),
                BlockExecution.failpoint());
    if (mode.equals("submit")) {
      for (int k = 0; k < n; k++) {
        byte[] tx = peerz ? TestChains.send(k, TestChains.key(2), 10) : CounterApp.tx(k);
        int code = node.backend().broadcastTx(tx).getCode();
        System.out.println("SUBMITTED n=" + k + " code=" + code);
      }
      // The fail point halts this process when the block with the txs is appended.
      TestChains.await("a halt at the fail point", () -> false, Duration.ofSeconds(60));
    } else {
      long recovered = node.backend().appInfo().lastBlockHeight();
      System.out.println(
          "RECOVERED height="
              + recovered
              + " app_hash="
              + Hex.encode(node.backend().appInfo().lastBlockAppHash())
              + " log_height="
              + node.backend().blocks().lastHeight());
      TestChains.await(
          "more blocks",
          () -> node.backend().appInfo().lastBlockHeight() >= recovered + n,
          Duration.ofSeconds(60));
      System.out.println("ADVANCED height=" + node.backend().appInfo().lastBlockHeight());
      node.close();
    }
    System.out.flush();
    System.exit(0);
  }
}
