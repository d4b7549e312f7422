package io.peerz.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FrameCipherTest {
  private static final byte[] KEY = key(9);

  @Property(tries = 50)
  void openedFramesEqualSealedFramesInOrder(@ForAll @Size(max = 5) List<byte[]> frames) {
    FrameCipher sender = new FrameCipher(KEY);
    FrameCipher receiver = new FrameCipher(KEY);
    for (byte[] frame : frames) {
      byte[] sealed = sender.seal(frame);
      assertThat(sealed).hasSize(frame.length + FrameCipher.TAG_BYTES);
      assertThat(receiver.open(sealed)).isEqualTo(frame);
    }
  }

  @Property(tries = 100)
  void flippingAnyBitOfASealedFrameFailsToOpen(
      @ForAll @Size(min = 1, max = 64) byte[] plaintext,
      @ForAll @IntRange(min = 0, max = 1000) int position,
      @ForAll @IntRange(min = 0, max = 7) int bit) {
    byte[] sealed = new FrameCipher(KEY).seal(plaintext);
    sealed[position % sealed.length] ^= (byte) (1 << bit);
    assertThatThrownBy(() -> new FrameCipher(KEY).open(sealed))
        .isInstanceOf(PeerProtocolException.class)
        .extracting(e -> ((PeerProtocolException) e).reason())
        .isEqualTo("bad_frame");
  }

  @Test
  void replayedFrameFailsBecauseTheNonceMovedOn() {
    FrameCipher sender = new FrameCipher(KEY);
    FrameCipher receiver = new FrameCipher(KEY);
    byte[] first = sender.seal(bytes("vote"));
    assertThat(receiver.open(first)).isEqualTo(bytes("vote"));
    assertThatThrownBy(() -> receiver.open(first)).isInstanceOf(PeerProtocolException.class);
  }

  @Test
  void reorderedFramesFailToOpen() {
    FrameCipher sender = new FrameCipher(KEY);
    byte[] first = sender.seal(bytes("one"));
    byte[] second = sender.seal(bytes("two"));
    FrameCipher receiver = new FrameCipher(KEY);
    assertThatThrownBy(() -> receiver.open(second)).isInstanceOf(PeerProtocolException.class);
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void frameSealedUnderAnotherKeyFailsToOpen() {
    byte[] sealed = new FrameCipher(key(1)).seal(bytes("hello"));
    assertThatThrownBy(() -> new FrameCipher(key(2)).open(sealed))
        .isInstanceOf(PeerProtocolException.class);
  }

  @Test
  void frameShorterThanATagIsBad() {
    assertThatThrownBy(() -> new FrameCipher(KEY).open(new byte[15]))
        .isInstanceOf(PeerProtocolException.class);
  }

  @Test
  void sameCounterAndKeyGiveTheSameCiphertextSoDirectionsMustUseDistinctKeys() {
    // Why SessionKeys derives one key per direction: both sides start their counters at zero.
    assertThat(new FrameCipher(KEY).seal(bytes("x")))
        .isEqualTo(new FrameCipher(KEY).seal(bytes("x")));
  }

  @Test
  void theFirstFrameIsAes256GcmUnderTheZeroNonceAsInTheNistTestVectors() {
    // McGrew and Viega's GCM test cases 13 and 14: key and IV all zeros (frame 0's nonce).
    HexFormat hex = HexFormat.of();
    assertThat(hex.formatHex(new FrameCipher(new byte[32]).seal(new byte[0])))
        .isEqualTo("530f8afbc74536b9a963b4f1c4cb738b");
    assertThat(hex.formatHex(new FrameCipher(new byte[32]).seal(new byte[16])))
        .isEqualTo("cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919");
  }

  private static byte[] key(int b) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) b);
    return k;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
