package io.peerz.gpu.data;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * One connection to a {@link FolderServer}: maps {@code /a/b.npy} to {@code DIR/a/b.npy} after
 * refusing every way out of the folder ({@code ..}, {@code .}, hidden names, NUL, backslashes,
 * symbolic links that resolve outside).
 */
final class FolderConnection extends HttpConnection {
  private final Path root;

  FolderConnection(Path root, Duration idleTimeout) {
    super(LoggerFactory.getLogger(FolderServer.class), idleTimeout);
    this.root = root;
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
    if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
      sendError(
          ctx,
          DataError.METHOD_NOT_ALLOWED,
          "this folder is served read-only: GET or HEAD a file",
          HttpHeaderNames.ALLOW.toString(),
          "GET, HEAD");
      return;
    }
    String raw = DataConnection.rawPath(req.uri());
    String path;
    try {
      // As a path after an authority, so that '//x' stays a path (with an empty segment).
      path = new URI("http://folder" + raw).getPath();
    } catch (URISyntaxException e) {
      sendError(ctx, DataError.BAD_REQUEST, "malformed path '" + ByteRange.clip(raw) + "'");
      return;
    }
    if (path == null || !path.startsWith("/") || path.equals("/")) {
      sendError(
          ctx,
          DataError.NOT_FOUND,
          "GET /<file path relative to the served folder>; 'peerz data serve' printed each URL");
      return;
    }
    Path file = root;
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.isEmpty()
          || segment.startsWith(".")
          || segment.indexOf('\\') >= 0
          || segment.indexOf('\0') >= 0) {
        sendError(
            ctx,
            DataError.BAD_REQUEST,
            "'"
                + ByteRange.clip(path)
                + "' is not a file path of the served folder: no empty, '.', '..' or hidden"
                + " segments");
        return;
      }
      file = file.resolve(segment);
    }
    Path real;
    try {
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      notFound(ctx, path);
      return;
    } catch (IOException e) {
      notFound(ctx, path);
      return;
    }
    if (!real.startsWith(root) || !Files.isRegularFile(real)) {
      log.info("folder request outside the folder or not a file path={} real={}", path, real);
      notFound(ctx, path);
      return;
    }
    sendFile(ctx, req, real);
  }

  private void notFound(ChannelHandlerContext ctx, String path) {
    sendError(
        ctx, DataError.NOT_FOUND, "no file '" + ByteRange.clip(path) + "' in the served folder");
  }
}
