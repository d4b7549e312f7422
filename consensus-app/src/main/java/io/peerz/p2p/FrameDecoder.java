package io.peerz.p2p;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the byte stream into frames, each a 4-byte big-endian length and that many bytes. A length
 * over the current maximum fails at once, before any of the frame's bytes are read; the maximum is
 * small during the handshake and one packet after it ({@link #maxFrame(int)}), so a connection
 * never holds more than one packet's worth of bytes it has not handed on.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private int maxFrame;

  FrameDecoder(int maxFrame) {
    this.maxFrame = maxFrame;
  }

  /** Sets the largest frame accepted from now on; event loop only. */
  void maxFrame(int max) {
    this.maxFrame = max;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 4) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length > maxFrame) {
      throw new TooLongFrameException(
          "frame of " + length + " bytes announced, max " + maxFrame + " bytes");
    }
    if (in.readableBytes() < 4 + length) {
      return;
    }
    in.skipBytes(4);
    out.add(in.readRetainedSlice((int) length));
  }
}
