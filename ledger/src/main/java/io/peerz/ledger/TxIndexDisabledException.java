package io.peerz.ledger;

/** A tx lookup on a node that does not index txs ({@code [tx_index] indexer = "null"}). */
public final class TxIndexDisabledException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** CometBFT's message for the same case, so clients recognise it. */
  public static final String MESSAGE = "transaction indexing is disabled";

  public TxIndexDisabledException() {
    super(MESSAGE);
  }
}
