package io.peerz.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebSocketMessageLimitTest {

  /** A client's frame header: FIN and opcode, masked, the payload length in its shortest form. */
  private static ByteBuf header(boolean fin, int opcode, long length) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte((fin ? 0x80 : 0) | opcode);
    if (length < 126) {
      b.writeByte(0x80 | (int) length);
    } else if (length < 65536) {
      b.writeByte(0x80 | 126);
      b.writeShort((int) length);
    } else {
      b.writeByte(0x80 | 127);
      b.writeLong(length);
    }
    b.writeInt(0x11223344); // masking key
    return b;
  }

  private static EmbeddedChannel active(int max) {
    WebSocketMessageLimit limit = new WebSocketMessageLimit(max);
    EmbeddedChannel channel = new EmbeddedChannel(limit);
    limit.activate();
    return channel;
  }

  /** Whether the handler refused: it wrote a close frame. */
  private static boolean refused(EmbeddedChannel channel) {
    Object out = channel.readOutbound();
    io.netty.util.ReferenceCountUtil.release(out);
    return out != null;
  }

  @Test
  void fragmentsOfOneMessageAreCountedTogetherAndRefusedByTheirAnnouncedLengths() {
    EmbeddedChannel channel = active(1000);
    channel.writeInbound(header(false, 1, 400), Unpooled.wrappedBuffer(new byte[400]));
    channel.writeInbound(header(false, 0, 400), Unpooled.wrappedBuffer(new byte[400]));
    // A ping between fragments is no part of the message.
    channel.writeInbound(header(true, 9, 100), Unpooled.wrappedBuffer(new byte[100]));
    assertThat((Object) channel.readOutbound()).isNull();
    // The header of the third fragment alone is enough: its 400 bytes never need to arrive.
    channel.writeInbound(header(true, 0, 400));
    ByteBuf close = channel.readOutbound();
    assertThat(close.readUnsignedByte()).isEqualTo((short) 0x88);
    int length = close.readUnsignedByte();
    assertThat(close.readUnsignedShort()).isEqualTo(1009);
    assertThat(close.readCharSequence(length - 2, StandardCharsets.UTF_8).toString())
        .isEqualTo("message over rpc.max_body_bytes (1000 bytes)");
    close.release();
    // What the client still sends goes nowhere; the connection closes after the grace period.
    for (Object passed; (passed = channel.readInbound()) != null; ) {
      io.netty.util.ReferenceCountUtil.release(passed);
    }
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[400]));
    assertThat((Object) channel.readInbound()).isNull();
    channel.advanceTimeBy(Linger.GRACE_MILLIS + 1, java.util.concurrent.TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void aNewMessageStartsTheCountAgainAndHeadersSplitAcrossReadsAreFollowed() {
    EmbeddedChannel channel = active(1000);
    for (int i = 0; i < 5; i++) {
      ByteBuf frame = Unpooled.wrappedBuffer(header(true, 1, 900));
      // One byte at a time: a read may end anywhere in a header.
      while (frame.isReadable()) {
        channel.writeInbound(frame.readRetainedSlice(1));
      }
      frame.release();
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[900]));
    }
    assertThat(refused(channel)).isFalse();
    channel.writeInbound(header(true, 2, 1L << 40));
    assertThat(refused(channel)).isTrue();
    channel.finishAndReleaseAll();
  }

  @Test
  void beforeTheUpgradeTheBytesAreHttpAndPassUntouched() {
    EmbeddedChannel channel = new EmbeddedChannel(new WebSocketMessageLimit(10));
    channel.writeInbound(header(true, 1, 1L << 40));
    assertThat(refused(channel)).isFalse();
    assertThat((Object) channel.readInbound()).isNotNull();
    channel.finishAndReleaseAll();
  }
}
