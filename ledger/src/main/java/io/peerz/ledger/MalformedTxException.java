package io.peerz.ledger;

/**
 * Raw bytes that are not a well-formed transaction; {@link #missingMessage()} tells apart a tx that
 * decodes but carries no message this node knows (ante/3 in docs/errors.md, not ante/2).
 */
public final class MalformedTxException extends Exception {
  private final boolean missingMessage;

  public MalformedTxException(String message) {
    this(message, false);
  }

  private MalformedTxException(String message, boolean missingMessage) {
    super(message);
    this.missingMessage = missingMessage;
  }

  /** A body that decodes but sets no message, or only one this node does not know. */
  public static MalformedTxException missingMessage(String message) {
    return new MalformedTxException(message, true);
  }

  /** Whether the body decodes and only its message is missing or unknown. */
  public boolean missingMessage() {
    return missingMessage;
  }
}
