package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
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
  private final HttpClient http = HttpClient.newHttpClient();
  private Process node;
  private Path nodeLog;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null && node.isAlive()) {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  @Test
  void cosmjsConnectCometDrivesAPeerzNode() throws Exception {
    NodeScripts js = NodeScripts.install();

    PeerzCommand cli = new PeerzCommand(home);
    cli.run(this::log, "init", "--chain-id", CHAIN_ID, "--moniker", "cosmjs").ok();
    int rpcPort = PeerzCommand.freePort();
    int p2pPort = PeerzCommand.freePort();
    String rpc = "http://127.0.0.1:" + rpcPort;
    nodeLog = home.resolve("node.log");
    node =
        cli.builder(
                "start",
                "--rpc.laddr",
                "tcp://127.0.0.1:" + rpcPort,
                "--p2p.laddr",
                "tcp://127.0.0.1:" + p2pPort,
                "--consensus.timeout_commit",
                "1s")
            .redirectErrorStream(true)
            .redirectOutput(nodeLog.toFile())
            .start();
    PeerzCommand.await(
        Duration.ofSeconds(90),
        "the node's second block",
        node,
        this::log,
        () -> latestHeight(rpc) >= 2);

    // The funded account init made, in the test keyring; two sends with consecutive nonces.
    JsonNode keyFile =
        PeerzCommand.JSON.readTree(home.resolve("keyring-test/validator.json").toFile());
    Ed25519KeyPair key =
        Ed25519KeyPair.fromSeed(Base64.getDecoder().decode(keyFile.get("priv_key").asText()));
    String account = keyFile.get("address").asText();
    long fee = minFee(rpc);
    byte[] recipient = new byte[20];
    new SecureRandom().nextBytes(recipient);
    byte[] txSync = send(key, 0, fee, recipient, 11);
    byte[] txCommit = send(key, 1, fee, recipient, 13);

    NodeScripts.Result run =
        js.run(
            "cosmjs-e2e.js",
            Map.of(
                "PEERZ_RPC", rpc,
                "PEERZ_CHAIN_ID", CHAIN_ID,
                "PEERZ_ACCOUNT", account,
                "PEERZ_TX_SYNC", Base64.getEncoder().encodeToString(txSync),
                "PEERZ_TX_COMMIT", Base64.getEncoder().encodeToString(txCommit)),
            home.resolve("cosmjs.log"),
            SCRIPT_LIMIT);
    String output = run.output();
    System.out.println(output);
    assertThat(run.finished())
        .as("the script finished; output:\n%s\nnode:\n%s", output, log())
        .isTrue();
    assertThat(run.exitCode())
        .as("cosmjs-e2e.js exit status; output:\n%s\nnode log:\n%s", output, log())
        .isZero();
    assertThat(output).contains("cosmjs end-to-end: all checks passed");
  }

  private static byte[] send(Ed25519KeyPair key, long nonce, long fee, byte[] to, long amount) {
    TxBody body =
        TxBody.newBuilder()
            .setChainId(CHAIN_ID)
            .setSignerPubKey(ByteString.copyFrom(key.publicKey()))
            .setNonce(nonce)
            .setFee(fee)
            .setSend(MsgSend.newBuilder().setTo(ByteString.copyFrom(to)).setAmount(amount))
            .build();
    return Transactions.sign(body, key).toByteArray();
  }

  private long latestHeight(String rpc) {
    try {
      return Long.parseLong(
          get(rpc, "/status").at("/result/sync_info/latest_block_height").asText("0"));
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** The chain's minimum fee, read as `peerz tx` reads it (abci_query /params). */
  private long minFee(String rpc) throws IOException {
    JsonNode answer = get(rpc, "/abci_query?path=%22/params%22").at("/result/response");
    assertThat(answer.path("code").asInt()).as("/params query: %s", answer).isZero();
    JsonNode params =
        PeerzCommand.JSON.readTree(Base64.getDecoder().decode(answer.path("value").asText()));
    JsonNode fee = params.findValue("min_fee");
    return fee == null || fee.isNull() ? 0 : Long.parseLong(fee.asText());
  }

  private JsonNode get(String rpc, String pathAndQuery) throws IOException {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(rpc + pathAndQuery))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return PeerzCommand.JSON.readTree(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private String log() {
    return nodeLog == null ? "(node not started)" : PeerzCommand.tail(nodeLog);
  }
}
