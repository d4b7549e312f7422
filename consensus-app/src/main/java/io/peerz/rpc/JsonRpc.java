package io.peerz.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC 2.0 envelope around {@link RpcMethods}: requests from a POST body (single or batch)
 * or a URI GET, responses with {@code result} or {@code error}. Nothing thrown by a method reaches
 * the client other than as a JSON-RPC error.
 */
final class JsonRpc {
  private static final Logger LOG = LoggerFactory.getLogger(JsonRpc.class);

  // CometBFT answers URI requests with this id.
  private static final JsonNode URI_ID = IntNode.valueOf(-1);

  private static final Set<String> TX_METHODS =
      Set.of("broadcast_tx_async", "broadcast_tx_sync", "broadcast_tx_commit", "check_tx");
  private static final List<String> TX_ARGS = List.of("tx");

  /** An HTTP answer: its status and JSON body as UTF-8 (empty: no body). */
  record Reply(int status, byte[] json) {
    String text() {
      return new String(json, StandardCharsets.UTF_8);
    }
  }

  private static final byte[] NO_BODY = new byte[0];

  private final RpcMethods methods;
  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  JsonRpc(RpcMethods methods) {
    this.methods = methods;
  }

  /** A URI request: {@code /<method>?arg=value}. Errors answer HTTP 500 as CometBFT does. */
  Reply uri(String method, Map<String, String> args) {
    Optional<RpcMethods.Method> found = methods.find(method);
    if (found.isEmpty()) {
      return new Reply(404, bytes(error(URI_ID, RpcException.methodNotFound())));
    }
    ObjectNode response = call(URI_ID, method, found.get(), RpcParams.ofUri(args));
    return new Reply(response.has("error") ? 500 : 200, bytes(response));
  }

  /** A POST body: one request object or a batch array. */
  Reply post(byte[] body) {
    JsonNode request;
    try {
      if (body == null || body.length == 0) {
        throw RpcException.parseError("error unmarshaling request: empty body");
      }
      request = mapper.readTree(body);
      if (request == null || request.isMissingNode()) {
        throw RpcException.parseError("error unmarshaling request: empty body");
      }
    } catch (IOException e) {
      return new Reply(
          500,
          bytes(
              error(
                  NullNode.getInstance(),
                  RpcException.parseError("error unmarshaling request: " + firstLine(e)))));
    } catch (RpcException e) {
      return new Reply(500, bytes(error(NullNode.getInstance(), e)));
    }
    if (request.isArray()) {
      if (request.isEmpty()) {
        return new Reply(
            200, bytes(error(NullNode.getInstance(), RpcException.invalidRequest("empty batch"))));
      }
      preverifySignatures(request);
      ArrayNode responses = mapper.createArrayNode();
      for (JsonNode element : request) {
        ObjectNode response = single(element);
        if (response != null) {
          responses.add(response);
        }
      }
      return new Reply(200, responses.isEmpty() ? NO_BODY : bytes(responses));
    }
    ObjectNode response = single(request);
    return new Reply(200, response == null ? NO_BODY : bytes(response));
  }

  /**
   * A batch's txs, handed to the backend together before the requests run one by one (it verifies
   * their signatures at once). A request whose tx does not parse is left to report that itself.
   */
  private void preverifySignatures(JsonNode batch) {
    List<byte[]> txs = new ArrayList<>();
    for (JsonNode element : batch) {
      if (TX_METHODS.contains(element.path("method").asText(""))) {
        try {
          byte[] tx =
              RpcParams.ofJson(element.get("params"), TX_ARGS)
                  .bytes("tx", RpcParams.BytesForm.BASE64);
          if (tx != null) {
            txs.add(tx);
          }
        } catch (RpcException e) {
          // answered by the request itself
        }
      }
    }
    if (txs.size() > 1) {
      methods.prepareTxs(txs);
    }
  }

  /** Answer to an HTTP-level failure (no route, wrong verb), as a JSON-RPC error. */
  Reply failure(int status, RpcException error) {
    return new Reply(status, bytes(error(URI_ID, error)));
  }

  /** Answer to a request refused before it was read (over a limit): no id to answer with. */
  Reply refusal(int status, RpcException error) {
    return new Reply(status, bytes(error(NullNode.getInstance(), error)));
  }

  /**
   * The response, as JSON text, to request {@code id} answered by {@code call}: its result, or the
   * error it threw.
   */
  String answer(JsonNode id, Supplier<JsonNode> call) {
    try {
      ObjectNode response = envelope(id);
      response.set("result", call.get());
      return write(response);
    } catch (RpcException e) {
      return write(error(id, e));
    }
  }

  /** One request object; null for a notification (no id), which gets no answer. */
  private ObjectNode single(JsonNode request) {
    if (!request.isObject()) {
      return error(
          NullNode.getInstance(), RpcException.invalidRequest("request must be a JSON object"));
    }
    JsonNode id = request.get("id");
    JsonNode methodNode = request.get("method");
    if (methodNode == null || !methodNode.isTextual()) {
      // Not a notification either: a request without a method is answered, id or not.
      return error(
          id == null || !(id.isNull() || id.isTextual() || id.isNumber())
              ? NullNode.getInstance()
              : id,
          RpcException.invalidRequest("method must be a string"));
    }
    if (id == null) {
      // CometBFT neither runs nor answers notifications.
      LOG.debug("rpc notification skipped method={}", methodNode.textValue());
      return null;
    }
    if (!(id.isNull() || id.isTextual() || id.isNumber())) {
      return error(
          NullNode.getInstance(),
          RpcException.invalidRequest("id must be a string, a number or null"));
    }
    JsonNode version = request.get("jsonrpc");
    if (version != null && !"2.0".equals(version.asText(null))) {
      return error(id, RpcException.invalidRequest("jsonrpc must be \"2.0\", got " + version));
    }
    String method = methodNode.textValue();
    Optional<RpcMethods.Method> found = methods.find(method);
    if (found.isEmpty()) {
      return error(id, RpcException.methodNotFound());
    }
    RpcParams params;
    try {
      params = RpcParams.ofJson(request.get("params"), found.get().args());
    } catch (RpcException e) {
      return error(id, e);
    }
    return call(id, method, found.get(), params);
  }

  private ObjectNode call(JsonNode id, String name, RpcMethods.Method method, RpcParams params) {
    try {
      JsonNode result = method.call().apply(params);
      ObjectNode response = envelope(id);
      response.set("result", result);
      return response;
    } catch (RpcException e) {
      LOG.debug("rpc error method={} code={} data={}", name, e.code(), e.data());
      return error(id, e);
    } catch (RuntimeException e) {
      LOG.warn("rpc method failed method={} error={}", name, e.toString());
      LOG.debug("rpc method failure trace method={}", name, e);
      String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return error(id, RpcException.internal(what));
    }
  }

  private ObjectNode envelope(JsonNode id) {
    ObjectNode response = mapper.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id);
    return response;
  }

  private ObjectNode error(JsonNode id, RpcException e) {
    ObjectNode response = envelope(id);
    ObjectNode error = response.putObject("error");
    error.put("code", e.code());
    error.put("message", e.standardMessage());
    if (e.data() != null) {
      error.put("data", e.data());
    }
    return response;
  }

  /** As UTF-8 bytes straight from Jackson: a String first costs another pass to encode it. */
  private byte[] bytes(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // Trees built here always serialize; this would be a bug in this class.
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static String firstLine(IOException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
