package io.peerz.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnError;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import io.netty.channel.Channel;
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
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CometBFT's websocket endpoint: JSON-RPC 2.0 requests as text frames, every HTTP method plus
 * {@code subscribe}, {@code unsubscribe} and {@code unsubscribe_all}. A connection's requests run
 * one after another, off the event loop, as CometBFT's read routine runs them; subscription events
 * go through a bounded queue per connection.
 *
 * <p>What one connection can make the node hold is bounded: a message, its fragments together, by
 * {@code rpc.max_body_bytes} ({@link WebSocketMessageLimit}); the requests received and not yet
 * answered by the same, past which the connection is not read until they are; the answers and
 * events not yet on the wire by {@link #MAX_QUEUED} and {@link #MAX_QUEUED_BYTES}, past which the
 * client, which is not reading them, is dropped.
 */
// One instance serves every connection.
@Singleton
@ServerWebSocket("/websocket")
class RpcWebSocket {
  private static final Logger LOG = LoggerFactory.getLogger(RpcWebSocket.class);

  /**
   * The largest single frame (Netty closes a larger one with 1009): CometBFT's default {@code
   * rpc.max_body_bytes}. A message, fragments together, is bounded by the configured value.
   */
  static final int MAX_MESSAGE_BYTES = 1_000_000;

  /** Bytes of answers and events written to a connection but not yet on the wire. */
  static final long MAX_QUEUED_BYTES = 32L << 20;

  /**
   * Messages written to a connection but not yet on the wire; past it the client is dropped
   * (CometBFT's {@code experimental_subscription_buffer_size} default).
   */
  static final int MAX_QUEUED = 200;

  private final JsonRpc rpc;
  private final RpcEvents events;
  private final Executor requests;
  private final long maxPendingBytes;
  private final ObjectMapper mapper = new ObjectMapper();
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private final ScheduledExecutorService pings =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "rpc-websocket-ping");
            thread.setDaemon(true);
            return thread;
          });

  RpcWebSocket(
      JsonRpc rpc, RpcEvents events, RpcServer.WebSocketRequests requests, RpcLimits limits) {
    this.rpc = rpc;
    this.events = events;
    this.requests = requests.executor();
    this.maxPendingBytes = limits.maxBodyBytes();
    long period = requests.pingPeriod().toMillis();
    pings.scheduleAtFixedRate(this::pingAll, period, period, TimeUnit.MILLISECONDS);
  }

  /** As CometBFT's write routine: a ping per period, so idle connections stay open. */
  private void pingAll() {
    for (Connection connection : connections.values()) {
      connection.ping();
    }
  }

  /** Connections not being read now because their requests wait (tests). */
  long pausedConnections() {
    return connections.values().stream().filter(Connection::paused).count();
  }

  @PreDestroy
  void stop() {
    pings.shutdownNow();
  }

  @OnOpen
  void open(WebSocketSession session, HttpRequest<?> request) {
    String remote = String.valueOf(request.getRemoteAddress());
    // Micronaut's request knows the connection's channel: reading it pauses while requests wait.
    Channel channel =
        request instanceof NettyHttpRequest<?> netty
            ? netty.getChannelHandlerContext().channel()
            : null;
    connections.put(session.getId(), new Connection(session, remote, channel));
    LOG.debug("rpc websocket opened remote={}", remote);
  }

  @OnMessage(maxPayloadLength = MAX_MESSAGE_BYTES)
  void message(String text, WebSocketSession session) {
    Connection connection = connections.get(session.getId());
    if (connection == null) {
      return;
    }
    // Counted in chars: what the String holds, within a factor of two of its bytes.
    long size = text.length();
    connection.received(size);
    connection.run(
        () -> {
          try {
            connection.reply(handle(connection, text));
          } finally {
            connection.answered(size);
          }
        });
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
    private final Channel channel;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong pendingBytes = new AtomicLong();
    // Guarded by this: the tail of the connection's request chain.
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    Connection(WebSocketSession session, String remote, Channel channel) {
      this.session = session;
      this.remote = remote;
      this.channel = channel;
    }

    /**
     * A request arrived; past {@code max_body_bytes} of requests waiting, the socket is not read
     * until they are answered (CometBFT reads a connection's next request only after answering).
     */
    void received(long size) {
      if (pendingBytes.addAndGet(size) > maxPendingBytes && channel != null) {
        channel.config().setAutoRead(false);
      }
    }

    boolean paused() {
      return channel != null && !channel.config().isAutoRead();
    }

    void answered(long size) {
      if (pendingBytes.addAndGet(-size) <= maxPendingBytes && channel != null) {
        channel.config().setAutoRead(true);
      }
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
      long size = json.length();
      if (queued.incrementAndGet() > MAX_QUEUED || queuedBytes.addAndGet(size) > MAX_QUEUED_BYTES) {
        queued.decrementAndGet();
        queuedBytes.addAndGet(-size);
        return false;
      }
      session
          .sendAsync(json)
          .whenComplete(
              (sent, error) -> {
                queued.decrementAndGet();
                queuedBytes.addAndGet(-size);
              });
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
