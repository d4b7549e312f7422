package io.peerz.gpu.data;

import static io.peerz.gpu.data.DataTesting.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fetch over https, against the JDK's HTTPS server with a certificate made for the test. */
class DataClientTlsTest {
  private static final char[] PASSWORD = "secret".toCharArray();
  private static final byte[] FILE = random(200_000, 1);

  @TempDir static Path dir;
  private static HttpsServer server;
  private static KeyStore keys;

  @BeforeAll
  static void start() throws Exception {
    Path store = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "secret")
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();
    keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.createContext(
        "/file",
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
          exchange.sendResponseHeaders(200, FILE.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(FILE);
          }
        });
    server.createContext(
        "/moved",
        exchange -> {
          exchange.getResponseHeaders().set("Location", "/file");
          exchange.sendResponseHeaders(302, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  private static URI url(String path) {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static DataClient trusting() throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(keys);
    return new DataClient(
        Duration.ofSeconds(5),
        DataClient.CHUNK_BYTES,
        2,
        Duration.ofMillis(10),
        SslContextBuilder.forClient().trustManager(tmf).build());
  }

  @Test
  void fetchesOverHttpsFollowingARedirect() throws Exception {
    Path out = dir.resolve("fetched");

    trusting().fetch(url("/moved"), out, 1 << 20);

    assertThat(Files.readAllBytes(out)).isEqualTo(FILE);
  }

  @Test
  void refusesACertificateItDoesNotTrust() {
    DataClient jdkTrust =
        new DataClient(Duration.ofSeconds(5), DataClient.CHUNK_BYTES, 2, Duration.ofMillis(10));

    assertThatThrownBy(() -> jdkTrust.fetch(url("/file"), dir.resolve("untrusted"), 1 << 20))
        .isInstanceOfSatisfying(
            DataTransferException.class,
            e -> assertThat(e.code()).isEqualTo(DataError.CONNECTION_FAILED.code()))
        .hasMessageContaining("TLS handshake with 127.0.0.1");
    assertThat(dir.resolve("untrusted")).doesNotExist();
  }
}
