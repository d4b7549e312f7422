package io.peerz.gpu.data;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A small response body (an answer, an error) as text: the first {@link #KEPT_BYTES} are kept, the
 * rest read and dropped; a body past {@link #MAX_BYTES} fails the exchange.
 */
final class TextSink implements BodySink {
  static final int KEPT_BYTES = 64 * 1024;
  static final long MAX_BYTES = 16L << 20;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private long seen;

  @Override
  public void write(ByteBuf buf) throws IOException {
    int n = buf.readableBytes();
    seen += n;
    if (seen > MAX_BYTES) {
      throw new IOException("an answer of more than " + MAX_BYTES + " bytes where text was due");
    }
    int keep = (int) Math.min(n, KEPT_BYTES - bytes.size());
    if (keep > 0) {
      buf.getBytes(buf.readerIndex(), bytes, keep);
    }
  }

  String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {}
}
