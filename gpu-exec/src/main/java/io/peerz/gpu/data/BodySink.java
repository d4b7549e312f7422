package io.peerz.gpu.data;

import io.netty.buffer.ByteBuf;
import java.io.IOException;

/** Where a response body goes as it arrives: a file, or a short text. */
sealed interface BodySink permits FileSink, TextSink {
  /** Takes the next bytes (the caller releases the buffer). */
  void write(ByteBuf bytes) throws IOException;

  /** The body ended (or the exchange failed): release what is held. */
  void close();
}
