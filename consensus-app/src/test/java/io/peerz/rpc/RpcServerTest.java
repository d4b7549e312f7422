package io.peerz.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RpcServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private FakeBackend backend;
  private RpcServer server;

  /** An HTTP answer: status and parsed body (null when empty). */
  record Answer(int status, JsonNode body) {
    JsonNode result() {
      return body.get("result");
    }

    JsonNode error() {
      return body.get("error");
    }
  }

  @BeforeAll
  void start() {
    backend = new FakeBackend();
    server = RpcServer.start(backend, "127.0.0.1:0");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  Answer get(String pathAndQuery) throws Exception {
    return get(server, pathAndQuery);
  }

  Answer get(RpcServer target, String pathAndQuery) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + target.address() + escape(pathAndQuery)))
            .GET()
            .build();
    return send(request);
  }

  /** Percent-encodes what a URI may not hold literally, as curl users write it. */
  static String escape(String pathAndQuery) {
    return pathAndQuery
        .replace("\"", "%22")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace(" ", "%20")
        .replace("'", "%27");
  }

  Answer post(String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + server.address() + "/"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return send(request);
  }

  Answer call(String method, String params) throws Exception {
    return post(
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\",\"params\":" + params + "}");
  }

  private Answer send(HttpRequest request) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    String body = response.body();
    return new Answer(response.statusCode(), body.isEmpty() ? null : JSON.readTree(body));
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().withUpperCase().formatHex(bytes);
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String txHash(String tx) {
    return hex(InMemoryBlockStore.sha256(tx.getBytes(StandardCharsets.UTF_8)));
  }

  // ---- both forms

  static Stream<Arguments> readMethods() {
    String alphaHash = txHash("alpha");
    String block2Hash = hex(InMemoryBlockStore.blockHashOf(new FakeBackend().store.block(2).get()));
    return Stream.of(
        Arguments.of("health", "", "{}"),
        Arguments.of("status", "", "{}"),
        Arguments.of("abci_info", "", "{}"),
        Arguments.of(
            "abci_query",
            "path=\"/account\"&data=0x6b6579&prove=true",
            "{\"path\":\"/account\",\"data\":\"6b6579\",\"prove\":true}"),
        Arguments.of("check_tx", "tx=0x6f6b", "{\"tx\":\"" + b64("ok") + "\"}"),
        Arguments.of("block", "height=2", "{\"height\":\"2\"}"),
        Arguments.of("block_by_hash", "hash=0x" + block2Hash, "{\"hash\":\"" + block2Hash + "\"}"),
        Arguments.of("block_results", "height=1", "{\"height\":1}"),
        Arguments.of(
            "blockchain", "minHeight=1&maxHeight=3", "{\"minHeight\":\"1\",\"maxHeight\":\"3\"}"),
        Arguments.of("commit", "height=2", "{\"height\":\"2\"}"),
        Arguments.of("header", "height=3", "[\"3\"]"),
        Arguments.of("header_by_hash", "hash=0x" + block2Hash, "{\"hash\":\"" + block2Hash + "\"}"),
        Arguments.of(
            "tx",
            "hash=0x" + alphaHash + "&prove=true",
            "{\"hash\":\""
                + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(alphaHash))
                + "\",\"prove\":true}"),
        Arguments.of(
            "tx_search",
            "query=\"tx.height=1\"&per_page=1&page=2",
            "{\"query\":\"tx.height=1\",\"per_page\":\"1\",\"page\":\"2\"}"),
        Arguments.of(
            "validators",
            "height=2&page=1&per_page=1",
            "{\"height\":\"2\",\"page\":1,\"per_page\":1}"),
        Arguments.of("genesis", "", "{}"),
        Arguments.of("num_unconfirmed_txs", "", "{}"),
        Arguments.of("unconfirmed_txs", "limit=5", "{\"limit\":\"5\"}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readMethods")
  void everyReadMethodAnswersTheSameResultInUriAndJsonRpcForms(
      String method, String query, String params) throws Exception {
    Answer uri = get("/" + method + (query.isEmpty() ? "" : "?" + query));
    Answer rpc = call(method, params);

    assertThat(uri.status()).as(uri.body().toString()).isEqualTo(200);
    assertThat(uri.body().get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(uri.body().get("id").asInt()).isEqualTo(-1);
    assertThat(uri.result()).as(uri.body().toString()).isNotNull();
    assertThat(rpc.status()).isEqualTo(200);
    assertThat(rpc.body().get("id").asInt()).isEqualTo(7);
    assertThat(rpc.result()).as(rpc.body().toString()).isEqualTo(uri.result());
  }

  @Test
  void acceptsRawQuotesInTheQueryAsCurlSendsThem() throws Exception {
    String[] hostPort = server.address().split(":");
    try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      socket
          .getOutputStream()
          .write(
              ("GET /abci_query?path=\"/account\"&data=0x616c696365 HTTP/1.1\r\n"
                      + "Host: localhost\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 200");
      JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(body.at("/result/response/value").asText()).isEqualTo(b64("balance-of-alice"));
    }
  }

  @Test
  void serverBindsAnEphemeralPortAndReportsIt() {
    assertThat(server.address()).matches("127\\.0\\.0\\.1:[1-9][0-9]*");
  }

  // ---- shapes

  @Test
  void statusReportsNodeInfoSyncInfoAndValidatorInfoAsCometBft() throws Exception {
    JsonNode result = get("/status").result();
    JsonNode node = result.get("node_info");
    assertThat(node.get("version").asText()).isEqualTo("0.38.17");
    assertThat(node.get("network").asText()).isEqualTo(FakeBackend.CHAIN_ID);
    assertThat(node.get("protocol_version").get("block").asText()).isEqualTo("11");
    assertThat(node.get("protocol_version").get("app").asText()).isEqualTo("1");
    assertThat(node.get("other").get("rpc_address").asText())
        .isEqualTo("tcp://" + server.address());
    JsonNode sync = result.get("sync_info");
    assertThat(sync.get("latest_block_height").isTextual()).isTrue();
    assertThat(sync.get("latest_block_height").asText()).isEqualTo("3");
    assertThat(sync.get("latest_block_hash").asText()).matches("[0-9A-F]{64}");
    assertThat(sync.get("latest_app_hash").asText()).isEqualTo(hex(FakeBackend.APP_HASH));
    assertThat(sync.get("latest_block_time").asText()).isEqualTo("2023-11-14T22:13:23.123Z");
    assertThat(sync.get("catching_up").asBoolean()).isFalse();
    JsonNode validator = result.get("validator_info");
    assertThat(validator.get("pub_key").get("type").asText()).isEqualTo("tendermint/PubKeyEd25519");
    assertThat(validator.get("pub_key").get("value").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(FakeBackend.filled(32, 1)));
    assertThat(validator.get("voting_power").asText()).isEqualTo("10");
  }

  @Test
  void healthAnswersAnEmptyObject() throws Exception {
    assertThat(get("/health").result().size()).isZero();
  }

  @Test
  void blockIsWrittenInCometBftShape() throws Exception {
    JsonNode result = get("/block?height=1").result();
    JsonNode blockId = result.get("block_id");
    assertThat(blockId.get("hash").asText())
        .isEqualTo(hex(InMemoryBlockStore.blockHashOf(backend.store.block(1).get())));
    assertThat(blockId.get("parts").get("total").isInt()).isTrue();
    assertThat(blockId.get("parts").get("total").asInt()).isEqualTo(1);
    assertThat(blockId.get("parts").get("hash").asText()).matches("[0-9A-F]{64}");
    JsonNode header = result.get("block").get("header");
    assertThat(header.get("height").asText()).isEqualTo("1");
    assertThat(header.get("chain_id").asText()).isEqualTo(FakeBackend.CHAIN_ID);
    assertThat(header.get("version").get("block").asText()).isEqualTo("11");
    assertThat(header.get("time").asText()).isEqualTo("2023-11-14T22:13:21.000005Z");
    assertThat(header.get("app_hash").asText()).isEqualTo(hex(FakeBackend.APP_HASH));
    assertThat(header.get("last_block_id").get("hash").asText()).isEmpty();
    JsonNode txs = result.get("block").get("data").get("txs");
    assertThat(txs).hasSize(2);
    assertThat(txs.get(0).asText()).isEqualTo(b64("alpha"));
    assertThat(result.get("block").get("evidence").get("evidence").isArray()).isTrue();
    assertThat(result.get("block").get("last_commit").get("height").asText()).isEqualTo("0");
  }

  @Test
  void blockWithoutHeightIsTheLatestAndItsLastCommitCarriesSignatures() throws Exception {
    JsonNode block = get("/block").result().get("block");
    assertThat(block.get("header").get("height").asText()).isEqualTo("3");
    JsonNode commit = block.get("last_commit");
    assertThat(commit.get("height").asText()).isEqualTo("2");
    assertThat(commit.get("round").isInt()).isTrue();
    JsonNode sig = commit.get("signatures").get(0);
    assertThat(sig.get("block_id_flag").asInt()).isEqualTo(2);
    assertThat(sig.get("validator_address").asText()).matches("[0-9A-F]{40}");
    assertThat(sig.get("signature").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(FakeBackend.filled(64, 0x5E)));
    assertThat(block.get("header").get("last_block_id").get("hash").asText())
        .isEqualTo(commit.get("block_id").get("hash").asText());
  }

  @Test
  void blockResultsCarryTxResultsEventsValidatorUpdatesAndAppHash() throws Exception {
    JsonNode result = get("/block_results?height=2").result();
    assertThat(result.get("height").asText()).isEqualTo("2");
    assertThat(result.get("txs_results")).isEmpty();
    assertThat(result.get("finalize_block_events").get(0).get("type").asText()).isEqualTo("epoch");
    JsonNode update = result.get("validator_updates").get(0);
    assertThat(update.get("power").asText()).isEqualTo("25");
    assertThat(update.get("pub_key").get("Sum").get("value").get("ed25519").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(FakeBackend.filled(32, 2)));
    assertThat(result.get("consensus_param_updates").isNull()).isTrue();
    assertThat(result.get("app_hash").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(FakeBackend.APP_HASH));

    JsonNode tx = get("/block_results?height=1").result().get("txs_results").get(0);
    assertThat(tx.get("code").asInt()).isZero();
    assertThat(tx.get("data").asText()).isEqualTo(b64("ok:alpha"));
    assertThat(tx.get("gas_wanted").asText()).isEqualTo("100");
    assertThat(tx.get("gas_used").asText()).isEqualTo("42");
    JsonNode attribute = tx.get("events").get(0).get("attributes").get(0);
    assertThat(attribute.get("key").asText()).isEqualTo("recipient");
    assertThat(attribute.get("value").asText()).isEqualTo("alpha");
    assertThat(attribute.get("index").asBoolean()).isTrue();
  }

  @Test
  void blockchainListsMetasNewestFirst() throws Exception {
    JsonNode result = get("/blockchain").result();
    assertThat(result.get("last_height").asText()).isEqualTo("3");
    JsonNode metas = result.get("block_metas");
    assertThat(metas).hasSize(3);
    assertThat(metas.get(0).get("header").get("height").asText()).isEqualTo("3");
    assertThat(metas.get(2).get("header").get("height").asText()).isEqualTo("1");
    assertThat(metas.get(2).get("num_txs").asText()).isEqualTo("2");
    assertThat(Long.parseLong(metas.get(2).get("block_size").asText())).isPositive();
  }

  @Test
  void commitBelowTheHeadIsCanonicalAndTheHeadsIsNot() throws Exception {
    JsonNode old = get("/commit?height=2").result();
    assertThat(old.get("canonical").asBoolean()).isTrue();
    assertThat(old.get("signed_header").get("header").get("height").asText()).isEqualTo("2");
    JsonNode commit = old.get("signed_header").get("commit");
    assertThat(commit.get("height").asText()).isEqualTo("2");
    assertThat(commit.get("signatures")).hasSize(2);
    assertThat(get("/commit").result().get("canonical").asBoolean()).isFalse();
  }

  @Test
  void validatorsArePagedWithCountAndTotal() throws Exception {
    JsonNode result = get("/validators?height=1&page=2&per_page=1").result();
    assertThat(result.get("block_height").asText()).isEqualTo("1");
    assertThat(result.get("count").asText()).isEqualTo("1");
    assertThat(result.get("total").asText()).isEqualTo("2");
    JsonNode v = result.get("validators").get(0);
    assertThat(v.get("address").asText())
        .isEqualTo(hex(backend.validatorSet.get(1).getAddress().toByteArray()));
    assertThat(v.get("pub_key").get("type").asText()).isEqualTo("tendermint/PubKeyEd25519");
    assertThat(v.get("voting_power").asText()).isEqualTo("20");
    assertThat(v.get("proposer_priority").asText()).isEqualTo("-2");
  }

  @Test
  void txIsFoundByHashWithItsResultAndNoProof() throws Exception {
    JsonNode result = get("/tx?hash=0x" + txHash("beta") + "&prove=true").result();
    assertThat(result.get("hash").asText()).isEqualTo(txHash("beta"));
    assertThat(result.get("height").asText()).isEqualTo("1");
    assertThat(result.get("index").asInt()).isEqualTo(1);
    assertThat(result.get("tx").asText()).isEqualTo(b64("beta"));
    assertThat(result.get("tx_result").get("data").asText()).isEqualTo(b64("ok:beta"));
    assertThat(result.has("proof")).isFalse();
  }

  @Test
  void aNodeThatIndexesNoTxsSaysSoToTxAndTxSearchAsCometBftDoes() throws Exception {
    backend.store.indexing = false;
    for (Answer a :
        List.of(
            get("/tx?hash=0x" + txHash("beta")),
            call("tx_search", "{\"query\":\"tx.height>=1\"}"))) {
      assertThat(a.error().get("code").asInt()).isEqualTo(-32603);
      assertThat(a.error().get("data").asText()).isEqualTo("transaction indexing is disabled");
    }
    backend.store.indexing = true;
    assertThat(get("/tx?hash=0x" + txHash("beta")).result().get("height").asText()).isEqualTo("1");
  }

  @Test
  void txSearchFiltersByEventOrdersAndPages() throws Exception {
    JsonNode all = get("/tx_search?query=\"tx.height>=1\"&order_by=\"desc\"").result();
    assertThat(all.get("total_count").asText()).isEqualTo("3");
    assertThat(all.get("txs").get(0).get("tx").asText()).isEqualTo(b64("gamma-3"));

    JsonNode byEvent = call("tx_search", "{\"query\":\"transfer.recipient='beta'\"}").result();
    assertThat(byEvent.get("total_count").asText()).isEqualTo("1");
    assertThat(byEvent.get("txs").get(0).get("hash").asText()).isEqualTo(txHash("beta"));

    JsonNode page2 =
        call("tx_search", "{\"query\":\"tx.height=1\",\"page\":2,\"per_page\":1}").result();
    assertThat(page2.get("txs")).hasSize(1);
    assertThat(page2.get("txs").get(0).get("tx").asText()).isEqualTo(b64("beta"));
  }

  @Test
  void genesisIsTheRawGenesisAsAnObject() throws Exception {
    JsonNode genesis = get("/genesis").result().get("genesis");
    assertThat(genesis.get("chain_id").asText()).isEqualTo(FakeBackend.CHAIN_ID);
    assertThat(genesis.get("app_state").get("accounts").isArray()).isTrue();
  }

  @Test
  void abciInfoAnswersTheApplicationsInfo() throws Exception {
    JsonNode response = get("/abci_info").result().get("response");
    assertThat(response.get("data").asText()).isEqualTo("peerz");
    assertThat(response.get("app_version").asText()).isEqualTo("1");
    assertThat(response.get("last_block_height").asText()).isEqualTo("3");
    assertThat(response.get("last_block_app_hash").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(FakeBackend.APP_HASH));
  }

  @Test
  void abciQueryWithProveReturnsTheProofAsAPeerzSmtProofOp() throws Exception {
    JsonNode response =
        get("/abci_query?path=\"/account\"&data=\"alice\"&height=3&prove=true")
            .result()
            .get("response");
    assertThat(backend.queries).contains("/account|alice|3|true");
    assertThat(response.get("code").asInt()).isZero();
    assertThat(response.get("key").asText()).isEqualTo(b64("alice"));
    assertThat(response.get("value").asText()).isEqualTo(b64("balance-of-alice"));
    assertThat(response.get("height").asText()).isEqualTo("3");
    JsonNode op = response.get("proofOps").get("ops").get(0);
    assertThat(op.get("type").asText()).isEqualTo("peerz:smt");
    assertThat(op.get("key").asText()).isEqualTo(b64("alice"));
    assertThat(op.get("data").asText())
        .isEqualTo(Base64.getEncoder().encodeToString(FakeBackend.PROOF));
  }

  @Test
  void abciQueryWithoutProveHasNoProofAndCarriesTheAppsErrorCode() throws Exception {
    JsonNode response = get("/abci_query?path=/nope&data=0x01").result().get("response");
    assertThat(response.get("code").asInt()).isEqualTo(6);
    assertThat(response.get("codespace").asText()).isEqualTo("peerz");
    assertThat(response.get("proofOps").isNull()).isTrue();
  }

  // ---- txs

  @Test
  void broadcastTxSyncAnswersCheckTxWithTheTxHash() throws Exception {
    JsonNode ok = get("/broadcast_tx_sync?tx=\"sync-ok\"").result();
    assertThat(ok.get("code").asInt()).isZero();
    assertThat(ok.get("hash").asText()).isEqualTo(txHash("sync-ok"));
    assertThat(backend.mempool).anyMatch(t -> new String(t).equals("sync-ok"));

    JsonNode bad = call("broadcast_tx_sync", "{\"tx\":\"" + b64("bad-sync") + "\"}").result();
    assertThat(bad.get("code").asInt()).isEqualTo(5);
    assertThat(bad.get("codespace").asText()).isEqualTo("peerz");
    assertThat(bad.get("log").asText()).isEqualTo("bad tx");
  }

  @Test
  void broadcastTxAsyncAnswersAtOnceAndTheTxReachesTheMempool() throws Exception {
    JsonNode result = call("broadcast_tx_async", "[\"" + b64("async-tx") + "\"]").result();
    assertThat(result.get("code").asInt()).isZero();
    assertThat(result.get("hash").asText()).isEqualTo(txHash("async-tx"));
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (backend.mempool.stream().noneMatch(t -> new String(t).equals("async-tx"))
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(backend.mempool).anyMatch(t -> new String(t).equals("async-tx"));
  }

  @Test
  void broadcastTxCommitAnswersCheckTxTxResultHashAndHeight() throws Exception {
    JsonNode result = get("/broadcast_tx_commit?tx=\"commit-me\"").result();
    assertThat(result.get("check_tx").get("code").asInt()).isZero();
    assertThat(result.get("tx_result").get("data").asText()).isEqualTo(b64("ok:commit-me"));
    assertThat(result.get("hash").asText()).isEqualTo(txHash("commit-me"));
    assertThat(result.get("height").asText()).isEqualTo("4");
  }

  @Test
  void broadcastTxCommitOfARejectedTxAnswersTheCheckFailureAtHeightZero() throws Exception {
    JsonNode result = get("/broadcast_tx_commit?tx=\"bad-commit\"").result();
    assertThat(result.get("check_tx").get("code").asInt()).isEqualTo(5);
    assertThat(result.get("height").asText()).isEqualTo("0");
  }

  @Test
  void broadcastTxCommitThatNeverCommitsTimesOutWithAnInternalError() throws Exception {
    try (RpcServer quick =
        RpcServer.start(backend, "127.0.0.1:0", java.time.Duration.ofMillis(200))) {
      Answer answer = get(quick, "/broadcast_tx_commit?tx=\"pending\"");
      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.error().get("code").asInt()).isEqualTo(-32603);
      assertThat(answer.error().get("data").asText()).contains("timed out");
    }
  }

  @Test
  void unconfirmedTxsListsTheMempoolUpToTheLimit() throws Exception {
    call("broadcast_tx_sync", "{\"tx\":\"" + b64("pool-1") + "\"}");
    call("broadcast_tx_sync", "{\"tx\":\"" + b64("pool-2") + "\"}");
    JsonNode result = get("/unconfirmed_txs?limit=1").result();
    assertThat(result.get("n_txs").asText()).isEqualTo("1");
    assertThat(Integer.parseInt(result.get("total").asText())).isGreaterThanOrEqualTo(2);
    assertThat(result.get("txs")).hasSize(1);
    JsonNode count = get("/num_unconfirmed_txs").result();
    assertThat(count.get("n_txs").asText()).isEqualTo(result.get("total").asText());
    assertThat(count.get("txs").isNull()).isTrue();
  }

  @Test
  void checkTxAnswersTheCheckResultFlat() throws Exception {
    JsonNode result = get("/check_tx?tx=\"bad-check\"").result();
    assertThat(result.get("code").asInt()).isEqualTo(5);
    assertThat(result.get("gas_wanted").asText()).isEqualTo("0");
    assertThat(result.get("events").isArray()).isTrue();
  }

  // ---- errors

  @Test
  void malformedJsonIsAParseError() throws Exception {
    Answer answer = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.error().get("code").asInt()).isEqualTo(-32700);
    assertThat(answer.error().get("message").asText()).isEqualTo("Parse error");
    assertThat(answer.body().get("id").isNull()).isTrue();
    assertThat(answer.body().toString()).doesNotContain("at io.").doesNotContain("Exception");
  }

  @Test
  void garbageBytesAndEmptyBodiesAreParseErrors() throws Exception {
    assertThat(post("\u0000\u00ff{{[").error().get("code").asInt()).isEqualTo(-32700);
    assertThat(post("").error().get("code").asInt()).isEqualTo(-32700);
    assertThat(post("{} trailing").error().get("code").asInt()).isEqualTo(-32700);
    assertThat(post("[".repeat(5000)).error().get("code").asInt()).isEqualTo(-32700);
  }

  @Test
  void requestsThatAreNotRequestObjectsAreInvalidRequests() throws Exception {
    assertThat(post("42").error().get("code").asInt()).isEqualTo(-32600);
    assertThat(post("[]").error().get("code").asInt()).isEqualTo(-32600);
    assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":1}").error().get("code").asInt())
        .isEqualTo(-32600);
    Answer wrongVersion = post("{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"health\"}");
    assertThat(wrongVersion.error().get("code").asInt()).isEqualTo(-32600);
    assertThat(wrongVersion.body().get("id").asText()).isEqualTo("a");
  }

  @Test
  void unknownMethodIsMethodNotFoundInBothForms() throws Exception {
    Answer rpc = call("no_such_method", "{}");
    assertThat(rpc.error().get("code").asInt()).isEqualTo(-32601);
    assertThat(rpc.error().get("message").asText()).isEqualTo("Method not found");
    assertThat(rpc.body().get("id").asInt()).isEqualTo(7);
    Answer uri = get("/no_such_method");
    assertThat(uri.status()).isEqualTo(404);
    assertThat(uri.error().get("code").asInt()).isEqualTo(-32601);
    assertThat(get("/deeper/path").error().get("code").asInt()).isEqualTo(-32601);
  }

  @Test
  void badParamsAreInvalidParamsWithDataSayingWhy() throws Exception {
    Answer uri = get("/block?height=abc");
    assertThat(uri.status()).isEqualTo(500);
    assertThat(uri.error().get("code").asInt()).isEqualTo(-32602);
    assertThat(uri.error().get("data").asText())
        .startsWith("error converting http params to arguments: height:");

    Answer rpc = call("block", "{\"height\":[1]}");
    assertThat(rpc.error().get("code").asInt()).isEqualTo(-32602);
    assertThat(rpc.error().get("data").asText())
        .startsWith("error converting json params to arguments: height:");

    assertThat(call("broadcast_tx_sync", "{\"tx\":\"%%%\"}").error().get("code").asInt())
        .isEqualTo(-32602);
    assertThat(call("tx", "{}").error().get("code").asInt()).isEqualTo(-32602);
    assertThat(call("status", "\"x\"").error().get("code").asInt()).isEqualTo(-32602);
    assertThat(call("tx_search", "{\"query\":\"tx.height===\"}").error().get("code").asInt())
        .isEqualTo(-32602);
    assertThat(get("/block_by_hash?hash=nothex").error().get("code").asInt()).isEqualTo(-32602);
  }

  @Test
  void heightAboveTheHeadIsAnInternalErrorNamingBothHeights() throws Exception {
    Answer answer = call("block", "{\"height\":\"99\"}");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.error().get("code").asInt()).isEqualTo(-32603);
    assertThat(answer.error().get("data").asText())
        .isEqualTo("height 99 must be less than or equal to the current blockchain height 3");
  }

  @Test
  void aPrunedHeightAnswersEveryHeightMethodWithCometBftsNotAvailableText() throws Exception {
    FakeBackend pruned = new FakeBackend();
    pruned.store.prune(2);
    RpcServer target = RpcServer.start(pruned, "127.0.0.1:0");
    try {
      String expected = "height 1 is not available, lowest height is 2";
      for (String method : List.of("block", "header", "block_results", "commit", "validators")) {
        Answer answer = get(target, "/" + method + "?height=1");
        assertThat(answer.error()).as(method).isNotNull();
        assertThat(answer.error().get("code").asInt()).as(method).isEqualTo(-32603);
        assertThat(answer.error().get("data").asText()).as(method).isEqualTo(expected);
      }
      // The kept heights answer as before.
      assertThat(get(target, "/block?height=2").error()).isNull();
      assertThat(get(target, "/block_results?height=2").error()).isNull();
    } finally {
      target.close();
    }
  }

  @Test
  void zeroOrNegativeHeightIsAnInternalErrorAsInCometBft038() throws Exception {
    Answer zero = get("/block?height=0");
    assertThat(zero.error().get("code").asInt()).isEqualTo(-32603);
    assertThat(zero.error().get("data").asText())
        .isEqualTo("height must be greater than 0, but got 0");
    assertThat(call("validators", "{\"height\":-1}").error().get("code").asInt()).isEqualTo(-32603);
  }

  @Test
  void unknownTxHashIsAnInternalErrorSayingNotFound() throws Exception {
    String hash = txHash("never-sent");
    Answer answer = get("/tx?hash=0x" + hash);
    assertThat(answer.error().get("code").asInt()).isEqualTo(-32603);
    assertThat(answer.error().get("data").asText()).isEqualTo("tx (" + hash + ") not found");
  }

  @Test
  void unknownBlockHashAnswersANullBlockAsCometBft() throws Exception {
    JsonNode result = get("/block_by_hash?hash=0x" + "00".repeat(32)).result();
    assertThat(result.get("block").isNull()).isTrue();
    assertThat(result.get("block_id").get("hash").asText()).isEmpty();
    assertThat(get("/header_by_hash?hash=0x" + "00".repeat(32)).result().get("header").isNull())
        .isTrue();
  }

  @Test
  void pageOutOfRangeAndBadOrderAreInvalidRequests() throws Exception {
    assertThat(get("/validators?page=3&per_page=1").error().get("code").asInt()).isEqualTo(-32600);
    assertThat(
            call("tx_search", "{\"query\":\"tx.height=1\",\"order_by\":\"sideways\"}")
                .error()
                .get("code")
                .asInt())
        .isEqualTo(-32600);
  }

  @Test
  void batchAnswersEachRequestInOrderAndSkipsNotifications() throws Exception {
    Answer answer =
        post(
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"health\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"two\",\"method\":\"block\",\"params\":{\"height\":\"1\"}},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"},"
                + "17]");
    assertThat(answer.status()).isEqualTo(200);
    JsonNode responses = answer.body();
    assertThat(responses.isArray()).isTrue();
    assertThat(responses).hasSize(4);
    assertThat(responses.get(0).get("id").asInt()).isEqualTo(1);
    assertThat(responses.get(0).get("result").size()).isZero();
    assertThat(responses.get(1).get("id").asText()).isEqualTo("two");
    assertThat(responses.get(1).get("result").get("block").get("header").get("height").asText())
        .isEqualTo("1");
    assertThat(responses.get(2).get("error").get("code").asInt()).isEqualTo(-32601);
    assertThat(responses.get(3).get("error").get("code").asInt()).isEqualTo(-32600);
  }

  @Test
  void aBatchHandsItsTxsToTheBackendTogetherBeforeBroadcastingEach() throws Exception {
    String a = Base64.getEncoder().encodeToString("tx-a".getBytes(StandardCharsets.UTF_8));
    String b = Base64.getEncoder().encodeToString("tx-b".getBytes(StandardCharsets.UTF_8));
    int prepared = backend.prepared.size();
    int pooled = backend.mempool.size();
    Answer answer =
        post(
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"broadcast_tx_sync\",\"params\":{\"tx\":\""
                + a
                + "\"}},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"health\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"check_tx\",\"params\":{\"tx\":\""
                + b
                + "\"}},{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"broadcast_tx_sync\","
                + "\"params\":{\"tx\":\"not base64!\"}}]");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).hasSize(4);
    assertThat(answer.body().get(3).get("error").get("code").asInt()).isEqualTo(-32602);
    // Once, with both parseable txs in request order; then each request ran on its own.
    assertThat(backend.prepared).hasSize(prepared + 1);
    assertThat(
            backend.prepared.get(prepared).stream().map(t -> new String(t, StandardCharsets.UTF_8)))
        .containsExactly("tx-a", "tx-b");
    assertThat(
            backend.mempool.subList(pooled, backend.mempool.size()).stream()
                .map(t -> new String(t, StandardCharsets.UTF_8)))
        .containsExactly("tx-a");
  }

  @Test
  void aLoneNotificationGetsNoAnswerBody() throws Exception {
    Answer answer = post("{\"jsonrpc\":\"2.0\",\"method\":\"health\"}");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isNull();
  }

  @Test
  void rootGetListsTheEndpoints() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + server.address() + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("/broadcast_tx_commit").contains("/tx_search");
  }

  @Test
  void jsonRpcIsServedWhateverTheContentType() throws Exception {
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded"}) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://" + server.address() + "/"))
              .header("Content-Type", type)
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"}"))
              .build();
      Answer answer = send(request);
      assertThat(answer.status()).as(type).isEqualTo(200);
      assertThat(answer.result()).as(type).isNotNull();
    }
  }

  @Test
  void unsupportedHttpVerbsAnswerAJsonRpcError() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + server.address() + "/"))
            .PUT(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    Answer answer = send(request);
    assertThat(answer.status()).isEqualTo(405);
    assertThat(answer.error().get("code").asInt()).isEqualTo(-32600);
  }
}
