package io.peerz.gpu.data;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A response body written to a file from the network's direct buffers (one copy), at most {@code
 * limit} bytes: past it the transfer fails with {@link OverLimit}.
 */
final class FileSink implements BodySink {
  private final FileChannel channel;
  private final long limit;
  private long written;

  FileSink(FileChannel channel, long limit) {
    this.channel = channel;
    this.limit = limit;
  }

  @Override
  public void write(ByteBuf bytes) throws IOException {
    int n = bytes.readableBytes();
    if (written + n > limit) {
      throw new OverLimit(limit);
    }
    ByteBuffer[] buffers = bytes.nioBuffers();
    long left = n;
    while (left > 0) {
      left -= channel.write(buffers);
    }
    written += n;
  }

  /** Bytes written so far. */
  long written() {
    return written;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // the bytes written are on their way to disk; nothing more is written
    }
  }

  /** The body passed the caller's limit. */
  static final class OverLimit extends IOException {
    OverLimit(long limit) {
      super("the body passes the limit of " + limit + " bytes");
    }
  }
}
