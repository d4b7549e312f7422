package io.peerz.gpu.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes a side of the data plane moved over its connections (headers included, as on the wire):
 * first in each connection's pipeline, it counts what is read and what is handed to the socket,
 * files sent with zero copy too. Only counts; every message passes on unchanged.
 */
@ChannelHandler.Sharable
public final class ByteCount extends ChannelDuplexHandler {

  /** Bytes received and sent since this count began. */
  public record Totals(long received, long sent) {}

  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();

  /** What was counted so far. */
  public Totals totals() {
    return new Totals(received.get(), sent.get());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    received.addAndGet(size(msg));
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    sent.addAndGet(size(msg));
    ctx.write(msg, promise);
  }

  private static long size(Object msg) {
    if (msg instanceof ByteBuf b) {
      return b.readableBytes();
    }
    if (msg instanceof ByteBufHolder h) {
      return h.content().readableBytes();
    }
    if (msg instanceof FileRegion f) {
      return f.count() - f.transferred();
    }
    return 0;
  }
}
