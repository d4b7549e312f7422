package io.peerz.gpu.data;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound HTTP/1.1 listener with the data plane's connection limits: at most {@code maxConnections}
 * open (the next is answered 503 and closed), and a connection idle for {@code idleTimeout} is
 * closed. Each connection gets its own handler from the supplier.
 */
final class HttpListener implements AutoCloseable {
  /** Largest request line and header block: a data-plane request needs a few hundred bytes. */
  static final int MAX_INITIAL_LINE = 4096;

  static final int MAX_HEADER_BYTES = 16384;

  /**
   * Largest body piece the decoder hands on: as large as a socket read, so an upload is written to
   * disk in the pieces the kernel delivers rather than in the decoder's default 8 KiB.
   */
  static final int MAX_CHUNK_BYTES = 1 << 20;

  private static final Logger log = LoggerFactory.getLogger(HttpListener.class);

  private final String name;
  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ChannelGroup connections;
  private final InetSocketAddress address;
  private boolean closed;

  private HttpListener(
      String name,
      EventLoopGroup group,
      Channel serverChannel,
      ChannelGroup connections,
      InetSocketAddress address) {
    this.name = name;
    this.group = group;
    this.serverChannel = serverChannel;
    this.connections = connections;
    this.address = address;
  }

  /** Binds {@code bind} (port 0: any free port) and serves each connection with a new handler. */
  static HttpListener start(
      String name, InetSocketAddress bind, DataLimits limits, Supplier<ChannelHandler> handlers) {
    return start(name, bind, limits, handlers, new ByteCount());
  }

  /**
   * As {@link #start(String, InetSocketAddress, DataLimits, Supplier)}, counting into {@code
   * bytes}.
   */
  static HttpListener start(
      String name,
      InetSocketAddress bind,
      DataLimits limits,
      Supplier<ChannelHandler> handlers,
      ByteCount bytes) {
    EventLoopGroup group =
        new NioEventLoopGroup(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory(name, true));
    ChannelGroup connections = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
    ConnectionLimit limit = new ConnectionLimit(name, limits.maxConnections());
    long idleMillis = limits.idleTimeout().toMillis();
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              // Reads of up to 1 MiB: an upload streams at memory speed on loopback, and fewer,
              // larger reads mean fewer disk writes and fewer trips through the pipeline.
              .childOption(
                  ChannelOption.RCVBUF_ALLOCATOR,
                  new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, MAX_CHUNK_BYTES))
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      connections.add(ch);
                      ch.pipeline()
                          .addLast(bytes)
                          .addLast(limit)
                          // observeOutput: a slow reader still taking a large file is not idle.
                          .addLast(
                              new IdleStateHandler(true, 0, 0, idleMillis, TimeUnit.MILLISECONDS))
                          .addLast(
                              new HttpServerCodec(
                                  MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK_BYTES))
                          .addLast(handlers.get());
                    }
                  })
              .bind(bind)
              .syncUninterruptibly()
              .channel();
      InetSocketAddress bound = (InetSocketAddress) server.localAddress();
      log.info(
          "data listener started name={} address={}:{}",
          name,
          bind.getHostString(),
          bound.getPort());
      return new HttpListener(
          name,
          group,
          server,
          connections,
          new InetSocketAddress(bind.getAddress(), bound.getPort()));
    } catch (Exception e) {
      // Netty rethrows the bind's IOException undeclared: say what could not be bound.
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      String message =
          "cannot listen on " + bind.getHostString() + ":" + bind.getPort() + ": " + e.getMessage();
      if (e instanceof IOException io) {
        throw new UncheckedIOException(message, io);
      }
      throw new IllegalStateException(message, e);
    }
  }

  /** The bound address (with the real port when 0 was asked). */
  InetSocketAddress address() {
    return address;
  }

  /** {@code http://host:port} of the bound address. */
  URI baseUrl() {
    String host = address.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + address.getPort());
  }

  /** Stops listening and closes every connection. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    serverChannel.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    log.info("data listener closed name={} port={}", name, address.getPort());
  }

  /**
   * Counts open connections; one past the limit is answered 503 (in raw bytes: the HTTP codec sits
   * after this handler) and closed before anything of it is read.
   */
  @ChannelHandler.Sharable
  static final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private final String name;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimit(String name, int max) {
      this.name = name;
      this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      int now = open.incrementAndGet();
      if (now > max) {
        ctx.channel().config().setAutoRead(false);
        log.warn(
            "data connection refused name={} remote={} open={} max_connections={}",
            name,
            ctx.channel().remoteAddress(),
            now - 1,
            max);
        String body =
            JsonBody.error(
                DataError.TOO_MANY_CONNECTIONS.code(),
                "this server holds its limit of "
                    + max
                    + " connections; retry in a moment, or use fewer parallel connections");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head =
            "HTTP/1.1 503 Service Unavailable\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: "
                + bytes.length
                + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
        ByteBuf out = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), bytes);
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      open.decrementAndGet();
      super.channelInactive(ctx);
    }
  }
}
