package io.peerz.gpu.data;

import static io.peerz.gpu.data.DataTesting.random;
import static io.peerz.gpu.data.DataTesting.rootOf;
import static io.peerz.gpu.data.DataTesting.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataClientTest {
  private static final int CHUNK = 16 * 1024;

  @TempDir Path dir;
  private DataServer server;
  private DataClient client;

  @BeforeEach
  void start() {
    server =
        DataServer.start(
            dir.resolve("storage"),
            new InetSocketAddress("127.0.0.1", 0),
            new DataLimits(1 << 20, 4 << 20, 16, Duration.ofSeconds(5)),
            "0xabc");
    client = new DataClient(Duration.ofSeconds(5), CHUNK, 4, Duration.ofMillis(10));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void uploadSendsChunksAndReturnsTheServersAnswer() throws Exception {
    byte[] a = random(100_000, 1);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));

    String answer = client.upload(server.baseUrl(), 7, "a.npy", write(dir, "a.npy", a));

    assertThat(answer).contains("\"verified\":true");
    assertThat(Files.readAllBytes(server.input(7, "a.npy").get(5, TimeUnit.SECONDS))).isEqualTo(a);
    // Once verified, an upload again answers the same without sending a byte.
    assertThat(client.upload(server.baseUrl(), 7, "a.npy", dir.resolve("a.npy")))
        .contains("\"verified\":true");
  }

  @Test
  void uploadResumesFromTheServersOffset() throws Exception {
    byte[] a = random(100_000, 2);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    try (RawHttp http = new RawHttp(server.baseUrl())) {
      RawHttp.Response r =
          http.send(
                  "PUT",
                  "/v1/jobs/7/inputs/a.npy",
                  Arrays.copyOfRange(a, 0, 40_000),
                  "Content-Length",
                  "40000",
                  "Content-Range",
                  "bytes 0-39999/100000")
              .read();
      assertThat(r.status()).isEqualTo(200);
    }

    // A client that started at 0 would be refused (409) on every attempt and give up.
    assertThat(client.upload(server.baseUrl(), 7, "a.npy", write(dir, "a.npy", a)))
        .contains("\"verified\":true");
  }

  @Test
  void uploadSurvivesAConnectionCutMidChunk() throws Exception {
    byte[] a = random(200_000, 3);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    try (CuttingProxy proxy =
        new CuttingProxy(server.baseUrl(), CuttingProxy.Direction.UPLOAD, 50_000, 2)) {
      String answer = client.upload(proxy.url(), 7, "a.npy", write(dir, "a.npy", a));

      assertThat(answer).contains("\"verified\":true");
      assertThat(proxy.connections()).isGreaterThanOrEqualTo(3);
    }
    assertThat(Files.readAllBytes(server.input(7, "a.npy").get(5, TimeUnit.SECONDS))).isEqualTo(a);
  }

  @Test
  void downloadResumesAPartialFileWithARange() throws Exception {
    byte[] c = random(100_000, 4);
    server.publishOutput(7, "c.npy", write(dir, "c.bin", c));
    Path out = dir.resolve("c.npy");
    // A partial file whose bytes differ from the server's: a resumed download keeps them, a fresh
    // one would overwrite them.
    byte[] head = new byte[30_000];
    Files.write(out, head);

    client.download(server.baseUrl(), 7, "c.npy", out);

    byte[] got = Files.readAllBytes(out);
    assertThat(got).hasSize(c.length);
    assertThat(Arrays.copyOfRange(got, 0, 30_000)).isEqualTo(head);
    assertThat(Arrays.copyOfRange(got, 30_000, c.length))
        .isEqualTo(Arrays.copyOfRange(c, 30_000, c.length));
  }

  @Test
  void downloadSurvivesConnectionsCutMidBody() throws Exception {
    byte[] c = random(300_000, 5);
    server.publishOutput(7, "c.npy", write(dir, "c.bin", c));
    Path out = dir.resolve("c.npy");
    try (CuttingProxy proxy =
        new CuttingProxy(server.baseUrl(), CuttingProxy.Direction.DOWNLOAD, 100_000, 2)) {
      client.download(proxy.url(), 7, "c.npy", out);
      assertThat(proxy.connections()).isEqualTo(3);
    }
    assertThat(Files.readAllBytes(out)).isEqualTo(c);
  }

  @Test
  void downloadOfAFileAlreadyCompleteChangesNothing() throws Exception {
    byte[] c = random(1000, 6);
    server.publishOutput(7, "c.npy", write(dir, "c.bin", c));
    Path out = write(dir, "c.npy", c);

    client.download(server.baseUrl(), 7, "c.npy", out);

    assertThat(Files.readAllBytes(out)).isEqualTo(c);
  }

  @Test
  void downloadStartsOverWhenThePartialFileIsLongerThanTheServers() throws Exception {
    byte[] c = random(1000, 7);
    server.publishOutput(7, "c.npy", write(dir, "c.bin", c));
    Path out = write(dir, "c.npy", random(5000, 8));

    client.download(server.baseUrl(), 7, "c.npy", out);

    assertThat(Files.readAllBytes(out)).isEqualTo(c);
  }

  @Test
  void fetchRefusesAFileLargerThanAllowed() throws Exception {
    byte[] c = random(10_000, 9);
    server.publishOutput(7, "c.npy", write(dir, "c.bin", c));
    URI url = URI.create(server.baseUrl() + "/v1/jobs/7/outputs/c.npy");
    Path out = dir.resolve("fetched");

    assertThatThrownBy(() -> client.fetch(url, out, 9_999))
        .isInstanceOfSatisfying(
            DataTransferException.class,
            e -> assertThat(e.code()).isEqualTo(DataError.RESPONSE_TOO_LARGE.code()))
        .hasMessageContaining("the file is 10000 bytes, more than the 9999 allowed");
    client.fetch(url, out, 10_000);
    assertThat(Files.readAllBytes(out)).isEqualTo(c);
  }

  @Test
  void fetchStopsABodyWithoutLengthAtTheLimit() throws Exception {
    byte[] body = new byte[50_000];
    try (FakeServer fake =
        new FakeServer(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
            body,
            false)) {
      assertThatThrownBy(() -> client.fetch(fake.url(), dir.resolve("f"), 20_000))
          .isInstanceOfSatisfying(
              DataTransferException.class,
              e -> assertThat(e.code()).isEqualTo(DataError.RESPONSE_TOO_LARGE.code()));
      assertThat(dir.resolve("f")).doesNotExist();
    }
  }

  @Test
  void errorsCarryTheServersCodeAndMessage() {
    Path a = write(dir, "a.npy", random(100, 10));

    assertThatThrownBy(() -> client.upload(server.baseUrl(), 8, "a.npy", a))
        .isInstanceOfSatisfying(
            DataTransferException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.code()).isEqualTo("data/1");
            })
        .hasMessageContaining("HTTP 404, data/1: executor 0xabc expects no input of job 8");
    assertThatThrownBy(() -> client.download(server.baseUrl(), 8, "c.npy", dir.resolve("c")))
        .hasMessageContaining("has no output of job 8");
  }

  @Test
  void aFileOfTheWrongSizeIsNotSent() {
    server.expectInput(7, "a.npy", 1000, f -> {});
    Path a = write(dir, "a.npy", random(999, 11));

    assertThatThrownBy(() -> client.upload(server.baseUrl(), 7, "a.npy", a))
        .isInstanceOfSatisfying(
            DataTransferException.class,
            e -> assertThat(e.code()).isEqualTo(DataError.WRONG_SIZE.code()))
        .hasMessageContaining("expects 1000 bytes and the file holds 999");
  }

  @Test
  void aRejectedCheckEndsTheUploadWithItsCode() {
    byte[] a = random(1000, 12);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, random(1000, 13)));

    assertThatThrownBy(() -> client.upload(server.baseUrl(), 7, "a.npy", write(dir, "a.npy", a)))
        .isInstanceOfSatisfying(
            DataTransferException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.code()).isEqualTo("input/3");
            })
        .hasMessageContaining("the job committed to");
  }

  @Test
  void anUnreachableServerFailsAfterTheRetries() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + port);

    assertThatThrownBy(() -> client.download(nowhere, 7, "c.npy", dir.resolve("c")))
        .isInstanceOfSatisfying(
            DataTransferException.class,
            e -> assertThat(e.code()).isEqualTo(DataError.CONNECTION_FAILED.code()))
        .hasMessageContaining("gave up after 4 failed attempts");
  }

  @Test
  void aServerThatStopsSendingIsDroppedAfterTheTimeout() throws Exception {
    DataClient impatient = new DataClient(Duration.ofMillis(300), CHUNK, 2, Duration.ofMillis(10));
    try (FakeServer fake =
        new FakeServer("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", new byte[1000], true)) {
      assertThatThrownBy(() -> impatient.fetch(fake.url(), dir.resolve("f"), 1 << 20))
          .isInstanceOfSatisfying(
              DataTransferException.class,
              e -> assertThat(e.code()).isEqualTo(DataError.CONNECTION_FAILED.code()))
          .hasMessageContaining("no byte moved for 300 ms");
    }
  }

  @Test
  void anErrorWithoutADataBodyIsReportedAsHttpError() throws Exception {
    try (FakeServer fake =
        new FakeServer(
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\nConnection: close\r\n\r\n",
            "forbidden".getBytes(StandardCharsets.US_ASCII),
            false)) {
      assertThatThrownBy(() -> client.fetch(fake.url(), dir.resolve("f"), 1000))
          .isInstanceOfSatisfying(
              DataTransferException.class,
              e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.code()).isEqualTo(DataError.HTTP_ERROR.code());
              })
          .hasMessageContaining("HTTP 403: forbidden");
    }
  }

  /** Answers every connection with fixed bytes, then closes it or leaves it hanging. */
  private static final class FakeServer implements AutoCloseable {
    private final ServerSocket socket;

    FakeServer(String head, byte[] body, boolean hang) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket s = socket.accept();
                    readRequestHead(s);
                    OutputStream out = s.getOutputStream();
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    if (!hang) {
                      s.close();
                    }
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "fake-server");
      t.setDaemon(true);
      t.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/file");
    }

    private static void readRequestHead(Socket s) throws IOException {
      var in = s.getInputStream();
      int matched = 0;
      byte[] end = {'\r', '\n', '\r', '\n'};
      while (matched < 4) {
        int c = in.read();
        if (c < 0) {
          return;
        }
        matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
