package io.peerz.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Where a keyring passphrase comes from, in order: {@code --keyring-passphrase-file}, the
 * environment variable {@code PEERZ_KEYRING_PASSPHRASE}, then an interactive prompt.
 */
final class Passphrase {
  static final String ENV = "PEERZ_KEYRING_PASSPHRASE";
  static final int MIN_LENGTH = 8;

  private final Path file;
  private final Map<String, String> env;
  private final Console console;

  Passphrase(Path file, Map<String, String> env, Console console) {
    this.file = file;
    this.env = env;
    this.console = console;
  }

  /** The passphrase; {@code confirm} asks twice at a prompt (when creating something). */
  char[] get(String purpose, boolean confirm) {
    if (file != null) {
      try {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        // Only the first line counts, so a trailing newline from `echo` does not matter.
        int nl = text.indexOf('\n');
        return checked((nl >= 0 ? text.substring(0, nl) : text).replace("\r", "").toCharArray());
      } catch (IOException e) {
        throw new CliException("cannot read --keyring-passphrase-file " + file + ": " + e);
      }
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null) {
      return checked(fromEnv.toCharArray());
    }
    if (console == null) {
      throw new CliException(
          "a passphrase is needed for "
              + purpose
              + ": pass --keyring-passphrase-file, set "
              + ENV
              + ", or run in a terminal");
    }
    char[] first = console.readPassword("Passphrase for %s: ", purpose);
    if (first == null) {
      throw new CliException("no passphrase entered");
    }
    if (confirm) {
      char[] second = console.readPassword("Repeat the passphrase: ");
      if (second == null || !Arrays.equals(first, second)) {
        throw new CliException("the passphrases do not match");
      }
      Arrays.fill(second, '\0');
    }
    return checked(first);
  }

  private static char[] checked(char[] p) {
    if (p.length < MIN_LENGTH) {
      throw new CliException(
          "the keyring passphrase must be at least " + MIN_LENGTH + " characters long");
    }
    return p;
  }
}
