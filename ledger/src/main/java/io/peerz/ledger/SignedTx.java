package io.peerz.ledger;

import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;

/** A decoded transaction: envelope, body, its hash (SHA-256 of the raw bytes) and signer. */
public record SignedTx(Tx tx, TxBody body, byte[] hash, Address signer) {

  /** True when the envelope's signature verifies against the body's signer key. */
  public boolean signatureValid() {
    throw new UnsupportedOperationException("contract");
  }
}
