package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Address;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Named Ed25519 account keys under {@code <home>/keyring-<backend>/<name>.json} (0600, in a 0700
 * directory). The {@code file} backend seals each private key with a passphrase; the {@code test}
 * backend keeps it in plaintext. Name, address and public key are always readable without a
 * passphrase, so listing and resolving names never prompts.
 */
final class Keyring {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final Path dir;
  private final KeyringBackend backend;
  private final Passphrase passphrase;
  private final SecureRandom random;

  Keyring(Path home, KeyringBackend backend, Passphrase passphrase, SecureRandom random) {
    this.dir = home.resolve(backend.directory());
    this.backend = backend;
    this.passphrase = passphrase;
    this.random = random;
  }

  KeyringBackend backend() {
    return backend;
  }

  /** Stores {@code key} under {@code name}; refuses a name already taken. */
  KeyInfo add(String name, Ed25519KeyPair key) {
    return add(name, key, null);
  }

  /**
   * Stores {@code key} under {@code name}, with the derivation path it came from (null for a key
   * that came from no mnemonic); refuses a name already taken.
   */
  KeyInfo add(String name, Ed25519KeyPair key, HdPath path) {
    checkFree(name);
    Path file = file(name);
    String address = key.address().toString();
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("name", name);
    n.put("type", "ed25519");
    n.put("address", address);
    n.put("pub_key", Base64.getEncoder().encodeToString(key.publicKey()));
    if (path != null) {
      n.put("hd_path", path.toString());
    }
    switch (backend) {
      case test -> n.put("priv_key", Base64.getEncoder().encodeToString(key.privateKey()));
      case file -> {
        char[] pass = passphrase.get("new key '" + name + "'", true);
        try {
          n.set("crypto", SealedBox.seal(key.privateKey(), pass, aad(name, address), random));
        } finally {
          Arrays.fill(pass, '\0');
        }
      }
    }
    writeSecret(file, Json.render(n));
    return new KeyInfo(name, address, key.publicKey().clone(), backend);
  }

  /** Refuses an invalid name or one already taken, before anything is asked or written. */
  void checkFree(String name) {
    checkName(name);
    if (Files.exists(file(name))) {
      throw new CliException(
          "a key named '" + name + "' already exists in the " + backend + " keyring");
    }
  }

  /** Every key, by name. */
  List<KeyInfo> list() {
    List<KeyInfo> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        out.add(info(read(f)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparing(KeyInfo::name));
    return out;
  }

  /** The key named {@code name}, or the key whose address is {@code name}. */
  Optional<KeyInfo> find(String nameOrAddress) {
    if (NAME.matcher(nameOrAddress).matches() && Files.exists(file(nameOrAddress))) {
      return Optional.of(info(read(file(nameOrAddress))));
    }
    if (nameOrAddress.startsWith("0x") || nameOrAddress.startsWith("0X")) {
      return list().stream().filter(k -> k.address().equalsIgnoreCase(nameOrAddress)).findFirst();
    }
    return Optional.empty();
  }

  void delete(String name) {
    Path file = file(require(name).name());
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The private key (asks for the passphrase with the file backend). */
  Ed25519KeyPair unlock(String nameOrAddress) {
    KeyInfo info = require(nameOrAddress);
    JsonNode n = read(file(info.name()));
    byte[] seed;
    if (n.has("priv_key")) {
      seed = Base64.getDecoder().decode(n.get("priv_key").asText());
    } else {
      char[] pass = passphrase.get("key '" + info.name() + "'", false);
      try {
        seed =
            SealedBox.open(
                n.get("crypto"),
                pass,
                aad(info.name(), info.address()),
                "key '" + info.name() + "'");
      } finally {
        Arrays.fill(pass, '\0');
      }
    }
    Ed25519KeyPair key = Ed25519KeyPair.fromSeed(seed);
    Arrays.fill(seed, (byte) 0);
    if (!Arrays.equals(key.publicKey(), info.publicKey())) {
      throw new CliException("key '" + info.name() + "' is corrupt: its public key does not match");
    }
    return key;
  }

  /**
   * An export of the key: sealed under a passphrase, or with {@code unsafe} the private seed in
   * hex.
   */
  byte[] export(String nameOrAddress, boolean unsafe) {
    KeyInfo info = require(nameOrAddress);
    Ed25519KeyPair key = unlock(nameOrAddress);
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("name", info.name());
    n.put("type", "ed25519");
    n.put("address", info.address());
    n.put("pub_key", Base64.getEncoder().encodeToString(info.publicKey()));
    if (unsafe) {
      n.put("priv_key_hex", Hex.encode(key.privateKey()));
    } else {
      char[] pass = passphrase.get("the export of '" + info.name() + "'", true);
      try {
        n.set("crypto", SealedBox.seal(key.privateKey(), pass, exportAad(info.address()), random));
      } finally {
        Arrays.fill(pass, '\0');
      }
    }
    return Json.render(n);
  }

  /** Imports an export (sealed or plain) under {@code name}. */
  KeyInfo importKey(String name, byte[] exported) {
    JsonNode n = Json.parse(exported, "the import file");
    byte[] seed;
    if (n.hasNonNull("priv_key_hex")) {
      seed = Hex.decode(n.get("priv_key_hex").asText());
    } else if (n.hasNonNull("crypto")) {
      char[] pass = passphrase.get("the import file", false);
      try {
        seed =
            SealedBox.open(
                n.get("crypto"), pass, exportAad(n.path("address").asText()), "the import file");
      } finally {
        Arrays.fill(pass, '\0');
      }
    } else {
      throw new CliException("the import file holds no key (expected crypto or priv_key_hex)");
    }
    if (seed.length != 32) {
      throw new CliException("the import file's key is not a 32-byte Ed25519 seed");
    }
    Ed25519KeyPair key = Ed25519KeyPair.fromSeed(seed);
    Arrays.fill(seed, (byte) 0);
    if (n.hasNonNull("address")
        && !key.address().toString().equalsIgnoreCase(n.get("address").asText())) {
      throw new CliException("the import file's address does not match its key");
    }
    return add(name, key);
  }

  KeyInfo require(String nameOrAddress) {
    return find(nameOrAddress)
        .orElseThrow(
            () ->
                new CliException(
                    "no key '" + nameOrAddress + "' in the " + backend + " keyring (" + dir + ")"));
  }

  static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new CliException(
          "invalid key name '"
              + name
              + "': use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or"
              + " digit)");
    }
  }

  private Path file(String name) {
    return dir.resolve(name + ".json");
  }

  private KeyInfo info(JsonNode n) {
    byte[] pub = Base64.getDecoder().decode(n.path("pub_key").asText());
    String address = Address.of(pub).toString();
    if (!address.equalsIgnoreCase(n.path("address").asText())) {
      throw new CliException("key '" + n.path("name").asText() + "' is corrupt: wrong address");
    }
    return new KeyInfo(n.path("name").asText(), address, pub, backend);
  }

  private static JsonNode read(Path f) {
    try {
      return Json.parse(Files.readAllBytes(f), f.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }

  private void writeSecret(Path file, byte[] bytes) {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    try {
      if (!Files.isDirectory(dir)) {
        if (posix) {
          Files.createDirectories(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(dir);
        }
      }
      Path tmp = Files.createTempFile(dir, ".new-", ".tmp");
      if (posix) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      }
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static byte[] aad(String name, String address) {
    return ("peerz-keyring|" + name + "|" + address.toLowerCase()).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] exportAad(String address) {
    return ("peerz-export|" + address.toLowerCase()).getBytes(StandardCharsets.UTF_8);
  }
}
