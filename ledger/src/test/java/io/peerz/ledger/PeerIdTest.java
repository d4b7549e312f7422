package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerIdTest {

  @Test
  void theIdOfAnEd25519KeyIsOneTheValidityCheckAccepts() {
    for (int i = 0; i < 64; i++) {
      byte[] key = Sha256.hash(new byte[] {(byte) i});
      String id = PeerId.ofEd25519(key);
      assertThat(id).startsWith("12D3KooW").hasSize(52);
      assertThat(PeerId.valid(id)).as(id).isTrue();
    }
  }

  @Test
  void shapesOutsideBase58btcOrTheTwoPrefixesAreRefused() {
    String ed = PeerId.ofEd25519(new byte[32]);
    assertThat(PeerId.valid(ed.substring(0, 51) + "0")).as("0 is not base58").isFalse();
    assertThat(PeerId.valid(ed.substring(0, 51) + "l")).as("l is not base58").isFalse();
    assertThat(PeerId.valid(ed.substring(0, 51))).as("too short").isFalse();
    assertThat(PeerId.valid("Qm" + "a".repeat(44))).isTrue();
    assertThat(PeerId.valid("Xm" + "a".repeat(44))).isFalse();
  }

  @Test
  void base58KeepsLeadingZeroBytesAsOnes() {
    assertThat(PeerId.base58(new byte[] {0, 0, 1})).isEqualTo("112");
    assertThat(PeerId.base58(new byte[] {57})).isEqualTo("z");
  }
}
