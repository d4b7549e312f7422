package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysAddTest {
  /** BIP-39's all-zero 128-bit mnemonic; its peerz key at m/44'/73379'/0'/0'/0' is pinned. */
  private static final String ABANDON = "abandon ".repeat(11) + "about";

  private static final String ABANDON_ADDRESS = "0x096e1c1d6be2900e96fe44f24bf862b10869a1b6";
  private static final Map<String, String> PASS = Map.of(Passphrase.ENV, "correct horse battery");

  @TempDir Path home;
  @TempDir Path other;

  private static final Pattern WORDS = Pattern.compile("(?m)^([a-z]+(?: [a-z]+){23})$");

  private static String mnemonicIn(String text) {
    Matcher m = WORDS.matcher(text);
    assertThat(m.find()).as("a 24-word line in:\n" + text).isTrue();
    return m.group(1);
  }

  private CliRun add(Path h, String stdin, String... extra) {
    String[] args =
        Stream.concat(
                Stream.of("keys", "add"),
                Stream.concat(Stream.of(extra), Stream.of("--home", h.toString())))
            .toArray(String[]::new);
    return CliRun.withInput(stdin, PASS, args);
  }

  private String address(Path h, String name) {
    return CliRun.run("keys", "show", name, "-a", "--home", h.toString()).out().trim();
  }

  @Test
  void addPrintsA24WordMnemonicOnceThatRestoresTheSameKeyElsewhere() throws Exception {
    CliRun created = add(home, "", "alice", "--keyring-backend", "test");
    assertThat(created.exitCode()).as(created.err()).isZero();
    String words = mnemonicIn(created.err());
    assertThat(words.split(" ")).hasSize(24);
    assertThat(created.out()).as("the words are not on stdout").doesNotContain(words);
    assertThat(created.out()).contains("hd_path: m/44'/73379'/0'/0'/0'");

    CliRun restored = add(other, words + "\n", "alice", "--recover");

    assertThat(restored.exitCode()).as(restored.err()).isZero();
    assertThat(address(other, "alice")).isEqualTo(address(home, "alice"));
    assertThat(restored.out() + restored.err())
        .as("recover never echoes the words")
        .doesNotContain(words);
    CliRun show = CliRun.run("keys", "show", "alice", "--home", home.toString());
    assertThat(show.out() + show.err()).as("shown once only").doesNotContain(words);
    for (Path h : List.of(home, other)) {
      try (Stream<Path> files = Files.walk(h)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(Files.readString(f, StandardCharsets.UTF_8))
              .as("the mnemonic is never stored: " + f)
              .doesNotContain(
                  words.split(" ")[0] + " " + words.split(" ")[1] + " " + words.split(" ")[2]);
        }
      }
    }
  }

  @Test
  void jsonOutputCarriesTheMnemonicAndThePath() {
    CliRun r = add(home, "", "alice", "--keyring-backend", "test", "-o", "json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode n = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "keys add");
    assertThat(n.path("mnemonic").asText().split(" ")).hasSize(24);
    assertThat(n.path("hd_path").asText()).isEqualTo("m/44'/73379'/0'/0'/0'");
    assertThat(Mnemonic.parse(n.path("mnemonic").asText()).size()).isEqualTo(24);
  }

  @Test
  void noBackupPrintsNoMnemonic() {
    CliRun r = add(home, "", "alice", "--keyring-backend", "test", "--no-backup");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(WORDS.matcher(r.err()).find()).isFalse();
  }

  @Test
  void recoverRestoresThePinnedKeyInBothKeyrings() {
    CliRun test = add(home, ABANDON + "\n", "t", "--recover", "--keyring-backend", "test");
    CliRun file = add(other, "  " + ABANDON.toUpperCase() + "  \n", "f", "--recover");

    assertThat(test.exitCode()).as(test.err()).isZero();
    assertThat(file.exitCode()).as(file.err()).isZero();
    assertThat(address(home, "t")).isEqualTo(ABANDON_ADDRESS);
    assertThat(address(other, "f")).isEqualTo(ABANDON_ADDRESS);
    assertThat(other.resolve("keyring-file/f.json")).exists();
    Keyring k =
        new Keyring(
            other,
            KeyringBackend.file,
            new Passphrase(null, PASS, null),
            new java.security.SecureRandom());
    assertThat(k.unlock("f").address().toString()).isEqualTo(ABANDON_ADDRESS);
  }

  @Test
  void aBip39PassphraseMakesAnotherKeyThatRestoresWithTheSamePassphrase() {
    CliRun created =
        add(home, "my 25th word\n", "alice", "--keyring-backend", "test", "--bip39-passphrase");
    assertThat(created.exitCode()).as(created.err()).isZero();
    String words = mnemonicIn(created.err());

    CliRun same =
        add(
            other,
            words + "\nmy 25th word\n",
            "a1",
            "--recover",
            "--keyring-backend",
            "test",
            "--bip39-passphrase");
    CliRun without = add(other, words + "\n", "a2", "--recover", "--keyring-backend", "test");

    assertThat(same.exitCode()).as(same.err()).isZero();
    assertThat(without.exitCode()).as(without.err()).isZero();
    assertThat(address(other, "a1")).isEqualTo(address(home, "alice"));
    assertThat(address(other, "a2")).isNotEqualTo(address(home, "alice"));
  }

  @Test
  void accountAndIndexPickAnotherKeyOfTheSameMnemonic() {
    CliRun a =
        add(home, ABANDON + "\n", "a", "--recover", "--keyring-backend", "test", "--index", "1");
    CliRun b =
        add(
            other,
            ABANDON + "\n",
            "b",
            "--recover",
            "--keyring-backend",
            "test",
            "--hd-path",
            "m/44'/73379'/0'/0'/1'");

    assertThat(a.exitCode()).as(a.err()).isZero();
    assertThat(b.exitCode()).as(b.err()).isZero();
    assertThat(address(home, "a")).isNotEqualTo(ABANDON_ADDRESS).isEqualTo(address(other, "b"));
  }

  private void assertRefusedAndNothingWritten(CliRun r, String message) {
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains(message);
    assertThat(home.resolve("keyring-file/bob.json")).doesNotExist();
    assertThat(home.resolve("keyring-test/bob.json")).doesNotExist();
  }

  @Test
  void aBadChecksumIsRefusedAndNothingIsWritten() {
    assertRefusedAndNothingWritten(
        add(home, "abandon ".repeat(11) + "abandon\n", "bob", "--recover"),
        "checksum does not match");
  }

  @Test
  void aWordNotInTheListIsNamedWithTheClosestAndNothingIsWritten() {
    assertRefusedAndNothingWritten(
        add(home, ABANDON.replace("about", "abuot") + "\n", "bob", "--recover"),
        "word 12 'abuot' is not in the BIP-39 English word list (did you mean 'about'?)");
  }

  @Test
  void aWrongWordCountIsRefusedAndNothingIsWritten() {
    assertRefusedAndNothingWritten(
        add(home, "abandon ".repeat(13) + "\n", "bob", "--recover"), "the mnemonic has 13 words");
  }

  @Test
  void noMnemonicOnStandardInputIsRefused() {
    assertRefusedAndNothingWritten(
        add(home, "", "bob", "--recover"), "no mnemonic on standard input");
  }

  @Test
  void aPathWithAnUnhardenedIndexIsRefusedAndNothingIsWritten() {
    assertRefusedAndNothingWritten(
        add(home, ABANDON + "\n", "bob", "--recover", "--hd-path", "m/44'/73379'/0'/0/0'"),
        "not hardened");
  }

  @Test
  void recoveringAKeyAlreadyInTheKeyringUnderAnotherNameIsRefused() {
    add(home, ABANDON + "\n", "alice", "--recover", "--keyring-backend", "test");

    assertRefusedAndNothingWritten(
        add(home, ABANDON + "\n", "bob", "--recover"), "already in the test keyring as 'alice'");
  }

  @Test
  void aNameTakenIsRefusedBeforeAnythingIsRead() {
    add(home, "", "bob", "--keyring-backend", "test");

    CliRun r = add(home, ABANDON + "\n", "bob", "--recover", "--keyring-backend", "test");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("a key named 'bob' already exists");
  }
}
