package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.peerz.abci.proto.Request;
import io.peerz.abci.proto.RequestFinalizeBlock;
import io.peerz.abci.proto.RequestFlush;
import io.peerz.abci.proto.RequestInfo;
import io.peerz.abci.proto.RequestInitChain;
import io.peerz.abci.proto.RequestQuery;
import io.peerz.abci.proto.Response;
import io.peerz.abci.proto.ValidatorUpdate;
import io.peerz.abci.proto.crypto.PublicKey;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peerz start --abci}: the application alone behind an ABCI 2.0 socket, driven the way
 * CometBFT v0.38 drives it (Info handshake, InitChain, FinalizeBlock + Commit, Query), and after a
 * kill -9 and restart reporting the committed height and app hash so the handshake resumes.
 */
class AbciModeIT {
  @TempDir Path home;
  private PeerzCommand cli;
  private Process app;
  private Path appLog;

  @AfterEach
  void stop() throws InterruptedException {
    if (app != null && app.isAlive()) {
      app.destroyForcibly();
      app.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void cometBftDrivesTheApplicationOverAbciAndTheHandshakeResumesAfterAKill() throws Exception {
    cli = new PeerzCommand(home);
    cli.run(() -> "", "init", "--chain-id", "abci-it").ok();
    JsonNode genesis = PeerzCommand.JSON.readTree(home.resolve("config/genesis.json").toFile());
    Ed25519KeyPair funded = exportedKey("validator");
    int port = PeerzCommand.freePort();

    startApp(port);
    byte[] appHash;
    try (Socket consensus = connect(port)) {
      Response info = call(consensus, Request.newBuilder().setInfo(RequestInfo.newBuilder()));
      assertThat(info.getInfo().getLastBlockHeight()).isZero();

      Response init = call(consensus, initChain(genesis));
      assertThat(init.getInitChain().getAppHash().size()).isEqualTo(32);

      Address recipient = new Address(Ed25519KeyPair.fromSeed(new byte[32]).address().bytes());
      byte[] tx = send(funded, genesis.path("chain_id").asText(), recipient, 1234);
      Response fin =
          call(
              consensus,
              Request.newBuilder()
                  .setFinalizeBlock(
                      RequestFinalizeBlock.newBuilder()
                          .setHeight(1)
                          .setTime(Timestamp.newBuilder().setSeconds(1_800_000_000))
                          .setHash(ByteString.copyFrom(new byte[32]))
                          .addTxs(ByteString.copyFrom(tx))));
      assertThat(fin.getFinalizeBlock().getTxResultsList()).hasSize(1);
      assertThat(fin.getFinalizeBlock().getTxResults(0).getCode())
          .as("tx log: %s", fin.getFinalizeBlock().getTxResults(0).getLog())
          .isZero();
      appHash = fin.getFinalizeBlock().getAppHash().toByteArray();
      Response commit =
          call(
              consensus,
              Request.newBuilder()
                  .setCommit(io.peerz.abci.proto.RequestCommit.getDefaultInstance()));
      assertThat(commit.hasCommit()).isTrue();

      Response query =
          call(
              consensus,
              Request.newBuilder()
                  .setQuery(RequestQuery.newBuilder().setPath("/account/" + recipient.text())));
      assertThat(query.getQuery().getCode()).isZero();
      JsonNode account =
          PeerzCommand.JSON.readTree(query.getQuery().getValue().toString(StandardCharsets.UTF_8));
      assertThat(account.path("balance").asText()).isEqualTo("1234");
    }

    // kill -9, restart: Info must say where CometBFT's handshake resumes.
    app.destroyForcibly();
    assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
    startApp(port);
    try (Socket consensus = connect(port)) {
      Response info = call(consensus, Request.newBuilder().setInfo(RequestInfo.newBuilder()));
      assertThat(info.getInfo().getLastBlockHeight()).isEqualTo(1);
      assertThat(Hex.encode(info.getInfo().getLastBlockAppHash().toByteArray()))
          .isEqualTo(Hex.encode(appHash));
    }
  }

  /** An address as the CLI and queries write it. */
  private record Address(byte[] bytes) {
    String text() {
      return "0x" + Hex.encode(bytes);
    }
  }

  private Ed25519KeyPair exportedKey(String name) throws IOException {
    PeerzCommand.Run export =
        cli.run(() -> "", "keys", "export", name, "--keyring-backend", "test", "--unsafe").ok();
    JsonNode k = PeerzCommand.JSON.readTree(export.out());
    return Ed25519KeyPair.fromSeed(Hex.decode(k.path("priv_key_hex").asText()));
  }

  private static byte[] send(Ed25519KeyPair from, String chainId, Address to, long amount) {
    TxBody body =
        TxBody.newBuilder()
            .setChainId(chainId)
            .setSignerPubKey(ByteString.copyFrom(from.publicKey()))
            .setNonce(0)
            .setFee(1)
            .setSend(MsgSend.newBuilder().setTo(ByteString.copyFrom(to.bytes())).setAmount(amount))
            .build();
    return Transactions.sign(body, from).toByteArray();
  }

  private static Request.Builder initChain(JsonNode genesis) {
    RequestInitChain.Builder init =
        RequestInitChain.newBuilder()
            .setChainId(genesis.path("chain_id").asText())
            .setInitialHeight(1)
            .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000))
            .setAppStateBytes(
                ByteString.copyFromUtf8(
                    PeerzCommand.JSON.valueToTree(genesis.path("app_state")).toString()));
    for (JsonNode v : genesis.path("validators")) {
      init.addValidators(
          ValidatorUpdate.newBuilder()
              .setPubKey(
                  PublicKey.newBuilder()
                      .setEd25519(
                          ByteString.copyFrom(
                              Base64.getDecoder()
                                  .decode(v.path("pub_key").path("value").asText()))))
              .setPower(Long.parseLong(v.path("power").asText())));
    }
    return Request.newBuilder().setInitChain(init);
  }

  private void startApp(int port) throws Exception {
    appLog = home.resolve("abci-" + System.nanoTime() + ".log");
    app =
        cli.builder("start", "--abci", "tcp://127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(appLog.toFile())
            .start();
    PeerzCommand.await(
        Duration.ofSeconds(60),
        "the ABCI server",
        app,
        () -> PeerzCommand.tail(appLog),
        () -> Files.exists(appLog) && PeerzCommand.tail(appLog).contains("abci server started"));
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(30_000);
    return s;
  }

  /** Sends one request and a Flush (CometBFT's socket client does so), returns the answer. */
  private static Response call(Socket socket, Request.Builder request) throws IOException {
    OutputStream out = socket.getOutputStream();
    request.build().writeDelimitedTo(out); // unsigned varint length prefix, as ABCI 0.38
    Request.newBuilder().setFlush(RequestFlush.getDefaultInstance()).build().writeDelimitedTo(out);
    out.flush();
    InputStream in = socket.getInputStream();
    List<Response> got = new ArrayList<>();
    got.add(Response.parseDelimitedFrom(in));
    got.add(Response.parseDelimitedFrom(in));
    assertThat(got.get(0).hasException())
        .as("exception: %s", got.get(0).getException().getError())
        .isFalse();
    assertThat(got.get(1).hasFlush()).isTrue();
    return got.get(0);
  }
}
