package io.peerz.gpu.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a folder's files read-only over {@code GET /<relative path>} with ranges ({@code peerz
 * data serve DIR}): for buyers who host their inputs and name the URLs in their jobs. Nothing
 * outside the folder is reachable: no {@code ..}, no hidden names, no symbolic link that leads out.
 */
public final class FolderServer implements AutoCloseable {
  /** The most files {@link #files()} lists. */
  public static final int MAX_LISTED = 10_000;

  private static final Logger log = LoggerFactory.getLogger(FolderServer.class);

  private final Path root;
  private HttpListener listener;

  private FolderServer(Path root) {
    this.root = root;
  }

  /**
   * Serves {@code dir} on {@code bind} (port 0: any free port).
   *
   * @throws IllegalArgumentException when {@code dir} is not a readable folder
   */
  public static FolderServer start(Path dir, InetSocketAddress bind, DataLimits limits) {
    Path root;
    try {
      root = dir.toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serve " + dir + ": " + e.getMessage(), e);
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("cannot serve " + dir + ": not a folder");
    }
    FolderServer server = new FolderServer(root);
    server.listener =
        HttpListener.start(
            "data-folder", bind, limits, () -> new FolderConnection(root, limits.idleTimeout()));
    log.info("folder server started url={} dir={}", server.baseUrl(), root);
    return server;
  }

  /** e.g. {@code http://127.0.0.1:8090}. */
  public URI baseUrl() {
    return listener.baseUrl();
  }

  /** The folder served (its real path). */
  public Path root() {
    return root;
  }

  /**
   * The servable files (regular, inside the folder, no hidden name on the way), relative to the
   * folder, in order; at most {@link #MAX_LISTED}.
   */
  public List<Path> files() {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .filter(this::inside)
          .map(root::relativize)
          .filter(FolderServer::visible)
          .sorted()
          .limit(MAX_LISTED)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  /** The URL of a file given relative to the folder, its path percent-encoded. */
  public URI urlOf(Path relative) {
    List<String> segments = new ArrayList<>();
    for (Path p : relative) {
      segments.add(p.toString());
    }
    try {
      URI base = baseUrl();
      return new URI(
          base.getScheme(),
          null,
          base.getHost(),
          base.getPort(),
          "/" + String.join("/", segments),
          null,
          null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("no URL for " + relative + ": " + e.getMessage(), e);
    }
  }

  /** Stops serving. */
  @Override
  public void close() {
    listener.close();
    log.info("folder server closed dir={}", root);
  }

  /** False for a symbolic link that resolves outside the folder (it is not served either). */
  private boolean inside(Path file) {
    try {
      return file.toRealPath().startsWith(root);
    } catch (IOException e) {
      return false;
    }
  }

  static boolean visible(Path relative) {
    for (Path p : relative) {
      if (p.toString().startsWith(".")) {
        return false;
      }
    }
    return true;
  }
}
