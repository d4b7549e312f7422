package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Gauge;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesItsRegistryAndTheJvmsInPrometheusTextFormat() throws Exception {
    try (MetricsEndpoint m = MetricsEndpoint.start("127.0.0.1:0", "--metrics")) {
      Gauge.builder().name("peerz_test_value").help("A test.").register(m.registry()).set(42);
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.port() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      assertThat(r.body())
          .contains("# TYPE peerz_test_value gauge")
          .contains("peerz_test_value 42.0")
          .contains("# TYPE jvm_memory_used_bytes gauge");
      assertThat(m.address()).isEqualTo("127.0.0.1:" + m.port());
    }
  }

  @Test
  void aPortInUseIsAClearErrorAndNothingIsLeftListening() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String addr = "127.0.0.1:" + taken.getLocalPort();
      assertThatThrownBy(
              () -> MetricsEndpoint.start(addr, "instrumentation.prometheus_listen_addr"))
          .isInstanceOf(CliException.class)
          .hasMessageStartingWith(
              "instrumentation.prometheus_listen_addr: cannot listen on " + addr)
          .hasMessageContaining("in use");
    }
  }

  @Test
  void startWithTheMetricsPortInUseFailsBeforeTheNodeOpensItsData(@TempDir Path home)
      throws Exception {
    assertThat(CliRun.run("init", "--home", home.toString(), "--chain-id", "m").exitCode())
        .isZero();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun r =
          CliRun.run(
              Map.of("PEERZ_INSTRUMENTATION_PROMETHEUS", "true"),
              "start",
              "--home",
              home.toString(),
              "--instrumentation.prometheus_listen_addr",
              "127.0.0.1:" + taken.getLocalPort());
      assertThat(r.exitCode()).isNotZero();
      assertThat(r.err())
          .contains(
              "instrumentation.prometheus_listen_addr: cannot listen on 127.0.0.1:"
                  + taken.getLocalPort());
    }
    assertThat(home.resolve("data/ledger.db")).doesNotExist();
  }

  @Test
  void serverWithTheMetricsPortInUseFailsBeforeItStartsAnything(@TempDir Path home)
      throws Exception {
    Path key = home.resolve("executor.json");
    assertThat(CliRun.run("keys", "add-executor", key.toString()).exitCode()).isZero();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun r =
          CliRun.run(
              "server",
              "--home",
              home.toString(),
              "--executor-key",
              key.toString(),
              "--node",
              "http://127.0.0.1:1",
              "--metrics-laddr",
              "127.0.0.1:" + taken.getLocalPort());
      assertThat(r.exitCode()).isNotZero();
      assertThat(r.err())
          .contains("--metrics-laddr: cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("in use");
      assertThat(r.out()).as("no backend chosen, no data endpoint").isEmpty();
    }
    assertThat(home.resolve("data")).doesNotExist();
  }

  @Test
  void cometBftsAllInterfacesFormAndMalformedAddresses() {
    try (MetricsEndpoint m = MetricsEndpoint.start(":0", "x")) {
      assertThat(m.address()).isEqualTo(":" + m.port());
    }
    assertThatThrownBy(() -> MetricsEndpoint.start("26660", "--metrics-laddr"))
        .hasMessage("--metrics-laddr: expected host:port or :port (e.g. :26660), got '26660'");
    assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1:http", "x"))
        .hasMessage("x: bad port in '127.0.0.1:http'");
  }
}
