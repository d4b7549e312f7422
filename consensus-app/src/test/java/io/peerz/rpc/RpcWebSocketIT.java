package io.peerz.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The websocket at /websocket: JSON-RPC methods, subscriptions and CometBFT's event shapes. */
class RpcWebSocketIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private FakeBackend backend;
  private RpcServer server;
  private final List<Client> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    backend = new FakeBackend();
    server = RpcServer.start(backend, "127.0.0.1:0");
  }

  @AfterEach
  void stop() {
    for (Client c : clients) {
      c.socket.abort();
    }
    server.close();
  }

  /** A websocket client that collects whole text messages; {@code reading} false stops reading. */
  private final class Client implements WebSocket.Listener {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final CompletableFuture<Void> pinged = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final boolean reading;
    final WebSocket socket;

    Client(boolean reading) throws Exception {
      this.reading = reading;
      socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://" + server.address() + "/websocket"), this)
              .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      clients.add(this);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      if (reading) {
        webSocket.request(1);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          messages.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException("not JSON: " + partial, e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
      pinged.complete(null);
      return WebSocket.Listener.super.onPing(webSocket, message);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    void send(String json) throws Exception {
      socket.sendText(json, true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    JsonNode call(int id, String method, String params) throws Exception {
      send(
          "{\"jsonrpc\":\"2.0\",\"id\":"
              + id
              + ",\"method\":\""
              + method
              + "\",\"params\":"
              + params
              + "}");
      return next();
    }

    JsonNode subscribe(int id, String query) throws Exception {
      return call(id, "subscribe", "{\"query\":\"" + query + "\"}");
    }

    JsonNode next() throws Exception {
      JsonNode message = messages.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(message).as("a message within %s", DEADLINE).isNotNull();
      return message;
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", DEADLINE).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  private long commitBlock(List<String> txs) {
    long height = backend.appendBlock(txs);
    server.publishCommitted(height);
    return height;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void answersEveryHttpMethodOverTheSocket() throws Exception {
    Client c = new Client(true);
    JsonNode status = c.call(1, "status", "{}");
    assertThat(status.get("id").asInt()).isEqualTo(1);
    assertThat(status.at("/result/node_info/version").asText()).isEqualTo("0.38.17");
    assertThat(status.at("/result/sync_info/latest_block_height").asText()).isEqualTo("3");

    JsonNode block = c.call(2, "block", "{\"height\":\"1\"}");
    assertThat(block.at("/result/block/data/txs/0").asText()).isEqualTo(b64("alpha"));

    JsonNode missing = c.call(3, "no_such_method", "{}");
    assertThat(missing.at("/error/code").asInt()).isEqualTo(-32601);

    c.send("{not json");
    assertThat(c.next().at("/error/code").asInt()).isEqualTo(-32700);
  }

  @Test
  void newBlockEventCarriesTheBlockInCometBftShape() throws Exception {
    Client c = new Client(true);
    JsonNode ack = c.subscribe(5, "tm.event='NewBlock'");
    assertThat(ack.get("id").asInt()).isEqualTo(5);
    assertThat(ack.get("result").isObject()).isTrue();
    assertThat(ack.get("result").isEmpty()).isTrue();

    long height = commitBlock(List.of("delta"));

    JsonNode event = c.next();
    assertThat(event.get("id").asInt()).isEqualTo(5);
    JsonNode result = event.get("result");
    assertThat(result.get("query").asText()).isEqualTo("tm.event='NewBlock'");
    assertThat(result.at("/data/type").asText()).isEqualTo("tendermint/event/NewBlock");
    JsonNode value = result.at("/data/value");
    assertThat(value.at("/block/header/height").asText()).isEqualTo(Long.toString(height));
    assertThat(value.at("/block/data/txs/0").asText()).isEqualTo(b64("delta"));
    assertThat(value.at("/block_id/hash").asText())
        .isEqualTo(
            RpcServerTest.hex(
                InMemoryBlockStore.blockHashOf(backend.store.block(height).orElseThrow())));
    assertThat(value.at("/result_finalize_block/tx_results/0/gas_used").asText()).isEqualTo("42");
    assertThat(value.at("/result_finalize_block/events/0/type").asText()).isEqualTo("epoch");
    assertThat(result.at("/events/tm.event/0").asText()).isEqualTo("NewBlock");
    assertThat(result.at("/events/epoch.height/0").asText()).isEqualTo(Long.toString(height));
  }

  @Test
  void newBlockEventsCarriesTheFinalizeBlockEventsAndTxCount() throws Exception {
    Client c = new Client(true);
    c.subscribe(6, "tm.event='NewBlockEvents' AND epoch.height='4'");
    long height = commitBlock(List.of("one", "two"));
    JsonNode result = c.next().get("result");
    assertThat(result.at("/data/type").asText()).isEqualTo("tendermint/event/NewBlockEvents");
    assertThat(result.at("/data/value/height").asText()).isEqualTo(Long.toString(height));
    assertThat(result.at("/data/value/num_txs").asText()).isEqualTo("2");
    assertThat(result.at("/data/value/events/0/attributes/0/value").asText())
        .isEqualTo(Long.toString(height));
  }

  @Test
  void txEventsFollowTheirQuery() throws Exception {
    Client c = new Client(true);
    String wanted = RpcServerTest.txHash("second");
    assertThat(c.subscribe(7, "tm.event='Tx' AND tx.hash='" + wanted + "'").has("result")).isTrue();
    assertThat(c.subscribe(8, "tm.event='Tx' AND transfer.recipient='first'").has("result"))
        .isTrue();

    long height = commitBlock(List.of("first", "second"));

    // Block order: first (index 0) answers subscription 8, then second answers 7.
    JsonNode byRecipient = c.next();
    assertThat(byRecipient.get("id").asInt()).isEqualTo(8);
    JsonNode first = byRecipient.at("/result/data");
    assertThat(first.get("type").asText()).isEqualTo("tendermint/event/Tx");
    assertThat(first.at("/value/TxResult/tx").asText()).isEqualTo(b64("first"));
    assertThat(first.at("/value/TxResult/index").asInt()).isZero();

    JsonNode byHash = c.next();
    assertThat(byHash.get("id").asInt()).isEqualTo(7);
    JsonNode txResult = byHash.at("/result/data/value/TxResult");
    assertThat(txResult.get("height").asText()).isEqualTo(Long.toString(height));
    assertThat(txResult.get("index").asInt()).isEqualTo(1);
    assertThat(txResult.get("tx").asText()).isEqualTo(b64("second"));
    assertThat(txResult.at("/result/data").asText()).isEqualTo(b64("ok:second"));
    assertThat(byHash.at("/result/events/tx.hash/0").asText()).isEqualTo(wanted);
    assertThat(byHash.at("/result/events/tx.height/0").asText()).isEqualTo(Long.toString(height));
    assertThat(byHash.at("/result/events/transfer.recipient/0").asText()).isEqualTo("second");

    // A height range matches the next block's tx, not this one's again.
    assertThat(c.subscribe(9, "tm.event='Tx' AND tx.height>" + height).has("result")).isTrue();
    commitBlock(List.of("third"));
    JsonNode later = c.next();
    assertThat(later.get("id").asInt()).isEqualTo(9);
    assertThat(later.at("/result/data/value/TxResult/tx").asText()).isEqualTo(b64("third"));
  }

  @Test
  void unsubscribeStopsOnlyThatQuery() throws Exception {
    Client c = new Client(true);
    c.subscribe(1, "tm.event='NewBlock'");
    c.subscribe(2, "tm.event='NewBlockHeader'");
    JsonNode again = c.subscribe(3, "tm.event='NewBlock'");
    assertThat(again.at("/error/data").asText()).contains("already subscribed");

    JsonNode done = c.call(4, "unsubscribe", "{\"query\":\"tm.event='NewBlock'\"}");
    assertThat(done.get("result").isEmpty()).isTrue();
    JsonNode unknown = c.call(5, "unsubscribe", "{\"query\":\"tm.event='NewBlock'\"}");
    assertThat(unknown.at("/error/data").asText()).isEqualTo("subscription not found");

    long height = commitBlock(List.of());
    // NewBlock is published before NewBlockHeader: the first message would be it if still on.
    JsonNode event = c.next();
    assertThat(event.get("id").asInt()).isEqualTo(2);
    assertThat(event.at("/result/data/type").asText()).isEqualTo("tendermint/event/NewBlockHeader");
    assertThat(event.at("/result/data/value/header/height").asText())
        .isEqualTo(Long.toString(height));

    assertThat(c.call(6, "unsubscribe_all", "{}").get("result").isEmpty()).isTrue();
    assertThat(server.subscriberCount()).isZero();
  }

  @Test
  void refusesBadQueriesAndTooManySubscriptions() throws Exception {
    Client c = new Client(true);
    assertThat(c.subscribe(1, "tm.event='Tx' OR tx.height=1").at("/error/data").asText())
        .startsWith("failed to parse query");
    assertThat(c.call(2, "subscribe", "{}").at("/error/code").asInt()).isEqualTo(-32602);
    for (int i = 0; i < RpcEvents.MAX_SUBSCRIPTIONS_PER_CLIENT; i++) {
      assertThat(c.subscribe(10 + i, "tm.event='Tx' AND tx.height=" + i).has("result")).isTrue();
    }
    assertThat(c.subscribe(20, "tm.event='NewBlock'").at("/error/data").asText())
        .isEqualTo("max_subscriptions_per_client 5 reached");
  }

  @Test
  void closingTheSocketEndsItsSubscriptions() throws Exception {
    Client c = new Client(true);
    c.subscribe(1, "tm.event='NewBlock'");
    assertThat(server.subscriberCount()).isEqualTo(1);
    c.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(20, TimeUnit.SECONDS);
    await(() -> server.subscriberCount() == 0);
  }

  @Test
  void pingsEveryConnectionSoQuietSubscribersStayOpen() throws Exception {
    server.close();
    server =
        RpcServer.start(
            backend, "127.0.0.1:0", RpcMethods.DEFAULT_COMMIT_TIMEOUT, Duration.ofMillis(100));
    Client c = new Client(true);
    c.pinged.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    assertThat(c.call(1, "health", "{}").get("result").isEmpty()).isTrue();
  }

  @Test
  void dropsASubscriberThatStopsReading() throws Exception {
    Client slow = new Client(false);
    // Without reading, the ack stays unread too; the subscription is made all the same.
    slow.send(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\",\"params\":"
            + "{\"query\":\"tm.event='NewBlock'\"}}");
    await(() -> server.subscriberCount() == 1);
    Client fast = new Client(true);
    fast.subscribe(2, "tm.event='NewBlockHeader'");

    // Big blocks fill the socket buffers, then the bounded queue; the slow client is cut off.
    long height = backend.appendBlock(List.of("x".repeat(200_000)));
    await(
        () -> {
          server.publishCommitted(height);
          return server.subscriberCount() == 1;
        });
    // The reading client is still served.
    JsonNode event = fast.next();
    assertThat(event.at("/result/data/type").asText()).isEqualTo("tendermint/event/NewBlockHeader");
  }
}
