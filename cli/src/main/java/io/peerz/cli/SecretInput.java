package io.peerz.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Where a secret that no flag may carry comes from (a mnemonic, a BIP-39 passphrase): the terminal,
 * without echo, or, when there is none, the next line of standard input, so that scripts can pipe
 * it in and it never shows in a process list or a shell history.
 */
final class SecretInput {
  private final Console console;
  private final BufferedReader stdin;

  SecretInput(Console console, BufferedReader stdin) {
    this.console = console;
    this.stdin = stdin;
  }

  /** The secret; {@code confirm} asks twice at a terminal. {@code what} names it in errors. */
  char[] read(String prompt, String what, boolean confirm) {
    if (console == null) {
      String line;
      try {
        line = stdin.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + what + " from standard input", e);
      }
      if (line == null) {
        throw new CliException(
            "no " + what + " on standard input: type it at a terminal or pipe it in, one line");
      }
      return line.toCharArray();
    }
    char[] first = console.readPassword("%s", prompt);
    if (first == null) {
      throw new CliException("no " + what + " entered");
    }
    if (confirm) {
      char[] second = console.readPassword("Repeat the %s: ", what);
      boolean same = second != null && Arrays.equals(first, second);
      if (second != null) {
        Arrays.fill(second, '\0');
      }
      if (!same) {
        Arrays.fill(first, '\0');
        throw new CliException("the two " + what + "s do not match");
      }
    }
    return first;
  }
}
