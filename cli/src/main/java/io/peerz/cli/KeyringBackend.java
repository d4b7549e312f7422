package io.peerz.cli;

/** Where keys live: encrypted files (the default) or plaintext files for tests and demos. */
enum KeyringBackend {
  file,
  test;

  String directory() {
    return "keyring-" + name();
  }
}
