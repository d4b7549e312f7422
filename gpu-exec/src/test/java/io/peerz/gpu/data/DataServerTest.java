package io.peerz.gpu.data;

import static io.peerz.gpu.data.DataTesting.await;
import static io.peerz.gpu.data.DataTesting.random;
import static io.peerz.gpu.data.DataTesting.rootOf;
import static io.peerz.gpu.data.DataTesting.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataServerTest {
  private static final DataLimits LIMITS =
      new DataLimits(1 << 20, 4 << 20, 16, Duration.ofSeconds(5));

  @TempDir Path dir;
  private DataServer server;

  private DataServer start(DataLimits limits) {
    server =
        DataServer.start(
            dir.resolve("storage"), new InetSocketAddress("127.0.0.1", 0), limits, "0xabc");
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private URI base() {
    return server.baseUrl();
  }

  private RawHttp.Response put(long job, String name, byte[] body, String... headers)
      throws IOException {
    String[] all = Arrays.copyOf(headers, headers.length + 2);
    all[headers.length] = "Content-Length";
    all[headers.length + 1] = Integer.toString(body.length);
    try (RawHttp http = new RawHttp(base())) {
      return http.send("PUT", "/v1/jobs/" + job + "/inputs/" + name, body, all).read();
    }
  }

  private RawHttp.Response request(String method, String target, String... headers)
      throws IOException {
    try (RawHttp http = new RawHttp(base())) {
      return http.send(method, target, null, headers).read(method.equals("HEAD"));
    }
  }

  private static String range(long first, long last, long total) {
    return "bytes " + first + "-" + last + "/" + total;
  }

  @Test
  void wholeUploadIsCheckedThenServedAsTheVerifiedInput() throws Exception {
    start(LIMITS);
    byte[] a = random(4096, 1);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    CompletableFuture<Path> input = server.input(7, "a.npy");
    assertThat(input).isNotDone();

    RawHttp.Response r = put(7, "a.npy", a);

    assertThat(r.status()).isEqualTo(201);
    assertThat(r.text()).contains("\"verified\":true").contains("\"job\":7");
    Path file = input.get(5, TimeUnit.SECONDS);
    assertThat(Files.readAllBytes(file)).isEqualTo(a);
  }

  @Test
  void chunksInOrderAreAppendedAndTheLastIsChecked() throws Exception {
    start(LIMITS);
    byte[] a = random(3000, 2);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));

    RawHttp.Response first =
        put(7, "a.npy", Arrays.copyOfRange(a, 0, 1000), "Content-Range", range(0, 999, 3000));
    RawHttp.Response second =
        put(
            7,
            "a.npy",
            Arrays.copyOfRange(a, 1000, 2000),
            "Content-Range",
            range(1000, 1999, 3000));
    RawHttp.Response head = request("HEAD", "/v1/jobs/7/inputs/a.npy");
    RawHttp.Response last =
        put(
            7,
            "a.npy",
            Arrays.copyOfRange(a, 2000, 3000),
            "Content-Range",
            range(2000, 2999, 3000));

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("Upload-Offset")).isEqualTo("1000");
    assertThat(second.header("Upload-Offset")).isEqualTo("2000");
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Upload-Offset")).isEqualTo("2000");
    assertThat(head.header("Upload-Length")).isEqualTo("3000");
    assertThat(last.status()).isEqualTo(201);
    assertThat(Files.readAllBytes(server.input(7, "a.npy").get(5, TimeUnit.SECONDS))).isEqualTo(a);
  }

  @Test
  void aChunkNotAtTheOffsetIsRefusedWithTheOffset() throws Exception {
    start(LIMITS);
    byte[] a = random(3000, 3);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    put(7, "a.npy", Arrays.copyOfRange(a, 0, 1000), "Content-Range", range(0, 999, 3000));

    RawHttp.Response skip =
        put(
            7,
            "a.npy",
            Arrays.copyOfRange(a, 2000, 3000),
            "Content-Range",
            range(2000, 2999, 3000));
    RawHttp.Response again =
        put(7, "a.npy", Arrays.copyOfRange(a, 0, 1000), "Content-Range", range(0, 999, 3000));

    assertThat(skip.status()).isEqualTo(409);
    assertThat(skip.text()).contains("data/8").contains("holds 1000 bytes");
    assertThat(skip.header("Upload-Offset")).isEqualTo("1000");
    assertThat(again.status()).isEqualTo(409);
    assertThat(request("HEAD", "/v1/jobs/7/inputs/a.npy").header("Upload-Offset"))
        .isEqualTo("1000");
  }

  @Test
  void theBytesOfADroppedConnectionAreKeptAndTheUploadResumesAfterThem() throws Exception {
    start(LIMITS);
    byte[] a = random(4000, 4);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    try (RawHttp http = new RawHttp(base())) {
      http.send(
          "PUT",
          "/v1/jobs/7/inputs/a.npy",
          Arrays.copyOfRange(a, 0, 1500),
          "Content-Length",
          "4000",
          "Content-Range",
          range(0, 3999, 4000));
      await("the server holds the first 1500 bytes", () -> offset(7, "a.npy").equals("1500"));
    }
    // The connection is gone: the writer is released and the same bytes resume the upload.
    await(
        "the upload is free again",
        () -> {
          try {
            return put(
                        7,
                        "a.npy",
                        Arrays.copyOfRange(a, 1500, 4000),
                        "Content-Range",
                        range(1500, 3999, 4000))
                    .status()
                == 201;
          } catch (IOException e) {
            return false;
          }
        });
    assertThat(Files.readAllBytes(server.input(7, "a.npy").get(5, TimeUnit.SECONDS))).isEqualTo(a);
  }

  private String offset(long job, String name) {
    try {
      return request("HEAD", "/v1/jobs/" + job + "/inputs/" + name).header("Upload-Offset");
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void anOversizeUploadIsRefusedBeforeItsBodyIsRead() throws Exception {
    start(LIMITS);
    server.expectInput(7, "a.npy", 1000, rootOf(dir, random(1000, 5)));
    try (RawHttp http = new RawHttp(base())) {
      // A terabyte promised, not one byte sent: the answer can only come from the headers.
      RawHttp.Response r =
          http.send("PUT", "/v1/jobs/7/inputs/a.npy", null, "Content-Length", "1000000000000")
              .read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.text()).contains("data/5").contains("is 1000 bytes");
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(http.closedByServer()).isTrue();
    }
    try (RawHttp http = new RawHttp(base())) {
      RawHttp.Response r =
          http.send(
                  "PUT",
                  "/v1/jobs/7/inputs/a.npy",
                  null,
                  "Content-Length",
                  "10",
                  "Content-Range",
                  "bytes 0-9/5000")
              .read();
      assertThat(r.status()).isEqualTo(413);
    }
    assertThat(offset(7, "a.npy")).isEqualTo("0");
  }

  @Test
  void aFailedCheckDiscardsTheFileAndAFreshUploadIsVerified() throws Exception {
    start(LIMITS);
    byte[] good = random(2048, 6);
    byte[] bad = good.clone();
    bad[1000] ^= 1;
    server.expectInput(7, "a.npy", good.length, rootOf(dir, good));

    RawHttp.Response rejected = put(7, "a.npy", bad);

    assertThat(rejected.status()).isEqualTo(422);
    assertThat(rejected.text()).contains("input/3").contains("discarded");
    assertThat(offset(7, "a.npy")).isEqualTo("0");
    assertThat(server.input(7, "a.npy")).isNotDone();
    try (var files = Files.walk(dir.resolve("storage"))) {
      assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
    }

    assertThat(put(7, "a.npy", good).status()).isEqualTo(201);
    assertThat(Files.readAllBytes(server.input(7, "a.npy").get(5, TimeUnit.SECONDS)))
        .isEqualTo(good);
  }

  @Test
  void anUnexpectedJobOrNameIsNotFoundWithWhatThisExecutorExpects() throws Exception {
    start(LIMITS);
    server.expectInput(7, "a.npy", 100, rootOf(dir, random(96, 7)));

    RawHttp.Response otherJob = put(8, "a.npy", new byte[100]);
    RawHttp.Response otherName = put(7, "b.npy", new byte[100]);
    RawHttp.Response noOutput = request("GET", "/v1/jobs/7/outputs/c.npy");

    assertThat(otherJob.status()).isEqualTo(404);
    assertThat(otherJob.text())
        .contains("data/1")
        .contains("executor 0xabc expects no input of job 8");
    assertThat(otherName.status()).isEqualTo(404);
    assertThat(otherName.text()).contains("job 7 expects inputs [a.npy] here, not b.npy");
    assertThat(noOutput.status()).isEqualTo(404);
    assertThat(noOutput.text()).contains("no output of job 7");
  }

  @Test
  void malformedPathsNamesAndMethodsAreRefused() throws Exception {
    start(LIMITS);
    assertThat(request("GET", "/v1/jobs/x/outputs/c.npy").status()).isEqualTo(400);
    assertThat(request("GET", "/v1/jobs/7/outputs/C.NPY").text()).contains("data/2");
    assertThat(request("GET", "/v1/jobs/7/outputs/..%2F..%2Fetc").status()).isEqualTo(400);
    assertThat(request("GET", "/v1/jobs/99999999999999999999/outputs/c.npy").status())
        .isEqualTo(400);
    assertThat(request("GET", "/elsewhere").status()).isEqualTo(404);
    RawHttp.Response post = request("POST", "/v1/jobs/7/outputs/c.npy", "Content-Length", "0");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
    assertThatThrownBy(() -> server.expectInput(7, "../a", 10, f -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> server.expectInput(7, "a.npy", (1 << 20) + 1, f -> {}))
        .hasMessageContaining("takes 1 to 1048576");
  }

  @Test
  void uploadsNeedAContentLengthAndARangeThatAgreesWithIt() throws Exception {
    start(LIMITS);
    server.expectInput(7, "a.npy", 1000, rootOf(dir, random(992, 8)));
    try (RawHttp http = new RawHttp(base())) {
      RawHttp.Response r =
          http.send("PUT", "/v1/jobs/7/inputs/a.npy", null, "Transfer-Encoding", "chunked").read();
      assertThat(r.status()).isEqualTo(411);
    }
    assertThat(put(7, "a.npy", new byte[10], "Content-Range", range(0, 19, 1000)).text())
        .contains("data/7");
    assertThat(put(7, "a.npy", new byte[10], "Content-Range", "bytes=0-9").status()).isEqualTo(400);
    assertThat(put(7, "a.npy", new byte[10], "Content-Range", range(0, 9, 900)).text())
        .contains("data/6");
    assertThat(put(7, "a.npy", new byte[10]).text()).contains("data/6").contains("whole file");
  }

  @Test
  void aWholeUploadStartsOverAfterAPartialOne() throws Exception {
    start(LIMITS);
    byte[] a = random(2000, 9);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    byte[] wrongStart = random(500, 10);
    put(7, "a.npy", wrongStart, "Content-Range", range(0, 499, 2000));

    assertThat(put(7, "a.npy", a).status()).isEqualTo(201);
  }

  @Test
  void aClientExpecting100ContinueGetsItThenTheAnswer() throws Exception {
    start(LIMITS);
    byte[] a = random(1024, 11);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    try (RawHttp http = new RawHttp(base())) {
      http.send(
          "PUT",
          "/v1/jobs/7/inputs/a.npy",
          null,
          "Content-Length",
          "1024",
          "Expect",
          "100-continue");
      assertThat(http.read().status()).isEqualTo(100);
      assertThat(http.write(a).read().status()).isEqualTo(201);
    }
  }

  @Test
  void rangesOfAnOutputAreServed() throws Exception {
    start(LIMITS);
    byte[] c = random(1000, 12);
    server.publishOutput(7, "c.npy", write(dir, "c-out.bin", c));
    String path = "/v1/jobs/7/outputs/c.npy";

    RawHttp.Response whole = request("GET", path);
    RawHttp.Response firstByte = request("GET", path, "Range", "bytes=0-0");
    RawHttp.Response middle = request("GET", path, "Range", "bytes=100-199");
    RawHttp.Response lastByte = request("GET", path, "Range", "bytes=999-");
    RawHttp.Response suffix = request("GET", path, "Range", "bytes=-10");
    RawHttp.Response pastEnd = request("GET", path, "Range", "bytes=990-5000");
    RawHttp.Response unsatisfiable = request("GET", path, "Range", "bytes=1000-");
    RawHttp.Response several = request("GET", path, "Range", "bytes=0-1,5-6");
    RawHttp.Response head = request("HEAD", path);

    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(c);
    assertThat(whole.header("Accept-Ranges")).isEqualTo("bytes");
    assertThat(firstByte.status()).isEqualTo(206);
    assertThat(firstByte.body()).containsExactly(c[0]);
    assertThat(firstByte.header("Content-Range")).isEqualTo("bytes 0-0/1000");
    assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(c, 100, 200));
    assertThat(lastByte.body()).containsExactly(c[999]);
    assertThat(lastByte.header("Content-Range")).isEqualTo("bytes 999-999/1000");
    assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(c, 990, 1000));
    assertThat(pastEnd.body()).isEqualTo(Arrays.copyOfRange(c, 990, 1000));
    assertThat(unsatisfiable.status()).isEqualTo(416);
    assertThat(unsatisfiable.header("Content-Range")).isEqualTo("bytes */1000");
    assertThat(unsatisfiable.text()).contains("data/12");
    assertThat(several.status()).isEqualTo(400);
    assertThat(several.text()).contains("data/11");
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Length")).isEqualTo("1000");
  }

  @Test
  void aKeptAliveConnectionServesSeveralRequests() throws Exception {
    start(LIMITS);
    byte[] c = random(300, 13);
    server.publishOutput(7, "c.npy", write(dir, "c-out.bin", c));
    try (RawHttp http = new RawHttp(base())) {
      for (int i = 0; i < 3; i++) {
        RawHttp.Response r =
            http.send("GET", "/v1/jobs/7/outputs/c.npy", null, "Range", "bytes=" + i + "-" + i)
                .read();
        assertThat(r.body()).containsExactly(c[i]);
      }
      // An unwanted small body is read and dropped; the connection stays usable.
      assertThat(
              http.send("POST", "/v1/status", new byte[5], "Content-Length", "5").read().status())
          .isEqualTo(405);
      assertThat(http.send("GET", "/v1/status", null).read().status()).isEqualTo(200);
    }
  }

  @Test
  void statusNamesTheExecutorAndTheJobs() throws Exception {
    start(LIMITS);
    server.expectInput(7, "a.npy", 100, f -> {});
    RawHttp.Response r = request("GET", "/v1/status");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text())
        .contains("\"executor\":\"0xabc\"")
        .contains("\"version\":1")
        .contains("\"jobs\":1");
  }

  @Test
  void concurrentClientsUploadAndDownloadTheirOwnFiles() throws Exception {
    start(LIMITS);
    int clients = 6;
    byte[][] data = new byte[clients][];
    for (int i = 0; i < clients; i++) {
      data[i] = random(64 * 1024, 100 + i);
      server.expectInput(i, "a.npy", data[i].length, rootOf(dir, data[i]));
    }
    DataClient client = new DataClient(Duration.ofSeconds(10), 8192, 3, Duration.ofMillis(10));
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<?>[] all = new CompletableFuture<?>[clients];
    for (int i = 0; i < clients; i++) {
      int job = i;
      Path file = write(dir, "in-" + i, data[i]);
      all[i] =
          CompletableFuture.runAsync(
              () -> {
                try {
                  go.await();
                  client.upload(base(), job, "a.npy", file);
                  Path verified = server.input(job, "a.npy").get(5, TimeUnit.SECONDS);
                  Path copy = dir.resolve("copy-" + job);
                  Files.copy(verified, copy);
                  server.publishOutput(job, "c.npy", copy);
                  client.download(base(), job, "c.npy", dir.resolve("out-" + job));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
    }
    go.countDown();
    CompletableFuture.allOf(all).get(30, TimeUnit.SECONDS);
    for (int i = 0; i < clients; i++) {
      assertThat(Files.readAllBytes(dir.resolve("out-" + i))).isEqualTo(data[i]);
    }
  }

  @Test
  void aSecondConnectionCannotUploadTheSameFileAtOnce() throws Exception {
    start(LIMITS);
    byte[] a = random(2000, 14);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    try (RawHttp first = new RawHttp(base())) {
      first.send(
          "PUT", "/v1/jobs/7/inputs/a.npy", Arrays.copyOfRange(a, 0, 10), "Content-Length", "2000");
      await("the first upload is under way", () -> offset(7, "a.npy").equals("10"));
      RawHttp.Response second = put(7, "a.npy", a);
      assertThat(second.status()).isEqualTo(409);
      assertThat(second.text()).contains("data/9").contains("another connection");
      assertThat(first.write(Arrays.copyOfRange(a, 10, 2000)).read().status()).isEqualTo(201);
    }
  }

  @Test
  void forgetDropsFilesStopsUploadsAndCancelsTheInput() throws Exception {
    start(LIMITS);
    byte[] a = random(2000, 15);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    server.publishOutput(7, "c.npy", write(dir, "c-out.bin", random(100, 16)));
    CompletableFuture<Path> input = server.input(7, "a.npy");
    try (RawHttp uploading = new RawHttp(base())) {
      uploading.send(
          "PUT", "/v1/jobs/7/inputs/a.npy", Arrays.copyOfRange(a, 0, 10), "Content-Length", "2000");
      await("the upload is under way", () -> offset(7, "a.npy").equals("10"));

      server.forget(7);

      RawHttp.Response cut = uploading.write(Arrays.copyOfRange(a, 10, 2000)).read();
      assertThat(cut.status()).isEqualTo(404);
      assertThat(cut.text()).contains("forgotten");
    }
    assertThat(input).isCompletedExceptionally();
    assertThatThrownBy(input::join).hasCauseInstanceOf(CancellationException.class);
    assertThat(request("GET", "/v1/jobs/7/outputs/c.npy").status()).isEqualTo(404);
    assertThat(request("HEAD", "/v1/jobs/7/inputs/a.npy").status()).isEqualTo(404);
    assertThat(dir.resolve("storage/jobs/7")).doesNotExist();
    assertThat(server.storedJobs()).isEmpty();
  }

  @Test
  void anUploadPastTheStoredBytesLimitIsRefused() throws Exception {
    start(new DataLimits(1000, 1500, 16, Duration.ofSeconds(5)));
    byte[] a = random(992, 17);
    server.expectInput(1, "a.npy", a.length, rootOf(dir, a));
    server.expectInput(2, "a.npy", a.length, rootOf(dir, a));
    assertThat(put(1, "a.npy", a).status()).isEqualTo(201);

    RawHttp.Response full = put(2, "a.npy", a);

    assertThat(full.status()).isEqualTo(507);
    assertThat(full.text()).contains("data/13");
    server.forget(1);
    assertThat(put(2, "a.npy", a).status()).isEqualTo(201);
  }

  @Test
  void connectionsPastTheLimitAreRefused() throws Exception {
    start(new DataLimits(1000, 1500, 2, Duration.ofSeconds(5)));
    try (RawHttp one = new RawHttp(base());
        RawHttp two = new RawHttp(base())) {
      one.send("GET", "/v1/status", null).read();
      two.send("GET", "/v1/status", null).read();
      try (RawHttp three = new RawHttp(base())) {
        RawHttp.Response refused = three.read();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.text()).contains("data/14");
      }
    }
    await(
        "a slot is free again",
        () -> {
          try {
            return request("GET", "/v1/status").status() == 200;
          } catch (IOException e) {
            return false;
          }
        });
  }

  @Test
  void anIdleConnectionIsClosed() throws Exception {
    start(LIMITS.withIdleTimeout(Duration.ofMillis(200)));
    try (RawHttp idle = new RawHttp(base())) {
      idle.send("GET", "/v1/status", null).read();
      assertThat(idle.closedByServer()).isTrue();
    }
  }

  @Test
  void aCheckLongerThanTheIdleTimeoutStillGetsItsAnswer() throws Exception {
    start(LIMITS.withIdleTimeout(Duration.ofMillis(200)));
    byte[] a = random(1024, 20);
    InputCheck root = rootOf(dir, a);
    server.expectInput(
        7,
        "a.npy",
        a.length,
        file -> {
          LockSupportPause.millis(800); // a check of a large file: no byte moves meanwhile
          root.check(file);
        });

    assertThat(put(7, "a.npy", a).status()).isEqualTo(201);
  }

  @Test
  void headersTrickledByteByByteAreCutAtTheDeadline() throws Exception {
    start(LIMITS.withIdleTimeout(Duration.ofMillis(300)));
    byte[] request =
        "GET /v1/status HTTP/1.1\r\nHost: slow\r\nX-Pad: ".getBytes(StandardCharsets.US_ASCII);
    try (RawHttp slow = new RawHttp(base())) {
      long started = System.nanoTime();
      boolean cut = false;
      // One byte every 50 ms keeps the connection from ever being idle for 300 ms.
      for (int i = 0; i < 200 && !cut; i++) {
        try {
          slow.write(new byte[] {request[Math.min(i, request.length - 1)]});
        } catch (IOException e) {
          cut = true;
        }
        LockSupportPause.millis(50);
      }
      assertThat(cut).as("the server closed the connection").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void aPartialUploadSurvivesARestartWithItsOffset() throws Exception {
    start(LIMITS);
    byte[] a = random(3000, 18);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    put(7, "a.npy", Arrays.copyOfRange(a, 0, 1200), "Content-Range", range(0, 1199, 3000));
    server.close();

    start(LIMITS);
    assertThat(server.storedJobs()).containsExactly(7L);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));

    assertThat(offset(7, "a.npy")).isEqualTo("1200");
    assertThat(
            put(
                    7,
                    "a.npy",
                    Arrays.copyOfRange(a, 1200, 3000),
                    "Content-Range",
                    range(1200, 2999, 3000))
                .status())
        .isEqualTo(201);
  }

  @Test
  void aCheckCutShortByCloseKeepsTheBytesForTheNextRun() throws Exception {
    start(LIMITS);
    byte[] a = random(1024, 21);
    InputCheck root = rootOf(dir, a);
    CountDownLatch checking = new CountDownLatch(1);
    server.expectInput(
        7,
        "a.npy",
        a.length,
        file -> {
          checking.countDown();
          LockSupportPause.millis(10_000); // until close() interrupts it
          root.check(file);
        });
    try (RawHttp http = new RawHttp(base())) {
      http.send("PUT", "/v1/jobs/7/inputs/a.npy", a, "Content-Length", "1024");
      assertThat(checking.await(5, TimeUnit.SECONDS)).isTrue();
      server.close();
    }

    start(LIMITS);
    server.expectInput(7, "a.npy", a.length, root);

    assertThat(Files.readAllBytes(server.input(7, "a.npy").get(5, TimeUnit.SECONDS))).isEqualTo(a);
  }

  @Test
  void aVerifiedInputFoundAfterARestartIsCheckedAgain() throws Exception {
    start(LIMITS);
    byte[] a = random(1024, 19);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    put(7, "a.npy", a);
    server.close();

    start(LIMITS);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    assertThat(Files.readAllBytes(server.input(7, "a.npy").get(5, TimeUnit.SECONDS))).isEqualTo(a);

    // Bytes that changed on disk while the server was down fail that check.
    server.close();
    Path stored = dir.resolve("storage/jobs/7/inputs/a.npy");
    byte[] tampered = a.clone();
    tampered[0] ^= 1;
    Files.write(stored, tampered);
    start(LIMITS);
    server.expectInput(7, "a.npy", a.length, rootOf(dir, a));
    await("the tampered file is discarded", () -> offset(7, "a.npy").equals("0"));
    assertThat(server.input(7, "a.npy")).isNotDone();
  }
}
