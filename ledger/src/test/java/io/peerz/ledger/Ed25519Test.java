package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class Ed25519Test {
  // RFC 8032 section 7.1, test 1.
  private static final byte[] SEED =
      Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  private static final byte[] PUB =
      Hex.decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  private static final byte[] SIG =
      Hex.decode(
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
              + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

  @Test
  void derivesTheRfc8032PublicKeyAndSignature() {
    Ed25519KeyPair key = Ed25519KeyPair.fromSeed(SEED);
    assertThat(key.publicKey()).isEqualTo(PUB);
    assertThat(key.sign(new byte[0])).isEqualTo(SIG);
    assertThat(Ed25519.verify(PUB, new byte[0], SIG)).isTrue();
  }

  @Test
  void rejectsATamperedMessageOrSignature() {
    Ed25519KeyPair key = Ed25519KeyPair.generate(new SecureRandom());
    byte[] msg = "hello".getBytes();
    byte[] sig = key.sign(msg);
    assertThat(Ed25519.verify(key.publicKey(), msg, sig)).isTrue();
    assertThat(Ed25519.verify(key.publicKey(), "hellp".getBytes(), sig)).isFalse();
    sig[10] ^= 1;
    assertThat(Ed25519.verify(key.publicKey(), msg, sig)).isFalse();
  }

  @Test
  void givesFalseNotAnExceptionOnBadLengthsOrGarbage() {
    assertThat(Ed25519.verify(new byte[31], new byte[0], new byte[64])).isFalse();
    assertThat(Ed25519.verify(new byte[32], new byte[0], new byte[63])).isFalse();
    assertThat(Ed25519.verify(null, new byte[0], new byte[64])).isFalse();
    byte[] ones = new byte[32];
    java.util.Arrays.fill(ones, (byte) 0xff);
    byte[] sig = new byte[64];
    java.util.Arrays.fill(sig, (byte) 0xff);
    assertThat(Ed25519.verify(ones, new byte[] {1}, sig)).isFalse();
  }

  @Test
  void keyPairHidesThePrivateKeyAndComparesByContent() {
    Ed25519KeyPair a = Ed25519KeyPair.fromSeed(SEED);
    Ed25519KeyPair b = Ed25519KeyPair.fromSeed(SEED.clone());
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.toString()).doesNotContain(Hex.encode(SEED)).doesNotContain(Hex.encodeUpper(SEED));
    assertThat(a.toString()).contains(Hex.encode(PUB));
    assertThat(a).isNotEqualTo(Ed25519KeyPair.generate(new SecureRandom()));
  }

  @Test
  void rejectsASeedOfTheWrongLength() {
    assertThatThrownBy(() -> Ed25519KeyPair.fromSeed(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
  }
}
