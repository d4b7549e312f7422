package io.peerz.cli;

import io.peerz.genesis.PrivValidatorKeyFile;
import io.peerz.ledger.Address;
import io.peerz.ledger.Ed25519KeyPair;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An executor's key file: CometBFT's priv_validator_key.json layout (address, pub_key, priv_key),
 * written 0600 by {@code peerz keys add-executor}. The executor signs its attestations and its txs
 * with it; its account (the address printed) pays their fees.
 */
final class ExecutorKey {
  private ExecutorKey() {}

  static Ed25519KeyPair read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CliException(
          "no executor key file "
              + file
              + " (create one with 'peerz keys add-executor "
              + file
              + "')");
    }
    return PrivValidatorKeyFile.read(file);
  }

  static void write(Path file, Ed25519KeyPair key) {
    PrivValidatorKeyFile.write(file, key);
  }

  /** An executor given as an address (0x...) or as its key file. */
  static Address address(String addressOrFile) {
    if (addressOrFile.startsWith("0x") || addressOrFile.startsWith("0X")) {
      return Address.parse(addressOrFile);
    }
    return read(Path.of(addressOrFile)).address();
  }
}
