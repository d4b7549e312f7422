package io.peerz.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A SLIP-0010 derivation path of hardened indices, such as {@code m/44'/73379'/0'/0'/0'}, the path
 * of peerz account keys: BIP-44's purpose 44, peerz's coin type 73379 ("PEERZ" on a phone keypad;
 * no SLIP-0044 entry holds it), then account, change and address index, every one hardened because
 * Ed25519 under SLIP-0010 has no other kind.
 */
record HdPath(List<Integer> indices) {
  static final int PURPOSE = 44;
  static final int COIN_TYPE = 73379;

  HdPath {
    indices = List.copyOf(indices);
    for (int i : indices) {
      if (i < 0) {
        throw new IllegalArgumentException("a hardened index is 0 to 2147483647, got " + i);
      }
    }
  }

  /** {@code m/44'/73379'/account'/0'/index'}. */
  static HdPath peerz(int account, int index) {
    return new HdPath(List.of(PURPOSE, COIN_TYPE, account, 0, index));
  }

  /**
   * Reads {@code m/44'/73379'/0'/0'/0'}; a hardened index ends in {@code '} or {@code h}. An index
   * that is not hardened is refused: SLIP-0010 derives no such Ed25519 child.
   */
  static HdPath parse(String text) {
    String[] parts = text.trim().split("/");
    if (!parts[0].equals("m")) {
      throw new CliException("a derivation path starts with 'm/', got '" + text + "'");
    }
    List<Integer> out = new ArrayList<>();
    for (int p = 1; p < parts.length; p++) {
      String part = parts[p];
      boolean hardened = part.endsWith("'") || part.endsWith("h") || part.endsWith("H");
      String digits = hardened ? part.substring(0, part.length() - 1) : part;
      long value;
      try {
        value = Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw new CliException("'" + part + "' in the derivation path '" + text + "' is no index");
      }
      if (!hardened) {
        throw new CliException(
            "index "
                + part
                + " in '"
                + text
                + "' is not hardened: Ed25519 keys (SLIP-0010) derive hardened children only;"
                + " write "
                + part
                + "'");
      }
      if (value < 0 || value > Integer.MAX_VALUE) {
        throw new CliException(
            "index " + part + " in '" + text + "' is out of range (0 to 2147483647)");
      }
      out.add((int) value);
    }
    return new HdPath(out);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("m");
    for (int i : indices) {
      s.append('/').append(i).append('\'');
    }
    return s.toString();
  }
}
