package io.peerz.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.http.HttpRequest;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnError;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CometBFT's websocket endpoint: JSON-RPC 2.0 requests as text frames, every HTTP method plus
 * {@code subscribe}, {@code unsubscribe} and {@code unsubscribe_all}. A connection's requests run
 * one after another, off the event loop, as CometBFT's read routine runs them; subscription events
 * go through a bounded queue per connection.
 */
// One instance serves every connection.
@Singleton
@ServerWebSocket("/websocket")
class RpcWebSocket {
  private static final Logger LOG = LoggerFactory.getLogger(RpcWebSocket.class);

  /** CometBFT's default {@code rpc.max_body_bytes}. */
  static final int MAX_MESSAGE_BYTES = 1_000_000;

  /**
   * Messages written to a connection but not yet on the wire; past it the client is dropped
   * (CometBFT's {@code experimental_subscription_buffer_size} default).
   */
  static final int MAX_QUEUED = 200;

  private final JsonRpc rpc;
  private final RpcEvents events;
  private final Executor requests;
  private final ObjectMapper mapper = new ObjectMapper();
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private final ScheduledExecutorService pings =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "rpc-websocket-ping");
            thread.setDaemon(true);
            return thread;
          });

  RpcWebSocket(JsonRpc rpc, RpcEvents events, RpcServer.WebSocketRequests requests) {
    this.rpc = rpc;
    this.events = events;
    this.requests = requests.executor();
    long period = requests.pingPeriod().toMillis();
    pings.scheduleAtFixedRate(this::pingAll, period, period, TimeUnit.MILLISECONDS);
  }

  /** As CometBFT's write routine: a ping per period, so idle connections stay open. */
  private void pingAll() {
    for (Connection connection : connections.values()) {
      connection.ping();
    }
  }

  @PreDestroy
  void stop() {
    pings.shutdownNow();
  }

  @OnOpen
  void open(WebSocketSession session, HttpRequest<?> request) {
    String remote = String.valueOf(request.getRemoteAddress());
    connections.put(session.getId(), new Connection(session, remote));
    LOG.debug("rpc websocket opened remote={}", remote);
  }

  @OnMessage(maxPayloadLength = MAX_MESSAGE_BYTES)
  void message(String text, WebSocketSession session) {
    Connection connection = connections.get(session.getId());
    if (connection == null) {
      return;
    }
    connection.run(() -> connection.reply(handle(connection, text)));
  }

  @OnClose
  void close(WebSocketSession session) {
    Connection connection = connections.remove(session.getId());
    if (connection != null) {
      events.remove(connection);
      LOG.debug("rpc websocket closed remote={}", connection.remote());
    }
  }

  @OnError
  void error(WebSocketSession session, Throwable error) {
    Connection connection = connections.get(session.getId());
    LOG.warn(
        "rpc websocket error remote={} error={}",
        connection == null ? "?" : connection.remote(),
        error.toString());
  }

  /** The answer to one text frame: empty for a notification. */
  private String handle(Connection connection, String text) {
    JsonNode request = parse(text);
    if (request != null && request.isObject() && request.get("id") != null) {
      String method = request.path("method").asText("");
      if (method.equals("subscribe")
          || method.equals("unsubscribe")
          || method.equals("unsubscribe_all")) {
        JsonNode id = request.get("id");
        return rpc.answer(id, () -> subscription(connection, method, id, request.get("params")));
      }
    }
    return rpc.post(text.getBytes(StandardCharsets.UTF_8)).text();
  }

  private JsonNode parse(String text) {
    try {
      return mapper.readTree(text);
    } catch (IOException e) {
      // JsonRpc answers it with its parse error.
      return null;
    }
  }

  private JsonNode subscription(Connection connection, String method, JsonNode id, JsonNode json) {
    RpcParams params = RpcParams.ofJson(json, List.of("query"));
    switch (method) {
      case "subscribe" -> events.subscribe(connection, id, params.string("query"));
      case "unsubscribe" -> events.unsubscribe(connection, params.string("query"));
      default -> events.unsubscribeAll(connection);
    }
    return CometJson.object();
  }

  /** One websocket connection as a subscriber. */
  private final class Connection implements RpcEvents.Subscriber {
    private final WebSocketSession session;
    private final String remote;
    private final AtomicInteger queued = new AtomicInteger();
    // Guarded by this: the tail of the connection's request chain.
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    Connection(WebSocketSession session, String remote) {
      this.session = session;
      this.remote = remote;
    }

    synchronized void run(Runnable task) {
      tail =
          tail.thenRunAsync(task, requests)
              .exceptionally(
                  e -> {
                    LOG.warn("rpc websocket request failed remote={} error={}", remote, e);
                    return null;
                  });
    }

    void reply(String json) {
      if (!json.isEmpty() && !offer(json)) {
        LOG.warn("rpc websocket client dropped remote={} reason=send queue full", remote);
        close("client is not reading its answers");
      }
    }

    void ping() {
      if (session.isOpen()) {
        session
            .sendPingAsync(new byte[0])
            .whenComplete(
                (sent, error) -> {
                  if (error != null) {
                    LOG.debug("rpc websocket ping failed remote={} error={}", remote, error);
                  }
                });
      }
    }

    @Override
    public String remote() {
      return remote;
    }

    @Override
    public boolean offer(String json) {
      if (!session.isOpen()) {
        return true;
      }
      if (queued.incrementAndGet() > MAX_QUEUED) {
        queued.decrementAndGet();
        return false;
      }
      session.sendAsync(json).whenComplete((sent, error) -> queued.decrementAndGet());
      return true;
    }

    @Override
    public void close(String reason) {
      if (session.isOpen()) {
        session.close(new CloseReason(CloseReason.POLICY_VIOLATION.getCode(), reason));
      }
    }
  }
}
