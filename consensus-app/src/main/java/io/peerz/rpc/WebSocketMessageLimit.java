package io.peerz.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds a websocket message, its continuation fragments together, to {@code rpc.max_body_bytes}.
 * Netty's decoder bounds each frame and Micronaut joins a message's fragments without a bound, so
 * this reads the frame headers in the raw bytes, first in the pipeline, once the connection has
 * switched to websocket ({@link #activate}). It holds nothing: it only walks the headers and counts
 * the payload lengths they announce, so a message is refused with close code 1009 as soon as its
 * frames announce more than the limit, before their bytes arrive. What the client still sends after
 * that is dropped until it closes, or {@link Linger} closes.
 */
final class WebSocketMessageLimit extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketMessageLimit.class);

  /** RFC 6455's close code for a message too big to process. */
  static final int MESSAGE_TOO_BIG = 1009;

  private final int maxMessage;
  private boolean active;
  private boolean refused;
  private final byte[] header = new byte[14];
  private int headerRead;
  private int headerLength = 2;
  private long payloadLeft;
  private long messageBytes;

  WebSocketMessageLimit(int maxMessage) {
    this.maxMessage = maxMessage;
  }

  /** From now on the bytes are websocket frames (the 101 answer went out); event loop only. */
  void activate() {
    active = true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (active && msg instanceof ByteBuf buf && !scan(buf)) {
      refused = true;
      ReferenceCountUtil.release(msg);
      refuse(ctx);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /** Walks the frame headers in {@code buf} without consuming it; false once a message is over. */
  private boolean scan(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end) {
      if (payloadLeft > 0) {
        int skip = (int) Math.min(payloadLeft, end - i);
        i += skip;
        payloadLeft -= skip;
        continue;
      }
      header[headerRead++] = buf.getByte(i++);
      if (headerRead == 2) {
        int len7 = header[1] & 0x7f;
        boolean masked = (header[1] & 0x80) != 0;
        headerLength = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
      }
      if (headerRead >= 2 && headerRead == headerLength) {
        long length = payloadLength();
        int opcode = header[0] & 0x0f;
        if (opcode <= 2) { // continuation, text, binary: the data of a message
          messageBytes = opcode == 0 ? messageBytes + length : length;
          if (length < 0 || messageBytes > maxMessage) {
            return false;
          }
        }
        payloadLeft = length;
        headerRead = 0;
        headerLength = 2;
      }
    }
    return true;
  }

  private long payloadLength() {
    int len7 = header[1] & 0x7f;
    if (len7 < 126) {
      return len7;
    }
    if (len7 == 126) {
      return ((header[2] & 0xffL) << 8) | (header[3] & 0xffL);
    }
    long length = 0;
    for (int k = 2; k < 10; k++) {
      length = (length << 8) | (header[k] & 0xffL);
    }
    return length; // negative when the top bit is set: refused as over the limit
  }

  private void refuse(ChannelHandlerContext ctx) {
    String reason = "message over rpc.max_body_bytes (" + maxMessage + " bytes)";
    LOG.info(
        "rpc websocket message refused remote={} size_at_least={} max_body_bytes={}",
        ctx.channel().remoteAddress(),
        messageBytes < 0 ? Long.MAX_VALUE : messageBytes,
        maxMessage);
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    // A server's close frame, unmasked, written straight to the socket: nothing is before this.
    ByteBuf close = Unpooled.buffer(4 + text.length);
    close.writeByte(0x88);
    close.writeByte(2 + text.length);
    close.writeShort(MESSAGE_TOO_BIG);
    close.writeBytes(text);
    ctx.writeAndFlush(close).addListener(f -> Linger.closeSoon(ctx));
  }
}
