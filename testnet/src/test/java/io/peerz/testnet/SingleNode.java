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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A fresh one-validator node as a process ({@code peerz init}, then {@code peerz start} on free
 * ports), the funded key {@code init} put in its test keyring, and the RPC reads the wallet tests
 * need. Close stops the node.
 */
final class SingleNode implements AutoCloseable {
  private final HttpClient http = HttpClient.newHttpClient();
  private final Process process;
  private final Path log;
  private final String chainId;
  final String rpc;
  final Ed25519KeyPair key;
  final String account;

  private SingleNode(
      Process process, Path log, String chainId, String rpc, Ed25519KeyPair key, String account) {
    this.process = process;
    this.log = log;
    this.chainId = chainId;
    this.rpc = rpc;
    this.key = key;
    this.account = account;
  }

  /** Inits {@code home} and starts its node with {@code extra} flags, at its second block. */
  static SingleNode start(Path home, String chainId, String... extra) throws Exception {
    PeerzCommand cli = new PeerzCommand(home);
    cli.run(() -> "", "init", "--chain-id", chainId, "--moniker", chainId).ok();
    int rpcPort = PeerzCommand.freePort();
    int p2pPort = PeerzCommand.freePort();
    List<String> args =
        new ArrayList<>(
            List.of(
                "start",
                "--rpc.laddr",
                "tcp://127.0.0.1:" + rpcPort,
                "--p2p.laddr",
                "tcp://127.0.0.1:" + p2pPort,
                "--consensus.timeout_commit",
                "1s"));
    args.addAll(List.of(extra));
    Path log = home.resolve("node.log");
    Process p =
        cli.builder(args.toArray(String[]::new))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    JsonNode keyFile =
        PeerzCommand.JSON.readTree(home.resolve("keyring-test/validator.json").toFile());
    SingleNode node =
        new SingleNode(
            p,
            log,
            chainId,
            "http://127.0.0.1:" + rpcPort,
            Ed25519KeyPair.fromSeed(Base64.getDecoder().decode(keyFile.get("priv_key").asText())),
            keyFile.get("address").asText());
    try {
      PeerzCommand.await(
          Duration.ofSeconds(90),
          "the node's second block",
          p,
          node::logTail,
          () -> node.latestHeight() >= 2);
    } catch (Throwable t) {
      node.close();
      throw t;
    }
    return node;
  }

  /**
   * A transfer of {@code amount} to {@code to} signed by the funded key, paying the chain's fee.
   */
  byte[] send(long nonce, byte[] to, long amount) throws IOException {
    TxBody body =
        TxBody.newBuilder()
            .setChainId(chainId)
            .setSignerPubKey(ByteString.copyFrom(key.publicKey()))
            .setNonce(nonce)
            .setFee(minFee())
            .setSend(MsgSend.newBuilder().setTo(ByteString.copyFrom(to)).setAmount(amount))
            .build();
    return Transactions.sign(body, key).toByteArray();
  }

  long latestHeight() {
    try {
      return Long.parseLong(get("/status").at("/result/sync_info/latest_block_height").asText("0"));
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** The chain's minimum fee, read as `peerz tx` reads it (abci_query /params). */
  long minFee() throws IOException {
    JsonNode answer = get("/abci_query?path=%22/params%22").at("/result/response");
    assertThat(answer.path("code").asInt()).as("/params query: %s", answer).isZero();
    JsonNode params =
        PeerzCommand.JSON.readTree(Base64.getDecoder().decode(answer.path("value").asText()));
    JsonNode fee = params.findValue("min_fee");
    return fee == null || fee.isNull() ? 0 : Long.parseLong(fee.asText());
  }

  JsonNode get(String pathAndQuery) throws IOException {
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

  /** The end of the node's log, for a failure's message. */
  String logTail() {
    return PeerzCommand.tail(log);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
