package io.peerz.abci;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.peerz.abci.proto.Request;
import io.peerz.abci.proto.Response;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of CometBFT's four ABCI connections (consensus, mempool, query, snapshot).
 *
 * <p>Requests are served one after another on the connection's own thread, so responses leave in
 * request order and a blocked Application call never stalls the I/O thread that the other
 * connections share. Responses are written as they are produced but reach the socket only when a
 * Flush is answered, which is what lets CometBFT pipeline CheckTx. A request that cannot be served
 * is answered with a ResponseException and the connection is closed, as CometBFT's own server does.
 */
final class AbciConnection extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(AbciConnection.class);

  private final ApplicationAdapter adapter;
  private final ExecutorService worker;
  private final AtomicLong requests = new AtomicLong();
  private volatile boolean closing;
  private volatile String remote = "?";

  AbciConnection(ApplicationAdapter adapter, String threadName) {
    this.adapter = adapter;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    remote = String.valueOf(ctx.channel().remoteAddress());
    log.info("abci connection opened remote={}", remote);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Requests already queued still run (their writes fail quietly on the closed channel); the
    // thread ends once they have.
    worker.shutdown();
    log.info("abci connection closed remote={} requests={}", remote, requests.get());
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof byte[] frame) {
      worker.execute(() -> serve(ctx, frame));
    } else if (msg instanceof FrameDecoder.FrameError error) {
      worker.execute(() -> refuse(ctx, error.message()));
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      // The peer stopped sending: answer what it already sent, then close.
      worker.execute(
          () -> ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("abci connection error remote={} error={}", remote, String.valueOf(cause));
    ctx.close();
  }

  private void serve(ChannelHandlerContext ctx, byte[] frame) {
    if (closing) {
      return;
    }
    requests.incrementAndGet();
    Request request;
    try {
      request = Request.parseFrom(frame);
    } catch (InvalidProtocolBufferException e) {
      refuse(ctx, "unparseable request of " + frame.length + " bytes: " + e.getMessage());
      return;
    }
    Response response;
    try {
      response = adapter.handle(request);
    } catch (AbciException e) {
      refuse(ctx, e.getMessage());
      return;
    } catch (RuntimeException e) {
      log.warn("abci application failed remote={} request={}", remote, request.getValueCase(), e);
      refuse(ctx, "application failed on " + request.getValueCase() + ": " + e);
      return;
    }
    if (response.hasFlush()) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(LengthPrefix.encode(response)));
    } else {
      ctx.write(Unpooled.wrappedBuffer(LengthPrefix.encode(response)));
    }
  }

  private void refuse(ChannelHandlerContext ctx, String message) {
    if (closing) {
      return;
    }
    closing = true;
    log.warn("abci request refused remote={} error={}", remote, message);
    ctx.writeAndFlush(
            Unpooled.wrappedBuffer(LengthPrefix.encode(ApplicationAdapter.exception(message))))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
