package io.peerz.rpc;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.peerz.consensus.EventBus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC server: CometBFT's methods over HTTP and over the websocket at {@code /websocket},
 * with event subscriptions, on one listen address.
 */
public final class RpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);

  /**
   * The threads that run websocket requests (a connection's requests run in order), and how often
   * each connection is pinged.
   */
  record WebSocketRequests(ExecutorService executor, Duration pingPeriod) {}

  /**
   * CometBFT's websocket ping period. A ping also keeps a quiet subscriber's connection from
   * Micronaut's idle timeout (5 minutes).
   */
  static final Duration PING_PERIOD = Duration.ofSeconds(27);

  private static final int WEBSOCKET_THREADS = 8;

  private final ApplicationContext context;
  private final ExecutorService asyncBroadcasts;
  private final ExecutorService socketRequests;
  private final RpcEvents events;
  private final String address;
  private volatile AutoCloseable subscription;

  private RpcServer(
      ApplicationContext context,
      ExecutorService asyncBroadcasts,
      ExecutorService socketRequests,
      RpcEvents events,
      String address) {
    this.context = context;
    this.asyncBroadcasts = asyncBroadcasts;
    this.socketRequests = socketRequests;
    this.events = events;
    this.address = address;
  }

  /** Starts serving {@code backend} on {@code listen} (host:port; port 0 picks one). */
  public static RpcServer start(RpcBackend backend, String listen) {
    return start(backend, listen, RpcLimits.DEFAULT);
  }

  /** As {@link #start(RpcBackend, String)}, under {@code limits}. */
  public static RpcServer start(RpcBackend backend, String listen, RpcLimits limits) {
    return start(backend, listen, RpcMethods.DEFAULT_COMMIT_TIMEOUT, PING_PERIOD, limits);
  }

  /**
   * As {@link #start(RpcBackend, String)}, with broadcast_tx_commit's wait bounded by {@code
   * commitTimeout}.
   */
  static RpcServer start(RpcBackend backend, String listen, Duration commitTimeout) {
    return start(backend, listen, commitTimeout, PING_PERIOD, RpcLimits.DEFAULT);
  }

  /** As {@link #start(RpcBackend, String, Duration)}, pinging websockets every {@code ping}. */
  static RpcServer start(
      RpcBackend backend, String listen, Duration commitTimeout, Duration pingPeriod) {
    return start(backend, listen, commitTimeout, pingPeriod, RpcLimits.DEFAULT);
  }

  /** The server under {@code limits}, pinging websockets every {@code pingPeriod}. */
  static RpcServer start(
      RpcBackend backend,
      String listen,
      Duration commitTimeout,
      Duration pingPeriod,
      RpcLimits limits) {
    ListenAddress requested = ListenAddress.parse(listen);
    AtomicReference<String> bound = new AtomicReference<>(requested.toString());
    // One thread keeps broadcast_tx_async submissions in arrival order (nonces depend on it).
    ExecutorService asyncBroadcasts =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "rpc-broadcast-async");
              thread.setDaemon(true);
              return thread;
            });
    RpcMethods methods = new RpcMethods(backend, bound::get, asyncBroadcasts, commitTimeout);
    JsonRpc rpc = new JsonRpc(methods);
    RpcEvents events = new RpcEvents(backend::blocks);
    // Bounded: broadcast_tx_commit may hold a thread for its whole timeout.
    ExecutorService socketRequests =
        Executors.newFixedThreadPool(
            WEBSOCKET_THREADS,
            r -> {
              Thread thread = new Thread(r, "rpc-websocket");
              thread.setDaemon(true);
              return thread;
            });
    long started = System.nanoTime();
    ApplicationContext context =
        ApplicationContext.builder()
            .banner(false)
            .deduceEnvironment(false)
            .deduceCloudEnvironment(false)
            // Only what is set here: no application.yml or environment variables from the host.
            .enableDefaultPropertySources(false)
            .environmentPropertySource(false)
            .properties(
                Map.of(
                    "micronaut.server.host",
                    requested.host(),
                    // Micronaut reads -1 as "pick a free port".
                    "micronaut.server.port",
                    requested.port() == 0 ? -1 : requested.port(),
                    "micronaut.server.date-header",
                    false,
                    // The limits below, enforced by RequestLimits, are Micronaut's too: a backstop.
                    "micronaut.server.max-request-size",
                    limits.maxBodyBytes(),
                    "micronaut.server.netty.max-initial-line-length",
                    limits.maxHeaderBytes(),
                    "micronaut.server.netty.max-header-size",
                    limits.maxHeaderBytes()))
            .singletons(
                backend,
                methods,
                rpc,
                events,
                limits,
                new WebSocketRequests(socketRequests, pingPeriod))
            .build();
    try {
      context.start();
      EmbeddedServer server = context.getBean(EmbeddedServer.class);
      server.start();
      String address = new ListenAddress(requested.host(), server.getPort()).toString();
      bound.set(address);
      LOG.info(
          "rpc server started address={} startup_ms={}",
          address,
          (System.nanoTime() - started) / 1_000_000);
      return new RpcServer(context, asyncBroadcasts, socketRequests, events, address);
    } catch (RuntimeException e) {
      asyncBroadcasts.shutdownNow();
      socketRequests.shutdownNow();
      events.close();
      if (context.isRunning()) {
        context.close();
      }
      throw new IllegalStateException("cannot start rpc server on " + listen + ": " + e, e);
    }
  }

  /**
   * As {@link #start(RpcBackend, String)}, telling websocket subscribers of the blocks {@code bus}
   * announces.
   */
  public static RpcServer start(RpcBackend backend, EventBus bus, String listen) {
    return start(backend, bus, listen, RpcLimits.DEFAULT);
  }

  /** As {@link #start(RpcBackend, EventBus, String)}, under {@code limits}. */
  public static RpcServer start(RpcBackend backend, EventBus bus, String listen, RpcLimits limits) {
    RpcServer server = start(backend, listen, limits);
    server.subscription = bus.subscribe(e -> server.publishCommitted(e.height()));
    return server;
  }

  /** The bound host:port. */
  public String address() {
    return address;
  }

  /**
   * Announces a committed block whose results are stored: websocket subscribers get its NewBlock,
   * NewBlockHeader and Tx events. Returns at once; the events are sent on a thread of their own.
   */
  void publishCommitted(long height) {
    events.publishCommitted(height);
  }

  /** The connection limits' bookkeeping (tests). */
  RpcPipeline pipeline() {
    return context.getBean(RpcPipeline.class);
  }

  /** The websocket endpoint (tests). */
  RpcWebSocket webSocket() {
    return context.getBean(RpcWebSocket.class);
  }

  /** Clients holding at least one subscription (tests). */
  int subscriberCount() {
    return events.clientCount();
  }

  @Override
  public void close() {
    AutoCloseable s = subscription;
    if (s != null) {
      try {
        s.close();
      } catch (Exception e) {
        LOG.warn("rpc event subscription close failed error={}", e.toString());
      }
    }
    events.close();
    if (context.isRunning()) {
      context.close();
      LOG.info("rpc server stopped address={}", address);
    }
    asyncBroadcasts.shutdownNow();
    socketRequests.shutdownNow();
  }

  /** host:port, also accepting CometBFT's {@code tcp://} prefix and a bracketed IPv6 host. */
  record ListenAddress(String host, int port) {
    static ListenAddress parse(String listen) {
      if (listen == null || listen.isBlank()) {
        throw new IllegalArgumentException("rpc listen address is empty");
      }
      String text = listen.strip();
      if (text.startsWith("tcp://")) {
        text = text.substring("tcp://".length());
      }
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new IllegalArgumentException("rpc listen address must be host:port, got " + listen);
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(text.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("rpc listen port is not a number: " + listen, e);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("rpc listen port out of range: " + listen);
      }
      return new ListenAddress(host, port);
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
