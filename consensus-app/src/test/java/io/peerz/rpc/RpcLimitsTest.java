package io.peerz.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CometBFT's [rpc] limits and the corner cases of issue 15, each refused as early as its bytes show
 * it and answered in JSON-RPC's shape with a message that names the limit.
 */
@Timeout(120)
class RpcLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<RpcServer> servers = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    servers.forEach(RpcServer::close);
  }

  private RpcServer start(RpcLimits limits) {
    RpcServer server = RpcServer.start(new FakeBackend(), "127.0.0.1:0", limits);
    servers.add(server);
    return server;
  }

  /** An HTTP answer read off a raw socket: status, headers as text, body parsed as JSON. */
  record Raw(int status, String head, JsonNode body) {
    JsonNode error() {
      return body.get("error");
    }
  }

  private Socket connect(RpcServer server) throws IOException {
    String[] hostPort = server.address().split(":");
    Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
    socket.setSoTimeout(30_000);
    sockets.add(socket);
    return socket;
  }

  /** Writes {@code request} (what the test wants sent, no more) and reads the whole answer. */
  private Raw exchange(RpcServer server, byte[] request) throws IOException {
    Socket socket = connect(server);
    try {
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
    } catch (SocketException e) {
      // The server may answer and close before the test finished writing: read what it said.
    }
    return read(socket);
  }

  private static Raw read(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    try {
      while ((n = in.read(buf)) >= 0) {
        all.write(buf, 0, n);
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end >= 0) {
          int length = contentLength(text.substring(0, end));
          if (length >= 0 && all.size() >= end + 4 + length) {
            break;
          }
        }
      }
    } catch (SocketException e) {
      // reset after the answer: what arrived is the answer
    }
    String text = all.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    assertThat(end).as("an HTTP answer, got: %s", text).isPositive();
    String head = text.substring(0, end);
    int status = Integer.parseInt(head.substring(9, 12));
    String body = text.substring(end + 4);
    return new Raw(status, head, body.isEmpty() ? null : JSON.readTree(body));
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return -1;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void assertJsonRpcError(Raw raw, int status, int code, String data) {
    assertThat(raw.status()).isEqualTo(status);
    assertThat(raw.head().toLowerCase()).contains("content-type: application/json");
    assertThat(raw.body().get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(raw.body().get("id").isNull()).isTrue();
    assertThat(raw.error().get("code").asInt()).isEqualTo(code);
    assertThat(raw.error().get("data").asText()).isEqualTo(data);
  }

  @Test
  void aFiftyMegabyteBodyIsRefusedByItsContentLengthBeforeItIsSent() throws Exception {
    RpcServer server = start(RpcLimits.DEFAULT);
    // Only the head and the first 64 KiB go out: the answer must come without the rest.
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write(
        ascii(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 50000000\r\n\r\n"));
    request.write(new byte[64 * 1024]);
    Raw raw = exchange(server, request.toByteArray());
    assertJsonRpcError(
        raw, 413, -32600, "request body of 50000000 bytes over rpc.max_body_bytes (1000000 bytes)");
    assertThat(raw.error().get("message").asText()).isEqualTo("Invalid Request");
    assertThat(raw.head().toLowerCase()).contains("connection: close");
  }

  @Test
  void aChunkedBodyIsRefusedOnceItsChunksPassTheLimit() throws Exception {
    RpcServer server = start(new RpcLimits(10_000, 1 << 20, 900));
    StringBuilder request =
        new StringBuilder("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; i++) {
      request.append(Integer.toHexString(4000)).append("\r\n").append(" ".repeat(4000));
      request.append("\r\n");
    }
    Raw raw = exchange(server, ascii(request.toString()));
    assertJsonRpcError(raw, 413, -32600, "request body over rpc.max_body_bytes (10000 bytes)");
  }

  @Test
  void aBodyOfExactlyMaxBodyBytesIsServed() throws Exception {
    RpcServer server = start(new RpcLimits(10_000, 1 << 20, 900));
    String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"}";
    String body = call + " ".repeat(10_000 - call.length());
    Raw raw =
        exchange(
            server,
            ascii(
                "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body));
    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.body().get("result").isObject()).isTrue();
  }

  @Test
  void anOverLongUrlOrHeaderIsRefusedNamingMaxHeaderBytes() throws Exception {
    RpcServer server = start(RpcLimits.DEFAULT);
    String query = "x".repeat(2 << 20);
    Raw url = exchange(server, ascii("GET /health?h=" + query + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    assertJsonRpcError(
        url, 414, -32600, "request line (URL and query) over rpc.max_header_bytes (1048576 bytes)");

    Raw header =
        exchange(server, ascii("GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + query + "\r\n\r\n"));
    assertJsonRpcError(
        header, 431, -32600, "request headers over rpc.max_header_bytes (1048576 bytes)");
  }

  @Test
  void getWebsocketWithoutUpgradeHeadersSaysWhatAWebsocketNeeds() throws Exception {
    RpcServer server = start(RpcLimits.DEFAULT);
    Raw raw = exchange(server, ascii("GET /websocket HTTP/1.1\r\nHost: x\r\n\r\n"));
    assertJsonRpcError(
        raw,
        400,
        -32600,
        "GET /websocket opens a websocket: it needs the headers Connection: Upgrade and"
            + " Upgrade: websocket, which websocket clients send");
  }

  @Test
  void aBatchOfEmptyObjectsGetsAnInvalidRequestForEach() throws Exception {
    RpcServer server = start(RpcLimits.DEFAULT);
    String body = "[{},{},{}]";
    Raw raw =
        exchange(
            server,
            ascii(
                "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                    + body.length()
                    + "\r\n\r\n"
                    + body));
    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.body()).hasSize(3);
    for (JsonNode answer : raw.body()) {
      assertThat(answer.get("id").isNull()).isTrue();
      assertThat(answer.get("error").get("code").asInt()).isEqualTo(-32600);
      assertThat(answer.get("error").get("data").asText()).isEqualTo("method must be a string");
    }
  }

  @Test
  void connectionsOverMaxOpenConnectionsAreAnsweredAndClosed() throws Exception {
    RpcServer server = start(new RpcLimits(1_000_000, 1 << 20, 2));
    Socket first = connect(server);
    connect(server);
    // Both are accepted and counted before the third connects: wait for the count.
    RpcPipeline pipeline = server.pipeline();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (pipeline.openConnections() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    Raw third = exchange(server, ascii("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    assertJsonRpcError(
        third, 503, -32603, "too many open connections: rpc.max_open_connections is 2");

    first.close();
    while (pipeline.openConnections() >= 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    Raw served =
        exchange(server, ascii("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    assertThat(served.status()).isEqualTo(200);
  }

  /** A websocket client that sends what the test says and records how the server closed it. */
  private static final class Socketeer implements WebSocket.Listener {
    final CompletableFuture<String> closed = new CompletableFuture<>();
    final CompletableFuture<String> answer = new CompletableFuture<>();
    final java.util.concurrent.BlockingQueue<String> answers =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    final WebSocket socket;

    Socketeer(RpcServer server) throws Exception {
      socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://" + server.address() + "/websocket"), this)
              .get(20, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        answer.complete(partial.toString());
        answers.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete("error " + error);
    }
  }

  @Test
  void websocketFragmentsCountTogetherAgainstMaxBodyBytes() throws Exception {
    RpcServer server = start(RpcLimits.DEFAULT);
    Socketeer fits = new Socketeer(server);
    String call = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"health\",\"params\":{}}";
    fits.socket.sendText(call.substring(0, 10), false).get(20, TimeUnit.SECONDS);
    fits.socket.sendText(" ".repeat(900_000), false).get(20, TimeUnit.SECONDS);
    fits.socket.sendText(call.substring(10), true).get(20, TimeUnit.SECONDS);
    assertThat(JSON.readTree(fits.answer.get(20, TimeUnit.SECONDS)).get("id").asInt()).isEqualTo(5);

    // Issue 15: 12.5 MiB in 200 fragments of 64 KiB, each under the frame limit, was assembled.
    Socketeer hostile = new Socketeer(server);
    String fragment = " ".repeat(64 * 1024);
    hostile
        .socket
        .sendText("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"health\",\"pad\":\"", false)
        .get(20, TimeUnit.SECONDS);
    try {
      for (int i = 0; i < 200 && !hostile.closed.isDone(); i++) {
        hostile.socket.sendText(fragment, false).get(20, TimeUnit.SECONDS);
      }
    } catch (java.util.concurrent.ExecutionException e) {
      // the server closed the socket while fragments were still going out
    }
    assertThat(hostile.closed.get(20, TimeUnit.SECONDS))
        .isEqualTo("1009 message over rpc.max_body_bytes (1000000 bytes)");
    assertThat(hostile.answer).isNotDone();
  }

  @Test
  void aWebsocketWhoseRequestsPileUpIsNotReadUntilTheyAreAnswered() throws Exception {
    RpcServer server =
        RpcServer.start(
            new FakeBackend(),
            "127.0.0.1:0",
            java.time.Duration.ofSeconds(3),
            RpcServer.PING_PERIOD,
            RpcLimits.DEFAULT);
    servers.add(server);
    Socketeer client = new Socketeer(server);
    // The first request holds the connection's turn for 3 s (a commit that never comes).
    client
        .socket
        .sendText(
            "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"broadcast_tx_commit\","
                + "\"params\":{\"tx\":\"cGVuZGluZw==\"}}",
            true)
        .get(20, TimeUnit.SECONDS);
    String pad = " ".repeat(100_000);
    for (int i = 1; i <= 15; i++) {
      client
          .socket
          .sendText("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"health\"}" + pad, true)
          .get(20, TimeUnit.SECONDS);
    }
    RpcWebSocket endpoint = server.webSocket();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (endpoint.pausedConnections() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(endpoint.pausedConnections()).isEqualTo(1);
    // Once the first times out the rest are answered, and the connection is read again.
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i <= 15; i++) {
      String answer = client.answers.poll(20, TimeUnit.SECONDS);
      assertThat(answer).as("answer %d", i).isNotNull();
      ids.add(JSON.readTree(answer).get("id").asInt());
    }
    assertThat(ids)
        .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(0, 15).boxed().toList());
    assertThat(endpoint.pausedConnections()).isZero();
  }
}
