package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Sha256Test {
  @Test
  void hashesTheEmptyInputToTheKnownDigest() {
    assertThat(Hex.encode(Sha256.hash()))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void hashesTheConcatenationOfItsParts() {
    byte[] abc = "abc".getBytes(StandardCharsets.UTF_8);
    assertThat(Hex.encode(Sha256.hash(abc)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(Sha256.hash("a".getBytes(), "bc".getBytes())).isEqualTo(Sha256.hash(abc));
  }
}
