package io.peerz.rpc;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/**
 * The block explorer at {@code /explorer/}: a static page (HTML, JS and CSS from this jar, no build
 * step, nothing fetched from elsewhere) that reads the node through its own JSON-RPC and follows
 * new blocks and txs over {@code /websocket}. Only the files listed here are served.
 */
@Controller("/explorer")
class ExplorerController {
  private static final String ROOT = "/io/peerz/rpc/explorer/";

  /** The page's files and their content types. */
  static final Map<String, String> FILES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "explorer.js", "text/javascript; charset=utf-8",
          "explorer.css", "text/css; charset=utf-8");

  private final Map<String, byte[]> contents;

  ExplorerController() {
    // Read once: the files are small and never change while the node runs.
    this.contents =
        Map.of(
            "index.html", read("index.html"),
            "explorer.js", read("explorer.js"),
            "explorer.css", read("explorer.css"));
  }

  private static byte[] read(String name) {
    try (InputStream in = ExplorerController.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException("explorer file missing from the jar: " + ROOT + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The page. {@code /explorer} is sent to {@code /explorer/} so that the page's relative links
   * (its files, the RPC, the websocket) resolve under whatever prefix a proxy serves it at.
   */
  @Get(produces = MediaType.TEXT_HTML)
  HttpResponse<byte[]> page(HttpRequest<?> request) {
    if (!request.getPath().endsWith("/")) {
      return HttpResponse.<byte[]>status(HttpStatus.MOVED_PERMANENTLY)
          .headers(h -> h.location(URI.create("explorer/")));
    }
    return file("index.html");
  }

  @Get("/{name}")
  HttpResponse<byte[]> file(@PathVariable String name) {
    byte[] body = contents.get(name);
    if (body == null) {
      return HttpResponse.<byte[]>notFound()
          .contentType(MediaType.TEXT_PLAIN_TYPE)
          .body(
              ("no such explorer file: " + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return HttpResponse.ok(body)
        .contentType(MediaType.of(FILES.get(name)))
        .header("Cache-Control", "no-cache");
  }
}
