package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.ledger.Hex;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A client of CometBFT's JSON-RPC in its URI form ({@code GET /abci_query?path="/account/0x.."}),
 * which both a peerz node and a CometBFT node serve.
 */
final class RpcClient {
  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  RpcClient(URI base, Duration timeout) {
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b : b + "/");
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The node's answer to an ABCI query: code, codespace, log, value and height. */
  record QueryAnswer(int code, String codespace, String log, byte[] value, long height) {
    boolean ok() {
      return code == 0;
    }
  }

  /** CheckTx's verdict on a broadcast tx. */
  record Broadcast(int code, String codespace, String log, String hash) {}

  String endpoint() {
    return base.toString();
  }

  JsonNode status() {
    return call("status", Map.of());
  }

  QueryAnswer abciQuery(String path) {
    JsonNode r = call("abci_query", Map.of("path", quoted(path))).path("response");
    String value = r.path("value").asText("");
    return new QueryAnswer(
        r.path("code").asInt(0),
        r.path("codespace").asText(""),
        r.path("log").asText(""),
        value.isEmpty() ? new byte[0] : Base64.getDecoder().decode(value),
        r.path("height").asLong(0));
  }

  Broadcast broadcastTxSync(byte[] tx) {
    // Beyond a few KiB the URI form would pass HTTP's request-line limit (a reveal is ~70 KiB):
    // those go as a JSON-RPC 2.0 POST with the tx in base64.
    JsonNode r =
        tx.length <= URI_TX_LIMIT
            ? call("broadcast_tx_sync", Map.of("tx", "0x" + Hex.encode(tx)))
            : post("broadcast_tx_sync", "tx", Base64.getEncoder().encodeToString(tx));
    return new Broadcast(
        r.path("code").asInt(0),
        r.path("codespace").asText(""),
        r.path("log").asText(""),
        r.path("hash").asText(""));
  }

  /** The committed tx with this hash, or empty while it is not (yet) in a block. */
  Optional<JsonNode> tx(byte[] hash) {
    try {
      return Optional.of(call("tx", Map.of("hash", "0x" + Hex.encode(hash))));
    } catch (RpcException e) {
      if (e.rpcError() && e.getMessage().toLowerCase().contains("not found")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  JsonNode block(Long height) {
    return call("block", height == null ? Map.of() : Map.of("height", height.toString()));
  }

  /** Largest tx sent in the URI form (its hex must fit a 4 KiB request line). */
  static final int URI_TX_LIMIT = 1500;

  /** {@code method} as a JSON-RPC 2.0 POST with one string parameter. */
  JsonNode post(String method, String param, String value) {
    com.fasterxml.jackson.databind.node.ObjectNode req = Json.MAPPER.createObjectNode();
    req.put("jsonrpc", "2.0").put("id", 1).put("method", method);
    req.putObject("params").put(param, value);
    HttpRequest http =
        HttpRequest.newBuilder(base)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.compact(req)))
            .build();
    return send(http, method);
  }

  /** Calls {@code method} and returns its {@code result}; a JSON-RPC error is an RpcException. */
  JsonNode call(String method, Map<String, String> params) {
    StringBuilder uri = new StringBuilder(base.toString()).append(method);
    char sep = '?';
    for (Map.Entry<String, String> p : new LinkedHashMap<>(params).entrySet()) {
      uri.append(sep)
          .append(p.getKey())
          .append('=')
          .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(uri.toString())).timeout(timeout).GET().build();
    return send(req, method);
  }

  private JsonNode send(HttpRequest req, String method) {
    HttpResponse<byte[]> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (ConnectException e) {
      throw new RpcException(
          "cannot reach the node at " + base + " (is 'peerz start' running?)", false);
    } catch (HttpTimeoutException e) {
      throw new RpcException(
          "the node at " + base + " did not answer " + method + " in " + timeout.toSeconds() + "s",
          false);
    } catch (IOException e) {
      throw new RpcException("cannot talk to the node at " + base + ": " + e, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException("interrupted", false);
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(resp.body());
    } catch (IOException e) {
      throw new RpcException(
          method
              + ": the node answered HTTP "
              + resp.statusCode()
              + " with a body that is not JSON",
          false);
    }
    if (body == null) {
      throw new RpcException(method + ": empty answer (HTTP " + resp.statusCode() + ")", false);
    }
    JsonNode error = body.get("error");
    if (error != null && !error.isNull()) {
      String data = error.path("data").asText("");
      throw new RpcException(
          method
              + ": "
              + error.path("message").asText("error")
              + (data.isEmpty() ? "" : ": " + data),
          true);
    }
    JsonNode result = body.get("result");
    if (result == null) {
      throw new RpcException(
          method + ": the answer has no result (HTTP " + resp.statusCode() + ")", false);
    }
    return result;
  }

  private static String quoted(String s) {
    return "\"" + s + "\"";
  }

  /** A node that cannot be reached, or a JSON-RPC error answer. */
  static final class RpcException extends CliException {
    private final boolean rpcError;

    RpcException(String message, boolean rpcError) {
      super(message);
      this.rpcError = rpcError;
    }

    boolean rpcError() {
      return rpcError;
    }
  }
}
