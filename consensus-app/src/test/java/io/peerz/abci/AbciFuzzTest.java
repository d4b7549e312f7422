package io.peerz.abci;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peerz.abci.proto.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target (Jazzer) for the ABCI frame decoder and the request decoder behind it: however the
 * bytes are split into reads, the same frames come out, each within the limit, then at most one
 * frame error, and every frame parses as a Request or fails as a protobuf error. Corpus: src/test/
 * resources/io/peerz/abci/AbciFuzzTestInputs; docs/fuzzing.md says how to run it longer.
 */
public class AbciFuzzTest {
  private static final int MAX = 4096;

  private static List<Object> decode(List<byte[]> reads) {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX));
    for (byte[] read : reads) {
      channel.writeInbound(Unpooled.wrappedBuffer(read));
    }
    channel.finish();
    List<Object> out = new ArrayList<>();
    for (Object o; (o = channel.readInbound()) != null; ) {
      out.add(
          o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.ISO_8859_1) : o);
    }
    return out;
  }

  @FuzzTest
  public void framesDoNotDependOnHowTheBytesWereSplitAndRequestsParseOrFail(
      FuzzedDataProvider data) {
    List<byte[]> reads = new ArrayList<>();
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    while (data.remainingBytes() > 0) {
      byte[] read = data.consumeBytes(data.consumeInt(1, 700));
      reads.add(read);
      all.writeBytes(read);
    }
    List<Object> split = decode(reads);
    assertThat(split).isEqualTo(decode(List.of(all.toByteArray())));
    for (int i = 0; i < split.size(); i++) {
      Object o = split.get(i);
      if (o instanceof FrameDecoder.FrameError) {
        assertThat(i).as("a frame error ends the stream").isEqualTo(split.size() - 1);
        continue;
      }
      byte[] frame = ((String) o).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(frame.length).isLessThanOrEqualTo(MAX);
      try {
        Request.parseFrom(frame);
      } catch (InvalidProtocolBufferException e) {
        assertThat(e.getMessage()).isNotEmpty();
      }
    }
  }
}
