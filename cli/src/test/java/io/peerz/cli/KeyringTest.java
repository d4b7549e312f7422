package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  @TempDir Path home;

  private Keyring file(String passphrase) {
    return new Keyring(
        home,
        KeyringBackend.file,
        new Passphrase(null, Map.of(Passphrase.ENV, passphrase), null),
        RANDOM);
  }

  @Test
  void fileKeyringReturnsTheSameKeyWithTheRightPassphrase() {
    Ed25519KeyPair key = Ed25519KeyPair.generate(RANDOM);
    KeyInfo info = file("correct horse battery").add("alice", key);

    Ed25519KeyPair back = file("correct horse battery").unlock("alice");

    assertThat(back.privateKey()).isEqualTo(key.privateKey());
    assertThat(back.publicKey()).isEqualTo(key.publicKey());
    assertThat(info.address()).isEqualTo(key.address().toString());
    assertThat(file("correct horse battery").unlock(info.address()).publicKey())
        .as("a key is found by its address too")
        .isEqualTo(key.publicKey());
  }

  @Test
  void fileKeyringRejectsAWrongPassphrase() {
    file("correct horse battery").add("alice", Ed25519KeyPair.generate(RANDOM));

    assertThatThrownBy(() -> file("wrong passphrase!").unlock("alice"))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("wrong passphrase");
  }

  @Test
  void fileKeyringNeverWritesThePrivateKeyInClear() throws Exception {
    Ed25519KeyPair key = Ed25519KeyPair.generate(RANDOM);
    file("correct horse battery").add("alice", key);

    Path stored = home.resolve("keyring-file/alice.json");
    String text = Files.readString(stored);
    assertThat(text).doesNotContain(Hex.encode(key.privateKey()));
    assertThat(text).doesNotContain(java.util.Base64.getEncoder().encodeToString(key.privateKey()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void sealedKeyMovedToAnotherNameDoesNotOpen() throws Exception {
    file("correct horse battery").add("alice", Ed25519KeyPair.generate(RANDOM));
    String text = Files.readString(home.resolve("keyring-file/alice.json"));
    Files.writeString(
        home.resolve("keyring-file/mallory.json"), text.replace("\"alice\"", "\"mallory\""));

    assertThatThrownBy(() -> file("correct horse battery").unlock("mallory"))
        .hasMessageContaining("wrong passphrase");
  }

  @Test
  void testKeyringNeedsNoPassphrase() {
    Keyring test =
        new Keyring(home, KeyringBackend.test, new Passphrase(null, Map.of(), null), RANDOM);
    Ed25519KeyPair key = Ed25519KeyPair.generate(RANDOM);
    test.add("bob", key);

    assertThat(test.unlock("bob").privateKey()).isEqualTo(key.privateKey());
    assertThat(test.list()).extracting(KeyInfo::name).containsExactly("bob");
  }

  @Test
  void addingAnExistingNameIsRefused() {
    Keyring k = file("correct horse battery");
    k.add("alice", Ed25519KeyPair.generate(RANDOM));
    assertThatThrownBy(() -> k.add("alice", Ed25519KeyPair.generate(RANDOM)))
        .hasMessageContaining("already exists");
  }

  @Test
  void shortPassphraseIsRefused() {
    assertThatThrownBy(() -> file("short").add("alice", Ed25519KeyPair.generate(RANDOM)))
        .hasMessageContaining("at least 8");
  }

  @Test
  void noPassphraseSourceOutsideATerminalSaysWhatToDo() {
    Keyring k =
        new Keyring(home, KeyringBackend.file, new Passphrase(null, Map.of(), null), RANDOM);
    assertThatThrownBy(() -> k.add("alice", Ed25519KeyPair.generate(RANDOM)))
        .hasMessageContaining("--keyring-passphrase-file")
        .hasMessageContaining(Passphrase.ENV);
  }

  @Test
  void passphraseFileTakesItsFirstLine() throws Exception {
    Path pass = home.resolve("pass.txt");
    Files.writeString(pass, "from the file 123\n");
    Keyring writer =
        new Keyring(home, KeyringBackend.file, new Passphrase(pass, Map.of(), null), RANDOM);
    writer.add("carol", Ed25519KeyPair.generate(RANDOM));

    assertThat(file("from the file 123").unlock("carol")).isNotNull();
  }

  @Test
  void encryptedExportImportsUnderANewName() {
    Keyring k = file("correct horse battery");
    Ed25519KeyPair key = Ed25519KeyPair.generate(RANDOM);
    k.add("alice", key);
    byte[] export = k.export("alice", false);
    assertThat(new String(export)).doesNotContain(Hex.encode(key.privateKey()));

    KeyInfo imported = k.importKey("alice2", export);

    assertThat(imported.address()).isEqualTo(key.address().toString());
    assertThat(k.unlock("alice2").privateKey()).isEqualTo(key.privateKey());
  }

  @Test
  void encryptedExportWithTheWrongPassphraseDoesNotImport() {
    Keyring k = file("correct horse battery");
    k.add("alice", Ed25519KeyPair.generate(RANDOM));
    byte[] export = k.export("alice", false);

    assertThatThrownBy(() -> file("another passphrase").importKey("alice2", export))
        .hasMessageContaining("wrong passphrase");
  }

  @Test
  void unsafeExportCarriesThePlainKey() {
    Keyring k = file("correct horse battery");
    Ed25519KeyPair key = Ed25519KeyPair.generate(RANDOM);
    k.add("alice", key);

    byte[] export = k.export("alice", true);

    assertThat(new String(export)).contains(Hex.encode(key.privateKey()));
    Keyring test =
        new Keyring(home, KeyringBackend.test, new Passphrase(null, Map.of(), null), RANDOM);
    assertThat(test.importKey("alice", export).address()).isEqualTo(key.address().toString());
  }
}
