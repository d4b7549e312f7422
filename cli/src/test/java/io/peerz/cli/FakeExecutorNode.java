package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's JSON-RPC as an executor sees it: status (height), /params, /account, the executor's open
 * jobs (set by the test), broadcast_tx_sync in both forms (URI hex, JSON-RPC POST base64), and tx,
 * which finds every broadcast tx included at once.
 */
final class FakeExecutorNode implements AutoCloseable {
  final HttpServer server;
  final List<byte[]> broadcast = new CopyOnWriteArrayList<>();
  volatile String jobsJson = "{\"jobs\":[]}";
  volatile long height = 10;

  FakeExecutorNode() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestURI().getPath().substring(1);
    Map<String, String> q = FakeNode.query(ex.getRequestURI().getRawQuery());
    if (ex.getRequestMethod().equals("POST")) {
      JsonNode req = Json.parse(ex.getRequestBody().readAllBytes(), "request");
      method = req.path("method").asText();
      q.put(
          "tx",
          "0x" + Hex.encode(Base64.getDecoder().decode(req.path("params").path("tx").asText())));
    }
    String result;
    switch (method) {
      case "status" ->
          result =
              "{\"node_info\":{\"network\":\"peerz-test\"},\"sync_info\":{\"latest_block_height\":\""
                  + height
                  + "\"}}";
      case "abci_query" -> {
        String path = q.getOrDefault("path", "").replace("\"", "");
        if (path.equals("/params")) {
          result = answer(0, "{\"min_fee\":\"1\"}");
        } else if (path.startsWith("/account/")) {
          result = answer(0, "{\"nonce\":\"" + broadcast.size() + "\"}");
        } else if (path.startsWith("/executor/") && path.endsWith("/jobs")) {
          result = answer(0, jobsJson);
        } else {
          result = answer(0, "{\"status\":\"verified\",\"payment\":\"5\",\"attempts\":[]}");
        }
      }
      case "broadcast_tx_sync" -> {
        byte[] tx = Hex.decode(q.get("tx"));
        broadcast.add(tx);
        result =
            "{\"code\":0,\"log\":\"\",\"codespace\":\"\",\"hash\":\""
                + Hex.encodeUpper(Transactions.hash(tx))
                + "\"}";
      }
      case "tx" ->
          result = "{\"height\":\"" + height + "\",\"tx_result\":{\"code\":0,\"events\":[]}}";
      default -> {
        FakeNode.reply(
            ex, "{\"jsonrpc\":\"2.0\",\"id\":-1,\"error\":{\"code\":-32601,\"message\":\"no\"}}");
        return;
      }
    }
    FakeNode.reply(ex, "{\"jsonrpc\":\"2.0\",\"id\":-1,\"result\":" + result + "}");
  }

  private static String answer(int code, String json) {
    return "{\"response\":{\"code\":"
        + code
        + ",\"log\":\"\",\"value\":\""
        + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))
        + "\",\"height\":\"10\",\"codespace\":\"\"}}";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
