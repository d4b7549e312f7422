package io.peerz.cli;

import io.peerz.ledger.Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --keyring-backend} and {@code --keyring-passphrase-file}. Without a backend flag, keys are
 * created in the {@code file} keyring and looked up in {@code file} and then {@code test}, so the
 * funded {@code validator} key that {@code init} puts in the test keyring is found by name.
 */
final class KeyringOptions {
  @Option(
      names = "--keyring-backend",
      paramLabel = "<backend>",
      description =
          "Keyring backend: ${COMPLETION-CANDIDATES}. 'file' (the default for new keys) encrypts"
              + " each key with a passphrase; 'test' stores keys unencrypted.")
  KeyringBackend backend;

  @Option(
      names = "--keyring-passphrase-file",
      paramLabel = "<file>",
      description =
          "Read the keyring passphrase from the first line of this file (default: $"
              + Passphrase.ENV
              + ", else a prompt).")
  Path passphraseFile;

  /** The keyring that new keys go into. */
  Keyring target(HomeOption home) {
    return open(home, backend == null ? KeyringBackend.file : backend);
  }

  Keyring open(HomeOption home, KeyringBackend b) {
    PeerzCli root = home.root();
    return new Keyring(
        home.home(), b, new Passphrase(passphraseFile, root.env, root.console), root.random);
  }

  /** Finds a key by name or address in the chosen backend, or in file then test. */
  Optional<KeyInfo> find(HomeOption home, String nameOrAddress) {
    if (backend != null) {
      return open(home, backend).find(nameOrAddress);
    }
    for (KeyringBackend b : KeyringBackend.values()) {
      Optional<KeyInfo> k = open(home, b).find(nameOrAddress);
      if (k.isPresent()) {
        return k;
      }
    }
    return Optional.empty();
  }

  KeyInfo require(HomeOption home, String nameOrAddress) {
    return find(home, nameOrAddress)
        .orElseThrow(
            () ->
                new CliException(
                    "no key '"
                        + nameOrAddress
                        + "' in the "
                        + (backend == null ? "file or test" : backend.name())
                        + " keyring under "
                        + home.home()
                        + " (see 'peerz keys list')"));
  }

  /**
   * An address as given (0x + 40 hex digits), the address of an executor key file (a name ending in
   * .json that is a file: {@code peerz keys add-executor} wrote it), or the address of a key by
   * that name.
   */
  Address address(HomeOption home, String addressOrName) {
    if (addressOrName.startsWith("0x") || addressOrName.startsWith("0X")) {
      return Address.parse(addressOrName);
    }
    if (addressOrName.endsWith(".json") && Files.isRegularFile(Path.of(addressOrName))) {
      return ExecutorKey.address(addressOrName);
    }
    return Address.parse(require(home, addressOrName).address());
  }
}
