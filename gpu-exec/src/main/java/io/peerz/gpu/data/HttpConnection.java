package io.peerz.gpu.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * One HTTP/1.1 connection of a data-plane server: keep-alive, a deadline for each request's headers
 * (a client trickling its headers byte by byte is closed, whatever the idle timer says), early
 * answers to requests whose body is not wanted, JSON errors and file replies with ranges.
 * Subclasses route the requests; {@link #onRequest} answers or takes the body.
 */
abstract class HttpConnection extends ChannelInboundHandlerAdapter {
  /**
   * The largest unwanted body read and dropped to keep a connection open after an early answer;
   * past it the connection is closed instead.
   */
  static final long DISCARD_LIMIT = 1 << 20;

  protected final Logger log;
  private final Duration idleTimeout;
  private ScheduledFuture<?> headerDeadline;
  private HttpRequest request;

  /** Between a request's headers and its last content. */
  private boolean inRequest;

  /** The body of the current request is taken by the subclass (onContent). */
  private boolean bodyTaken;

  /** Dropping the rest of a body already answered. */
  private boolean discarding;

  /** Bytes of the current body not yet read (-1: unknown). */
  private long bodyLeft;

  /** Waiting for work off the event loop: the idle timer must not close the connection. */
  private boolean busy;

  private boolean closing;

  HttpConnection(Logger log, Duration idleTimeout) {
    this.log = log;
    this.idleTimeout = idleTimeout;
  }

  /** Answers the request, or calls {@link #takeBody} and answers once the body is in. */
  protected abstract void onRequest(ChannelHandlerContext ctx, HttpRequest request);

  /** A piece of a taken body; released by the caller after this returns. */
  protected void onContent(ChannelHandlerContext ctx, HttpContent content) {}

  /** The connection closed; a subclass drops what it holds for it. */
  protected void onClosed() {}

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    armHeaderDeadline(ctx);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelHeaderDeadline();
    onClosed();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (closing) {
        return;
      }
      if (msg instanceof HttpRequest req) {
        startRequest(ctx, req);
      }
      if (msg instanceof HttpContent content) {
        readContent(ctx, content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void startRequest(ChannelHandlerContext ctx, HttpRequest req) {
    cancelHeaderDeadline();
    request = req;
    inRequest = true;
    bodyTaken = false;
    discarding = false;
    bodyLeft = HttpUtil.isTransferEncodingChunked(req) ? -1 : HttpUtil.getContentLength(req, 0L);
    if (req.decoderResult().isFailure()) {
      Throwable cause = req.decoderResult().cause();
      sendErrorAndClose(
          ctx,
          DataError.BAD_REQUEST,
          "malformed HTTP request: " + (cause == null ? "unknown" : cause.getMessage()));
      return;
    }
    onRequest(ctx, req);
  }

  private void readContent(ChannelHandlerContext ctx, HttpContent content) {
    if (!inRequest) {
      return;
    }
    if (content.decoderResult().isFailure()) {
      sendErrorAndClose(
          ctx,
          DataError.BAD_REQUEST,
          "malformed HTTP body: " + content.decoderResult().cause().getMessage());
      return;
    }
    if (bodyLeft > 0) {
      bodyLeft -= content.content().readableBytes();
    }
    boolean last = content instanceof LastHttpContent;
    if (last) {
      inRequest = false;
    }
    if (bodyTaken) {
      onContent(ctx, content);
    } else if (last && discarding) {
      discarding = false;
      armHeaderDeadline(ctx);
    }
  }

  /** The subclass reads this request's body through {@link #onContent}. */
  protected final void takeBody() {
    bodyTaken = true;
  }

  /** Stops reading until {@link #resume}: the answer waits for work off the event loop. */
  protected final void pause(ChannelHandlerContext ctx) {
    busy = true;
    ctx.channel().config().setAutoRead(false);
  }

  /** Reads again after {@link #pause}. */
  protected final void resume(ChannelHandlerContext ctx) {
    busy = false;
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      if (!busy) {
        log.info(
            "data connection idle, closed remote={} idle_timeout_ms={}",
            ctx.channel().remoteAddress(),
            idleTimeout.toMillis());
        ctx.close();
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("data connection error remote={} cause={}", ctx.channel().remoteAddress(), cause);
    } else {
      log.warn("data connection failed remote={}", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  /** Answers a JSON body with {@code status}. */
  protected final void sendJson(
      ChannelHandlerContext ctx, HttpResponseStatus status, String json, String... headers) {
    ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    setHeaders(res, headers);
    if (request != null && HttpMethod.HEAD.equals(request.method())) {
      // A HEAD answer has GET's headers and no body.
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      FullHttpResponse head =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
      head.headers().set(res.headers());
      res.release();
      send(ctx, head, null);
      return;
    }
    HttpUtil.setContentLength(res, body.readableBytes());
    send(ctx, res, null);
  }

  /** Answers an error: its HTTP status and {@code {"error": {"code", "message"}}}. */
  protected final void sendError(
      ChannelHandlerContext ctx, DataError error, String message, String... headers) {
    sendError(ctx, error.code(), HttpResponseStatus.valueOf(error.httpStatus()), message, headers);
  }

  protected final void sendError(
      ChannelHandlerContext ctx,
      String code,
      HttpResponseStatus status,
      String message,
      String... headers) {
    log.info(
        "data request refused remote={} method={} uri={} status={} code={} message=\"{}\"",
        ctx.channel().remoteAddress(),
        request == null ? "-" : request.method(),
        request == null ? "-" : ByteRange.clip(request.uri()),
        status.code(),
        code,
        message);
    sendJson(ctx, status, JsonBody.error(code, message), headers);
  }

  /** Answers an error and closes the connection after it, whatever the request asked. */
  protected final void sendErrorAndClose(
      ChannelHandlerContext ctx, DataError error, String message) {
    closing = true;
    sendError(ctx, error, message);
  }

  /**
   * Serves {@code file} (GET or HEAD), whole (200) or the one range the Range header asks (206);
   * the bytes go from the page cache to the socket without passing through the heap.
   */
  protected final void sendFile(ChannelHandlerContext ctx, HttpRequest req, Path file) {
    FileChannel channel;
    long size;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
      size = channel.size();
    } catch (NoSuchFileException e) {
      sendError(ctx, DataError.NOT_FOUND, "the file is gone (its job was forgotten)");
      return;
    } catch (IOException e) {
      log.warn("data file unreadable file={} cause={}", file, e.toString());
      sendError(ctx, DataError.INTERNAL, "the server cannot read the file: " + e.getMessage());
      return;
    }
    String rangeHeader = req.headers().get(HttpHeaderNames.RANGE);
    ByteRange range;
    try {
      range = rangeHeader == null ? null : ByteRange.parse(rangeHeader, size);
    } catch (DataRejectedException e) {
      close(channel);
      DataError error =
          e.code().equals(DataError.RANGE_NOT_SATISFIABLE.code())
              ? DataError.RANGE_NOT_SATISFIABLE
              : DataError.BAD_RANGE;
      sendError(ctx, error, e.getMessage(), "Content-Range", "bytes */" + size);
      return;
    }
    long first = range == null ? 0 : range.first();
    long length = range == null ? size : range.length();
    HttpResponse res =
        new DefaultHttpResponse(
            HttpVersion.HTTP_1_1,
            range == null ? HttpResponseStatus.OK : HttpResponseStatus.PARTIAL_CONTENT);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
    res.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
    HttpUtil.setContentLength(res, length);
    if (range != null) {
      res.headers()
          .set(
              HttpHeaderNames.CONTENT_RANGE,
              "bytes " + range.first() + "-" + range.last() + "/" + size);
    }
    if (HttpMethod.HEAD.equals(req.method()) || length == 0) {
      close(channel);
      send(ctx, res, null);
      return;
    }
    log.debug(
        "data file sent remote={} file={} first={} length={}",
        ctx.channel().remoteAddress(),
        file.getFileName(),
        first,
        length);
    send(ctx, res, new DefaultFileRegion(channel, first, length));
  }

  /**
   * Writes an answer and decides the connection's fate: closed when the client asked it, after
   * {@link #sendErrorAndClose}, or when a body still coming is too large to drop; otherwise kept
   * for the next request, dropping the unread rest of the body first.
   */
  private void send(ChannelHandlerContext ctx, HttpResponse res, Object body) {
    boolean keepAlive = request == null || HttpUtil.isKeepAlive(request);
    boolean bodyPending = inRequest && !bodyTaken;
    boolean dropBody =
        bodyPending
            && bodyLeft >= 0
            && bodyLeft <= DISCARD_LIMIT
            && !HttpUtil.is100ContinueExpected(request);
    boolean closeAfter = closing || !keepAlive || (bodyPending && !dropBody);
    if (closeAfter) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      closing = true;
    } else if (request != null && request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ChannelFuture done;
    if (res instanceof FullHttpResponse) {
      done = ctx.writeAndFlush(res);
    } else {
      ctx.write(res);
      if (body != null) {
        ctx.write(body);
      }
      done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }
    if (closeAfter) {
      done.addListener(ChannelFutureListener.CLOSE);
    } else if (bodyPending) {
      discarding = true;
    } else {
      armHeaderDeadline(ctx);
    }
  }

  /** Sends {@code 100 Continue} when the client waits for it before its body. */
  protected final void continueIfExpected(ChannelHandlerContext ctx, HttpRequest req) {
    if (HttpUtil.is100ContinueExpected(req)) {
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  private void armHeaderDeadline(ChannelHandlerContext ctx) {
    cancelHeaderDeadline();
    headerDeadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (!inRequest && !busy && ctx.channel().isActive()) {
                    log.info(
                        "data connection closed, no request within timeout remote={}"
                            + " idle_timeout_ms={}",
                        ctx.channel().remoteAddress(),
                        idleTimeout.toMillis());
                    ctx.close();
                  }
                },
                idleTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
  }

  private void cancelHeaderDeadline() {
    if (headerDeadline != null) {
      headerDeadline.cancel(false);
      headerDeadline = null;
    }
  }

  private static void setHeaders(HttpResponse res, String... headers) {
    for (int i = 0; i + 1 < headers.length; i += 2) {
      res.headers().set(headers[i], headers[i + 1]);
    }
  }

  private void close(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("data file close failed cause={}", e.toString());
    }
  }
}
