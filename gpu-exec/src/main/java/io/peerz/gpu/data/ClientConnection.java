package io.peerz.gpu.data;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * One HTTP/1.1 client connection (plain, or TLS with the host name checked), one exchange at a
 * time, kept open between exchanges while the server allows. A request body is a file region (sent
 * with {@code sendfile} over plain TCP) or a chunked file read (over TLS); a response body goes
 * where its {@link BodyTarget} says once its status and headers are known. An exchange fails when
 * no byte moves either way for the timeout.
 */
final class ClientConnection implements AutoCloseable {
  /** Chooses where a response body goes, from its status and headers. */
  @FunctionalInterface
  interface BodyTarget {
    BodySink open(HttpResponse head) throws IOException;
  }

  /** A complete response: status, headers, and the sink that took its body. */
  record Response(int status, HttpHeaders headers, BodySink body) {
    /** The body as text ("" when it went to a file). */
    String text() {
      return body instanceof TextSink t ? t.text() : "";
    }
  }

  /** The response's headers refused the body before any of it was read. */
  static final class Refused extends IOException {
    final transient DataTransferException reason;

    Refused(DataTransferException reason) {
      super(reason.getMessage());
      this.reason = reason;
    }
  }

  private final Channel channel;
  private final Exchanges exchanges;
  private final String origin;

  private ClientConnection(Channel channel, Exchanges exchanges, String origin) {
    this.channel = channel;
    this.exchanges = exchanges;
    this.origin = origin;
  }

  /** The scheme, host and port a URI's requests go to: connections are reused per origin. */
  static String origin(URI uri) {
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
    return (https ? "https" : "http") + "://" + uri.getHost() + ":" + port;
  }

  /** Connects to the URI's origin (and completes the TLS handshake for https). */
  static ClientConnection open(
      EventLoopGroup group, URI uri, Duration timeout, Supplier<SslContext> tls, ByteCount bytes)
      throws IOException, InterruptedException {
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    String host = uri.getHost();
    if (host == null) {
      throw new IOException("no host in " + uri);
    }
    String bareHost =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
    Exchanges exchanges = new Exchanges(timeout);
    SslContext ssl = https ? tls.get() : null;
    ChannelFuture connect =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.RCVBUF_ALLOCATOR,
                new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, HttpListener.MAX_CHUNK_BYTES))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(bytes);
                    if (ssl != null) {
                      SslHandler tlsHandler = ssl.newHandler(ch.alloc(), bareHost, port);
                      SSLEngine engine = tlsHandler.engine();
                      SSLParameters params = engine.getSSLParameters();
                      params.setEndpointIdentificationAlgorithm("HTTPS");
                      engine.setSSLParameters(params);
                      ch.pipeline().addLast(tlsHandler);
                    }
                    ch.pipeline()
                        .addLast(
                            new IdleStateHandler(
                                true, 0, 0, timeout.toMillis(), TimeUnit.MILLISECONDS))
                        .addLast(
                            new HttpClientCodec(
                                HttpListener.MAX_INITIAL_LINE,
                                HttpListener.MAX_HEADER_BYTES,
                                HttpListener.MAX_CHUNK_BYTES))
                        .addLast(new ChunkedWriteHandler())
                        .addLast(exchanges);
                  }
                })
            .connect(bareHost, port);
    try {
      connect.await();
    } catch (InterruptedException e) {
      connect.channel().close();
      throw e;
    }
    if (!connect.isSuccess()) {
      throw new IOException(
          "cannot connect to " + bareHost + ":" + port + ": " + describe(connect.cause()),
          connect.cause());
    }
    Channel channel = connect.channel();
    if (ssl != null) {
      var handshake = channel.pipeline().get(SslHandler.class).handshakeFuture();
      try {
        handshake.await();
      } catch (InterruptedException e) {
        channel.close();
        throw e;
      }
      if (!handshake.isSuccess()) {
        channel.close();
        throw new IOException(
            "TLS handshake with "
                + bareHost
                + ":"
                + port
                + " failed: "
                + describe(handshake.cause()),
            handshake.cause());
      }
    }
    return new ClientConnection(channel, exchanges, origin(uri));
  }

  /** The origin this connection talks to. */
  String origin() {
    return origin;
  }

  /** True while another exchange may use this connection. */
  boolean reusable() {
    return channel.isActive() && exchanges.keepAlive;
  }

  /**
   * Sends {@code request} with {@code body} (a file region, a chunked input, or null) and waits for
   * the whole response. An answer that comes before the body is sent (a refusal) ends the exchange
   * too.
   */
  Response send(HttpRequest request, Object body, BodyTarget target)
      throws IOException, InterruptedException {
    CompletableFuture<Response> done = exchanges.begin(target);
    channel.write(request);
    if (body != null) {
      channel.write(body);
    }
    channel
        .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                // The server may still answer (a refusal it sent before closing): the exchange
                // ends with the answer, or with the connection's end, which names this cause.
                exchanges.sendFailed = describe(f.cause());
                channel.close();
              }
            });
    try {
      return done.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io : new IOException(describe(cause), cause);
    } catch (InterruptedException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void close() {
    channel.close();
  }

  private static String describe(Throwable e) {
    if (e == null) {
      return "unknown cause";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The connection's side of each exchange: the response as it arrives. */
  private static final class Exchanges extends ChannelInboundHandlerAdapter {
    private final Duration timeout;
    private volatile CompletableFuture<Response> done;
    private volatile BodyTarget target;
    private BodySink sink;
    private HttpResponse head;
    volatile boolean keepAlive = true;
    volatile String sendFailed;

    Exchanges(Duration timeout) {
      this.timeout = timeout;
    }

    CompletableFuture<Response> begin(BodyTarget target) {
      CompletableFuture<Response> f = new CompletableFuture<>();
      sendFailed = null;
      this.target = target;
      this.done = f;
      return f;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        CompletableFuture<Response> f = done;
        if (f == null) {
          ctx.close(); // bytes nobody asked for: the stream is out of step
          return;
        }
        if (msg instanceof HttpResponse r) {
          if (r.decoderResult().isFailure()) {
            throw new IOException("malformed response: " + describe(r.decoderResult().cause()));
          }
          if (r.status().equals(HttpResponseStatus.CONTINUE)) {
            return;
          }
          head = r;
          keepAlive = HttpUtil.isKeepAlive(r);
          sink = target.open(r);
        }
        if (msg instanceof HttpContent c && sink != null) {
          if (c.decoderResult().isFailure()) {
            throw new IOException(
                "malformed response body: " + describe(c.decoderResult().cause()));
          }
          sink.write(c.content());
          if (c instanceof LastHttpContent) {
            BodySink body = sink;
            HttpResponse r = head;
            reset();
            body.close();
            f.complete(new Response(r.status().code(), r.headers(), body));
            if (!keepAlive) {
              ctx.close();
            }
          }
        }
      } catch (IOException e) {
        fail(e);
        ctx.close();
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      keepAlive = false;
      String why = sendFailed == null ? "" : " (sending failed: " + sendFailed + ")";
      fail(
          new IOException(
              head == null
                  ? "the connection closed before an answer" + why
                  : "the connection closed in the middle of the answer" + why));
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause instanceof IOException io ? io : new IOException(describe(cause), cause));
      ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        fail(
            new IOException(
                "no byte moved for " + timeout.toMillis() + " ms; dropped the connection"));
        ctx.close();
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    /** Ends the current exchange with {@code cause} (no-op when none is open). */
    void fail(IOException cause) {
      keepAlive = false;
      CompletableFuture<Response> f = done;
      BodySink body = sink;
      reset();
      if (body != null) {
        body.close();
      }
      if (f != null) {
        f.completeExceptionally(cause);
      }
    }

    private void reset() {
      done = null;
      target = null;
      sink = null;
      head = null;
    }
  }
}
