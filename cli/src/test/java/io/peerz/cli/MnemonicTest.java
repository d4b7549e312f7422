package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MnemonicTest {
  /** The SHA-256 of bip-0039/english.txt in the BIPs repository, as wallets publish it. */
  private static final String ENGLISH_SHA256 =
      "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda";

  @Test
  void theCommittedWordListIsBip39sEnglishList() throws Exception {
    byte[] bytes;
    try (InputStream in = Mnemonic.class.getResourceAsStream(Mnemonic.WORD_LIST_RESOURCE)) {
      bytes = in.readAllBytes();
    }
    assertThat(Hex.encode(Sha256.hash(bytes))).isEqualTo(ENGLISH_SHA256);
  }

  /**
   * Trezor's published vectors (python-mnemonic's vectors.json, English): entropy, mnemonic and the
   * seed with the passphrase "TREZOR".
   */
  static Stream<JsonNode> trezorVectors() throws Exception {
    try (InputStream in = MnemonicTest.class.getResourceAsStream("bip39-trezor-vectors.json")) {
      JsonNode all = Json.parse(in.readAllBytes(), "bip39-trezor-vectors.json").path("english");
      List<JsonNode> out = new ArrayList<>();
      all.forEach(out::add);
      assertThat(out).hasSize(24);
      return out.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("trezorVectors")
  void entropyToMnemonicToSeedMatchesTrezorsVectors(JsonNode v) {
    byte[] entropy = Hex.decode(v.get(0).asText());
    String phrase = v.get(1).asText();
    String seed = v.get(2).asText();

    Mnemonic m = Mnemonic.fromEntropy(entropy);

    assertThat(m.phrase()).isEqualTo(phrase);
    assertThat(Hex.encode(m.seed("TREZOR"))).isEqualTo(seed);
    Mnemonic read = Mnemonic.parse(phrase);
    assertThat(read.entropy()).isEqualTo(entropy);
    assertThat(Hex.encode(read.seed("TREZOR"))).isEqualTo(seed);
  }

  @Test
  void aNewMnemonicHas24WordsThatReadBack() {
    Mnemonic m = Mnemonic.generate(new SecureRandom());

    assertThat(m.size()).isEqualTo(24);
    assertThat(m.phrase().split(" ")).hasSize(24);
    assertThat(Mnemonic.parse(m.phrase()).entropy()).isEqualTo(m.entropy());
    assertThat(m.toString()).as("toString never shows the words").isEqualTo("Mnemonic[24 words]");
  }

  @Property(tries = 200)
  void everyEntropyRoundTripsThroughItsWords(@ForAll @Size(32) byte[] entropy) {
    Mnemonic m = Mnemonic.fromEntropy(entropy);
    assertThat(Mnemonic.parse(m.phrase()).entropy()).isEqualTo(entropy);
  }

  @Test
  void typedWordsAreReadInAnyCaseAndSpacing() {
    String phrase =
        "  Legal winner THANK year wave sausage worth useful legal winner thank yellow \n";
    assertThat(Mnemonic.parse(phrase).entropy())
        .isEqualTo(Hex.decode("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f"));
  }

  @Test
  void aWrongChecksumIsRefused() {
    // The last word carries the checksum: "abandon" x 12 has the wrong one ("about" is right).
    String phrase = "abandon ".repeat(11) + "abandon";

    assertThatThrownBy(() -> Mnemonic.parse(phrase))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("checksum does not match");
  }

  @Test
  void twoSwappedWordsFailTheChecksum() {
    String[] w =
        Mnemonic.fromEntropy(Hex.decode("9e885d952ad362caeb4efe34a8e91bd2")).phrase().split(" ");
    String t = w[0];
    w[0] = w[1];
    w[1] = t;

    assertThatThrownBy(() -> Mnemonic.parse(String.join(" ", w)))
        .hasMessageContaining("checksum does not match");
  }

  @Test
  void aWordNotInTheListIsNamedWithTheClosestWord() {
    String phrase =
        "abandon abandon abandn abandon abandon abandon abandon abandon abandon"
            + " abandon abandon about";

    assertThatThrownBy(() -> Mnemonic.parse(phrase))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("word 3 'abandn' is not in the BIP-39 English word list")
        .hasMessageContaining("did you mean 'abandon'?");
  }

  @Test
  void everyUnknownWordIsNamed() {
    String phrase = "zzzzzzzz " + "abandon ".repeat(10) + "abuot";

    assertThatThrownBy(() -> Mnemonic.parse(phrase))
        .hasMessageContaining("word 1 'zzzzzzzz' is not in the BIP-39 English word list")
        .hasMessageContaining("word 12 'abuot'")
        .hasMessageContaining("did you mean 'about'?");
  }

  @Test
  void aWordCountBip39DoesNotDefineIsRefused() {
    String[] words = Mnemonic.generate(new SecureRandom()).phrase().split(" ");
    String phrase = String.join(" ", java.util.Arrays.copyOf(words, 23));

    assertThatThrownBy(() -> Mnemonic.parse(phrase))
        .hasMessageContaining("the mnemonic has 23 words")
        .hasMessageContaining("12, 15, 18, 21 or 24");
    assertThatThrownBy(() -> Mnemonic.parse("   "))
        .hasMessageContaining("the mnemonic has 0 words");
  }
}
