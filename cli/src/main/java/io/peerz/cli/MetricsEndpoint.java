package io.peerz.cli;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Prometheus endpoint of a {@code peerz start} or {@code peerz server} process: {@code GET
 * /metrics} in Prometheus's text format (Prometheus's Java client and the JDK's HTTP server) over a
 * registry of this process's own, which also holds the JVM's metrics. Bound before anything else
 * starts, so a taken port stops the process before it opens its data.
 */
final class MetricsEndpoint implements AutoCloseable {
  private final HTTPServer server;
  private final ExecutorService threads;
  private final PrometheusRegistry registry;
  private final String address;

  private MetricsEndpoint(
      HTTPServer server, ExecutorService threads, PrometheusRegistry registry, String address) {
    this.server = server;
    this.threads = threads;
    this.registry = registry;
    this.address = address;
  }

  /**
   * Listens on {@code listen}: {@code host:port}, {@code :port} for every interface (CometBFT's
   * {@code prometheus_listen_addr = ":26660"}), or either with {@code tcp://}; port 0 picks a free
   * one. {@code setting} names the flag or key in errors. Throws CliException when the address is
   * malformed or cannot be bound.
   */
  static MetricsEndpoint start(String listen, String setting) {
    String text = listen == null ? "" : listen.strip();
    if (text.startsWith("tcp://")) {
      text = text.substring("tcp://".length());
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0 || colon == text.length() - 1) {
      throw new CliException(
          setting + ": expected host:port or :port (e.g. :26660), got '" + listen + "'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new CliException(setting + ": bad port in '" + listen + "'");
    }
    InetAddress bindTo;
    try {
      bindTo = host.isEmpty() ? new InetSocketAddress(0).getAddress() : InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new CliException(setting + ": unknown host '" + host + "' in '" + listen + "'");
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    // Daemon threads: a scrape in flight never keeps a stopping process alive.
    ExecutorService threads =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            });
    try {
      HTTPServer server =
          HTTPServer.builder()
              .inetAddress(bindTo)
              .port(port)
              .registry(registry)
              .executorService(threads)
              .buildAndStart();
      String bound = host + ":" + server.getPort();
      return new MetricsEndpoint(server, threads, registry, bound);
    } catch (IOException e) {
      threads.shutdownNow();
      String why =
          e instanceof BindException
              ? "the address is in use (another node or process serves metrics there): choose"
                  + " another port"
              : e.toString();
      throw new CliException(setting + ": cannot listen on " + listen + ": " + why);
    }
  }

  /** The registry whose metrics this endpoint serves. */
  PrometheusRegistry registry() {
    return registry;
  }

  /** The bound address, {@code host:port} or {@code :port} for every interface. */
  String address() {
    return address;
  }

  /** The port it listens on. */
  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
    threads.shutdownNow();
  }
}
