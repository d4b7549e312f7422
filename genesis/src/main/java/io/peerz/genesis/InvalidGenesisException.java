package io.peerz.genesis;

/** A genesis.json (or key file) that cannot be used; the message names the offending field. */
public final class InvalidGenesisException extends IllegalArgumentException {
  public InvalidGenesisException(String message) {
    super(message);
  }
}
