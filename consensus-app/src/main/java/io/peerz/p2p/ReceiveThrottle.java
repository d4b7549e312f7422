package io.peerz.p2p;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;

/**
 * Holds a connection to {@code recv_rate}: counts the bytes read from the socket and, once they run
 * ahead of the rate, stops reading it until the rate has caught up. The peer's own socket buffers
 * then fill and its writes wait; nothing piles up here.
 */
final class ReceiveThrottle extends ChannelInboundHandlerAdapter {
  private final TokenBucket bucket;
  private boolean paused;

  ReceiveThrottle(long recvRate) {
    this.bucket = new TokenBucket(recvRate, System.nanoTime());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      long now = System.nanoTime();
      bucket.take(buf.readableBytes(), now);
      long wait = bucket.waitNanos(now);
      if (wait > 0 && !paused) {
        paused = true;
        ctx.channel().config().setAutoRead(false);
        ctx.executor()
            .schedule(
                () -> {
                  paused = false;
                  ctx.channel().config().setAutoRead(true);
                },
                wait,
                TimeUnit.NANOSECONDS);
      }
    }
    ctx.fireChannelRead(msg);
  }
}
