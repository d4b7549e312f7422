package io.peerz.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplorerControllerTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private RpcServer server;

  @BeforeAll
  void start() {
    server = RpcServer.start(new FakeBackend(), "127.0.0.1:0");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + server.address() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageAndItsFilesAreServedBesideTheRpcMethods() throws Exception {
    HttpResponse<String> bare = get("/explorer");
    assertThat(bare.statusCode()).isEqualTo(301);
    assertThat(bare.headers().firstValue("location")).hasValue("explorer/");

    HttpResponse<String> page = get("/explorer/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    assertThat(page.body())
        .contains("<script src=\"explorer.js\"></script>")
        .contains("href=\"explorer.css\"");

    HttpResponse<String> js = get("/explorer/explorer.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("content-type").orElse("")).startsWith("text/javascript");
    assertThat(js.body()).contains("subscribe").contains("tm.event='Tx'");
    assertThat(get("/explorer/explorer.css").headers().firstValue("content-type").orElse(""))
        .startsWith("text/css");

    assertThat(get("/explorer/secrets.json").statusCode()).isEqualTo(404);
    assertThat(get("/explorer/..%2Fpriv_validator_key.json").statusCode()).isEqualTo(404);
    // The RPC methods beside it are untouched.
    assertThat(get("/health").body()).contains("\"result\":{}");
  }

  @Test
  void thePageLoadsNothingFromAnotherHost() throws Exception {
    for (String file : ExplorerController.FILES.keySet()) {
      String body = get("/explorer/" + file).body();
      assertThat(body).as(file).doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}");
    }
  }
}
