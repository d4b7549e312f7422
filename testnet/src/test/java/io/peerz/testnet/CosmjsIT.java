package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wallet's CometBFT client against a fresh peerz node, unchanged: installs the pinned
 * {@code @cosmjs/tendermint-rpc} from npm (testnet/src/test/js/package-lock.json) and runs {@code
 * cosmjs-e2e.js}, which goes through {@code connectComet} over HTTP and the websocket: status,
 * health, abciInfo, abciQuery, genesis, validators, block, blockResults, blockchain, commit,
 * numUnconfirmedTxs, NewBlock and Tx subscriptions, broadcastTxSync/Commit of txs signed here, tx
 * and txSearch. npm must reach its registry: without it this test fails, it does not skip.
 */
class CosmjsIT {
  private static final Duration SCRIPT_LIMIT = Duration.ofMinutes(3);
  private static final String CHAIN_ID = "peerz-cosmjs";

  @TempDir Path home;

  @Test
  void cosmjsConnectCometDrivesAPeerzNode() throws Exception {
    NodeScripts js = NodeScripts.install();
    try (SingleNode node = SingleNode.start(home, CHAIN_ID)) {
      // The funded account init made, in the test keyring; two sends with consecutive nonces.
      byte[] recipient = new byte[20];
      new SecureRandom().nextBytes(recipient);
      byte[] txSync = node.send(0, recipient, 11);
      byte[] txCommit = node.send(1, recipient, 13);

      NodeScripts.Result run =
          js.run(
              "cosmjs-e2e.js",
              Map.of(
                  "PEERZ_RPC",
                  node.rpc,
                  "PEERZ_CHAIN_ID",
                  CHAIN_ID,
                  "PEERZ_ACCOUNT",
                  node.account,
                  "PEERZ_TX_SYNC",
                  Base64.getEncoder().encodeToString(txSync),
                  "PEERZ_TX_COMMIT",
                  Base64.getEncoder().encodeToString(txCommit)),
              home.resolve("cosmjs.log"),
              SCRIPT_LIMIT);
      String output = run.output();
      System.out.println(output);
      assertThat(run.finished())
          .as("the script finished; output:\n%s\nnode:\n%s", output, node.logTail())
          .isTrue();
      assertThat(run.exitCode())
          .as("cosmjs-e2e.js exit status; output:\n%s\nnode log:\n%s", output, node.logTail())
          .isZero();
      assertThat(output).contains("cosmjs end-to-end: all checks passed");
    }
  }
}
