package io.peerz.gpu.data;

import static io.peerz.gpu.data.DataTesting.random;
import static io.peerz.gpu.data.DataTesting.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderServerTest {
  @TempDir Path dir;
  private Path served;
  private FolderServer server;
  private byte[] a;

  @BeforeEach
  void start() throws IOException {
    served = Files.createDirectories(dir.resolve("served"));
    a = random(5000, 1);
    write(served, "a.npy", a);
    Files.createDirectories(served.resolve("sub dir"));
    write(served.resolve("sub dir"), "b.npy", random(10, 2));
    write(served, ".secret", random(10, 3));
    write(dir, "outside.txt", random(10, 4));
    Files.createSymbolicLink(served.resolve("escape"), dir.resolve("outside.txt"));
    server =
        FolderServer.start(
            served,
            new InetSocketAddress("127.0.0.1", 0),
            DataLimits.defaults().withIdleTimeout(Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private RawHttp.Response get(String target, String... headers) throws IOException {
    try (RawHttp http = new RawHttp(server.baseUrl())) {
      return http.send("GET", target, null, headers).read();
    }
  }

  @Test
  void servesFilesWholeAndByRange() throws Exception {
    RawHttp.Response whole = get("/a.npy");
    RawHttp.Response part = get("/a.npy", "Range", "bytes=4000-");
    RawHttp.Response nested = get("/sub%20dir/b.npy");

    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(a);
    assertThat(part.status()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(a, 4000, 5000));
    assertThat(nested.status()).isEqualTo(200);
  }

  @Test
  void listsTheVisibleFilesWithTheirUrls() {
    assertThat(server.files()).containsExactly(Path.of("a.npy"), Path.of("sub dir/b.npy"));
    assertThat(server.urlOf(Path.of("sub dir/b.npy")).toString())
        .isEqualTo(server.baseUrl() + "/sub%20dir/b.npy");
  }

  @Test
  void noRequestReachesOutsideTheFolder() throws Exception {
    for (String target :
        new String[] {
          "/../outside.txt",
          "/%2e%2e/outside.txt",
          "/sub%20dir/../../outside.txt",
          "/sub%20dir/%2e%2e/%2e%2e/outside.txt",
          "/..%2foutside.txt",
          "/.secret",
          "/a.npy%00.txt",
          "/sub%20dir\\..\\..\\outside.txt",
          "//etc/passwd",
          "/escape",
          "/sub%20dir",
          "/missing.npy",
          "/"
        }) {
      RawHttp.Response r = get(target);
      assertThat(r.status()).as(target).isIn(400, 404);
      assertThat(r.text()).as(target).contains("\"code\":\"data/");
    }
  }

  @Test
  void isReadOnly() throws Exception {
    try (RawHttp http = new RawHttp(server.baseUrl())) {
      RawHttp.Response r = http.send("PUT", "/a.npy", new byte[3], "Content-Length", "3").read();
      assertThat(r.status()).isEqualTo(405);
    }
    assertThat(Files.readAllBytes(served.resolve("a.npy"))).isEqualTo(a);
  }

  @Test
  void refusesAFolderThatIsNotOne() {
    assertThatThrownBy(
            () ->
                FolderServer.start(
                    dir.resolve("outside.txt"),
                    new InetSocketAddress("127.0.0.1", 0),
                    DataLimits.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a folder");
  }

  @Test
  void aDataClientFetchesWhatItServes() throws Exception {
    Path out = dir.resolve("fetched.npy");
    new DataClient(Duration.ofSeconds(5)).fetch(server.urlOf(Path.of("a.npy")), out, 1 << 20);
    assertThat(Files.readAllBytes(out)).isEqualTo(a);
  }
}
