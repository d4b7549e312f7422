package io.peerz.abci;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the inbound stream into frames: an unsigned varint length (CometBFT's {@code protoio}
 * since v0.35, not the zigzag varint of Tendermint 0.32) followed by that many bytes. Emits each
 * frame as a {@code byte[]}; a prefix that is malformed or announces more than the limit, or a
 * stream that ends inside a frame, is emitted as a {@link FrameError} after which all further input
 * is discarded (the connection is about to close).
 */
final class FrameDecoder extends ByteToMessageDecoder {

  /** A frame that could not be read; the connection answers with an exception and closes. */
  record FrameError(String message) {}

  private static final int MAX_VARINT_BYTES = 10;

  private final int maxFrameBytes;
  private boolean failed;

  FrameDecoder(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int start = in.readerIndex();
    long length = 0;
    int i = 0;
    while (true) {
      if (!in.isReadable()) {
        in.readerIndex(start);
        return;
      }
      int b = in.readUnsignedByte();
      if (i == MAX_VARINT_BYTES - 1 && b > 1) {
        fail(in, out, "frame length prefix overflows 64 bits");
        return;
      }
      length |= (long) (b & 0x7f) << (7 * i);
      i++;
      if ((b & 0x80) == 0) {
        break;
      }
      if (i == MAX_VARINT_BYTES) {
        fail(in, out, "frame length prefix is longer than 10 bytes");
        return;
      }
    }
    if (length < 0 || length > maxFrameBytes) {
      fail(
          in,
          out,
          "frame of "
              + Long.toUnsignedString(length)
              + " bytes exceeds the limit of "
              + maxFrameBytes
              + " bytes");
      return;
    }
    if (in.readableBytes() < length) {
      in.readerIndex(start);
      return;
    }
    out.add(ByteBufUtil.getBytes(in, in.readerIndex(), (int) length));
    in.skipBytes((int) length);
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Exception {
    decode(ctx, in, out);
    if (!failed && in.isReadable()) {
      fail(in, out, "stream ended inside a frame (" + in.readableBytes() + " bytes left over)");
    }
  }

  private void fail(ByteBuf in, List<Object> out, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    out.add(new FrameError(message));
  }
}
