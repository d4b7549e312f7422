package io.peerz.ledger;

/** Raw bytes that are not a well-formed transaction. */
public final class MalformedTxException extends Exception {
  public MalformedTxException(String message) {
    super(message);
  }
}
