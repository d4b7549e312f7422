package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
  @TempDir Path dir;

  @Test
  void serveHelpExplainsWhatIsServedAndHowToStop() {
    CliRun help = CliRun.run("data", "serve", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("--laddr")
        .contains("127.0.0.1:8090")
        .contains("read-only")
        .contains("Ctrl-C")
        .contains("--a-url");
    assertThat(CliRun.run("data").exitCode()).isEqualTo(2);
  }

  @Test
  void serveRefusesSomethingThatIsNotAFolder() throws Exception {
    Path file = Files.write(dir.resolve("a.npy"), new byte[3]);
    CliRun r = CliRun.run("data", "serve", file.toString(), "--laddr", "127.0.0.1:0");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("not a folder");
    assertThat(CliRun.run("data", "serve", dir.toString(), "--laddr", "nonsense").err())
        .contains("--laddr: expected host:port");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun busy =
          CliRun.run(
              "data", "serve", dir.toString(), "--laddr", "127.0.0.1:" + taken.getLocalPort());
      assertThat(busy.exitCode()).isEqualTo(1);
      assertThat(busy.err())
          .contains("Error: cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("\tat ");
    }
  }

  @Test
  void servePrintsEachFilesUrlAndServesItUntilStopped() throws Exception {
    byte[] a = new byte[1000];
    for (int i = 0; i < a.length; i++) {
      a[i] = (byte) i;
    }
    Files.write(dir.resolve("a.npy"), a);
    StringWriter out = new StringWriter();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread serving =
        new Thread(
            () ->
                exit.set(
                    PeerzCli.execute(
                        new String[] {"data", "serve", dir.toString(), "--laddr", "127.0.0.1:0"},
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter(), true),
                        Map.of(),
                        null)));
    serving.start();
    Pattern url = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/a\\.npy)  1000 bytes");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Matcher m = url.matcher("");
    while (!(m = url.matcher(out.toString())).find()) {
      assertThat(System.nanoTime()).as("the URL is printed in time: " + out).isLessThan(deadline);
      LockSupport.parkNanos(5_000_000);
    }

    HttpResponse<byte[]> got =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(m.group(1)))
                    .header("Range", "bytes=10-19")
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());

    assertThat(got.statusCode()).isEqualTo(206);
    assertThat(got.body()).containsExactly(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
    serving.interrupt();
    serving.join(10_000);
    assertThat(serving.isAlive()).isFalse();
    assertThat(exit.get()).isZero();
  }
}
