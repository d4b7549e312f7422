package io.peerz.abci;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.peerz.consensus.Application;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ABCI 2.0 socket server that lets CometBFT v0.38 ({@code proxy_app = "tcp://..."}) drive an
 * {@link Application}.
 */
public final class AbciServer implements AutoCloseable {

  /**
   * The largest request frame accepted: 100 MB, CometBFT's largest block (types.MaxBlockSizeBytes),
   * which bounds every request of a chain whose block.max_bytes is positive (InitChain refuses -1).
   * CometBFT's own socket reads frames of up to 2 GB (abci/types/messages.go).
   */
  public static final int MAX_FRAME_BYTES = 104_857_600;

  private static final Logger log = LoggerFactory.getLogger(AbciServer.class);

  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ChannelGroup connections;
  private final String address;
  private boolean closed;

  private AbciServer(
      EventLoopGroup group, Channel serverChannel, ChannelGroup connections, String address) {
    this.group = group;
    this.serverChannel = serverChannel;
    this.connections = connections;
    this.address = address;
  }

  /**
   * Listens on {@code tcp://host:port} (port 0 picks a free port; see {@link #address()}) and
   * serves {@code app} to every connection until {@link #close()}.
   *
   * @throws IllegalArgumentException if {@code listen} is not a {@code tcp://host:port} address
   */
  public static AbciServer start(Application app, String listen) {
    InetSocketAddress bind = parse(listen);
    ApplicationAdapter adapter = new ApplicationAdapter(app);
    EventLoopGroup group = new NioEventLoopGroup(1);
    ChannelGroup connections = new DefaultChannelGroup("abci", GlobalEventExecutor.INSTANCE);
    AtomicInteger connectionIds = new AtomicInteger();
    try {
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              // A client that shuts down its output (or hangs up mid-frame) still gets its
              // answers, or the exception that says its last frame was cut short.
              .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      connections.add(ch);
                      ch.pipeline()
                          .addLast(new FrameDecoder(MAX_FRAME_BYTES))
                          .addLast(
                              new AbciConnection(
                                  adapter, "abci-conn-" + connectionIds.incrementAndGet()));
                    }
                  })
              .bind(bind)
              .syncUninterruptibly()
              .channel();
      InetSocketAddress bound = (InetSocketAddress) server.localAddress();
      String host = bind.getHostString();
      String address =
          "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
      log.info("abci server listening address={}", address);
      return new AbciServer(group, server, connections, address);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** The address the server listens on, {@code tcp://host:port} with the bound port. */
  public String address() {
    return address;
  }

  /** Stops listening and closes every open connection. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    serverChannel.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    log.info("abci server closed address={}", address);
  }

  static InetSocketAddress parse(String listen) {
    URI uri;
    try {
      uri = new URI(listen);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("ABCI listen address is not tcp://host:port: " + listen);
    }
    if (!"tcp".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException(
          "ABCI listen address must be tcp://host:port (unix sockets are not supported): "
              + listen);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, uri.getPort());
  }
}
