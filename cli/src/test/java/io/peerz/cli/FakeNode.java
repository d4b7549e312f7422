package io.peerz.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a node's JSON-RPC on 127.0.0.1 answering in CometBFT's shapes: status, abci_query
 * (/params, /account/..), broadcast_tx_sync and tx. Each broadcast tx is included at once with the
 * configured result.
 */
final class FakeNode implements AutoCloseable {
  final HttpServer server;
  final List<byte[]> broadcast = new CopyOnWriteArrayList<>();
  volatile int checkCode;
  volatile int deliverCode;
  volatile String deliverLog = "";
  volatile boolean indexing = true;
  volatile String accountJson = "{\"address\":\"x\",\"balance\":\"10\",\"nonce\":\"3\"}";

  /** Further abci_query answers: path to JSON value. */
  final Map<String, String> queries = new java.util.concurrent.ConcurrentHashMap<>();

  /** How many times each abci_query path was asked, so a test can change an answer after one. */
  final Map<String, java.util.concurrent.atomic.AtomicInteger> asked =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** block answers: height to the result's JSON. */
  final Map<String, String> blocks = new java.util.concurrent.ConcurrentHashMap<>();

  FakeNode() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestURI().getPath().substring(1);
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    String result;
    switch (method) {
      case "status" -> result = "{\"node_info\":{\"network\":\"peerz-test\"}}";
      case "abci_query" -> {
        String path = q.getOrDefault("path", "").replace("\"", "");
        asked
            .computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger())
            .incrementAndGet();
        if (path.equals("/params")) {
          result = answer(0, "", "{\"min_fee\":\"7\",\"epoch_length\":\"5\"}");
        } else if (path.startsWith("/account/")) {
          result =
              accountJson == null
                  ? answer(4, "account not found", null)
                  : answer(0, "", accountJson);
        } else if (path.startsWith("/validator/")) {
          result =
              answer(0, "", "{\"address\":\"" + path.substring("/validator/".length()) + "\"}");
        } else if (queries.containsKey(path)) {
          result = answer(0, "", queries.get(path));
        } else if (path.startsWith("/subnet/")) {
          result = answer(0, "", "{\"id\":\"1\",\"name\":\"demo\"}");
        } else {
          result = answer(6, "unknown query path " + path, null);
        }
      }
      case "broadcast_tx_sync" -> {
        byte[] tx = Hex.decode(q.get("tx"));
        broadcast.add(tx);
        String hash = Hex.encodeUpper(Transactions.hash(tx));
        result =
            checkCode == 0
                ? "{\"code\":0,\"data\":\"\",\"log\":\"\",\"codespace\":\"\",\"hash\":\""
                    + hash
                    + "\"}"
                : "{\"code\":"
                    + checkCode
                    + ",\"log\":\"invalid nonce: expected 3, got 9\",\"codespace\":\"sdk\",\"hash\":\""
                    + hash
                    + "\"}";
      }
      case "block" -> {
        String height = q.getOrDefault("height", "").replace("\"", "");
        if (!blocks.containsKey(height)) {
          reply(
              ex,
              "{\"jsonrpc\":\"2.0\",\"id\":-1,\"error\":{\"code\":-32603,\"message\":"
                  + "\"Internal error\",\"data\":\"height "
                  + height
                  + " is not available\"}}");
          return;
        }
        result = blocks.get(height);
      }
      case "tx" -> {
        if (!indexing) {
          reply(
              ex,
              "{\"jsonrpc\":\"2.0\",\"id\":-1,\"error\":{\"code\":-32603,\"message\":"
                  + "\"Internal error\",\"data\":\"transaction indexing is disabled\"}}");
          return;
        }
        String hash = Hex.encodeUpper(Hex.decode(q.get("hash")));
        result =
            "{\"hash\":\""
                + hash
                + "\",\"height\":\"12\",\"index\":0,\"tx_result\":{\"code\":"
                + deliverCode
                + ",\"log\":\""
                + deliverLog
                + "\",\"codespace\":\""
                + (deliverCode == 0 ? "" : "subnet")
                + "\",\"events\":[{\"type\":\"subnet_registered\",\"attributes\":[{\"key\":\"subnet_id\",\"value\":\"1\",\"index\":true}]}]}}";
      }
      default -> {
        reply(
            ex,
            "{\"jsonrpc\":\"2.0\",\"id\":-1,\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
        return;
      }
    }
    reply(ex, "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":" + result + "}");
  }

  private static String answer(int code, String log, String json) {
    String value =
        json == null
            ? ""
            : Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    return "{\"response\":{\"code\":"
        + code
        + ",\"log\":\""
        + log
        + "\",\"value\":\""
        + value
        + "\",\"height\":\"12\",\"codespace\":\"\"}}";
  }

  static void reply(HttpExchange ex, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  /** The decoded parameters of a URI query string. */
  static Map<String, String> query(String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw == null) {
      return m;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      m.put(
          URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
