package io.peerz.rpc;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
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
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CometBFT's {@code [rpc]} limits on one HTTP connection, right after Netty's HTTP decoder: a
 * connection over {@code max_open_connections}, a request line or header block over {@code
 * max_header_bytes} (the decoder stops reading at the limit), a body over {@code max_body_bytes} by
 * its Content-Length (refused before a byte of it is read) or by the bytes of a chunked body, a
 * {@code GET /websocket} without the upgrade headers. Each is answered at once with a JSON-RPC
 * error that names the limit, and the connection closed. Websocket upgrades go on without
 * compression (CometBFT offers none), so a message's size on the wire is its size; the 101 answer
 * turns on the connection's {@link WebSocketMessageLimit}.
 */
final class RequestLimits extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RequestLimits.class);

  private final RpcLimits limits;
  private final JsonRpc rpc;
  private final AtomicInteger openConnections;
  private final WebSocketMessageLimit webSocket;
  private boolean overConnections;
  private boolean counted;
  private boolean refused;
  private long bodyBytes;

  RequestLimits(
      RpcLimits limits,
      JsonRpc rpc,
      AtomicInteger openConnections,
      WebSocketMessageLimit webSocket) {
    this.limits = limits;
    this.rpc = rpc;
    this.openConnections = openConnections;
    this.webSocket = webSocket;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    counted = true;
    int open = openConnections.incrementAndGet();
    overConnections = limits.maxOpenConnections() > 0 && open > limits.maxOpenConnections();
    ctx.channel()
        .closeFuture()
        .addListener(
            f -> {
              if (counted) {
                counted = false;
                openConnections.decrementAndGet();
              }
            });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      bodyBytes = 0;
      String refusal = check(request);
      if (refusal != null) {
        refuse(ctx, msg, refusal);
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      bodyBytes += content.content().readableBytes();
      if (bodyBytes > limits.maxBodyBytes()) {
        refuse(
            ctx,
            msg,
            "413 request body over rpc.max_body_bytes (" + limits.maxBodyBytes() + " bytes)");
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** The refusal of a request by its head, as "status text", or null when it may go on. */
  private String check(HttpRequest request) {
    if (overConnections) {
      return "503 too many open connections: rpc.max_open_connections is "
          + limits.maxOpenConnections();
    }
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        return "414 request line (URL and query) over rpc.max_header_bytes ("
            + limits.maxHeaderBytes()
            + " bytes)";
      }
      if (cause instanceof TooLongHttpHeaderException) {
        return "431 request headers over rpc.max_header_bytes ("
            + limits.maxHeaderBytes()
            + " bytes)";
      }
      return "400 malformed HTTP request: " + cause.getMessage();
    }
    boolean upgrade = isWebSocketUpgrade(request);
    if (request.method().equals(HttpMethod.GET)
        && new QueryStringDecoder(request.uri()).path().equals("/websocket")
        && !upgrade) {
      return "400 GET /websocket opens a websocket: it needs the headers Connection: Upgrade and"
          + " Upgrade: websocket, which websocket clients send";
    }
    if (upgrade) {
      request.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
    }
    long length = HttpUtil.getContentLength(request, -1L);
    if (length > limits.maxBodyBytes()) {
      return "413 request body of "
          + length
          + " bytes over rpc.max_body_bytes ("
          + limits.maxBodyBytes()
          + " bytes)";
    }
    return null;
  }

  private static boolean isWebSocketUpgrade(HttpRequest request) {
    String connection = request.headers().get(HttpHeaderNames.CONNECTION, "");
    return connection.toLowerCase(Locale.ROOT).contains("upgrade")
        && "websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE));
  }

  /** Answers {@code refusal} ("status text") as a JSON-RPC error and closes the connection. */
  private void refuse(ChannelHandlerContext ctx, Object msg, String refusal) {
    refused = true;
    ReferenceCountUtil.release(msg);
    int status = Integer.parseInt(refusal.substring(0, 3));
    String data = refusal.substring(4);
    LOG.info(
        "rpc request refused remote={} status={} reason=\"{}\"",
        ctx.channel().remoteAddress(),
        status,
        data);
    RpcException error =
        status == 503 ? RpcException.internal(data) : RpcException.invalidRequest(data);
    JsonRpc.Reply reply = rpc.refusal(status, error);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.wrappedBuffer(reply.json()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, reply.json().length);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(f -> Linger.closeSoon(ctx));
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response
        && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      webSocket.activate();
    }
    ctx.write(msg, promise);
  }
}
