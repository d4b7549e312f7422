package io.peerz.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets (Jazzer) for the JSON-RPC parameter parsers, in both forms, behind every method:
 * whatever a client sends, the answer is a JSON-RPC response (a result or an error with a code),
 * never an exception or an internal error that leaks one. Corpus: src/test/resources/io/peerz/rpc/
 * RpcFuzzTestInputs; docs/fuzzing.md says how to run them longer.
 */
public class RpcFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> METHODS =
      new RpcMethods(new FakeBackend(), () -> "127.0.0.1:0", Runnable::run, Duration.ZERO).names();

  /** A fresh backend and method table per input: one input's txs must not reach the next. */
  private static JsonRpc rpc() {
    return new JsonRpc(
        new RpcMethods(
            new FakeBackend(), () -> "127.0.0.1:0", Runnable::run, Duration.ofMillis(1)));
  }

  private static void assertJsonRpc(JsonRpc.Reply reply) throws Exception {
    assertThat(reply.status()).isIn(200, 404, 500);
    if (reply.json().length == 0) {
      return;
    }
    JsonNode body = JSON.readTree(reply.json());
    for (JsonNode response : body.isArray() ? body : List.of(body)) {
      assertThat(response.get("jsonrpc").asText()).isEqualTo("2.0");
      assertThat(response.has("result") ^ response.has("error")).as("%s", response).isTrue();
      if (response.has("error")) {
        assertThat(response.get("error").get("code").asInt()).isBetween(-32700, -32600);
        assertThat(response.toString()).doesNotContain("Exception").doesNotContain("at io.");
      }
    }
  }

  /** A POST body: any bytes, with the methods' names and params' shapes there to be found. */
  @FuzzTest
  public void anyPostBodyGetsAJsonRpcAnswer(FuzzedDataProvider data) throws Exception {
    String body;
    if (data.consumeBoolean()) {
      String params = data.consumeString(300);
      body =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\""
              + data.pickValue(METHODS)
              + "\",\"params\":"
              + params
              + "}";
    } else {
      body = data.consumeRemainingAsString();
    }
    assertJsonRpc(rpc().post(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** A URI request: a method and any arguments, under the names the methods take. */
  @FuzzTest
  public void anyUriArgumentsGetAJsonRpcAnswer(FuzzedDataProvider data) throws Exception {
    String method = data.pickValue(METHODS);
    Map<String, String> args = new LinkedHashMap<>();
    int n = data.consumeInt(0, 5);
    for (int i = 0; i < n; i++) {
      String name =
          data.consumeBoolean()
              ? data.pickValue(
                  List.of(
                      "height",
                      "tx",
                      "hash",
                      "path",
                      "data",
                      "prove",
                      "query",
                      "page",
                      "per_page",
                      "order_by",
                      "limit",
                      "minHeight",
                      "maxHeight"))
              : data.consumeString(10);
      args.put(name, data.consumeString(200));
    }
    assertJsonRpc(rpc().uri(method, args));
  }
}
