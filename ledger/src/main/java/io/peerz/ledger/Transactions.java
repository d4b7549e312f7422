package io.peerz.ledger;

import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;

/** Building, signing, hashing and decoding the {@link Tx} envelope. */
public final class Transactions {
  private Transactions() {}

  /** Signs the deterministic encoding of {@code body} (whose signer_pub_key must be the key's). */
  public static Tx sign(TxBody body, Ed25519KeyPair key) {
    throw new UnsupportedOperationException("contract");
  }

  /** SHA-256 of the raw tx bytes: the tx hash as CometBFT computes it. */
  public static byte[] hash(byte[] txBytes) {
    throw new UnsupportedOperationException("contract");
  }

  /**
   * Decodes raw bytes into envelope and body; throws {@link MalformedTxException} (with the reason)
   * for bytes that are not a Tx, a body that does not parse, a signer key that is not 32 bytes or a
   * signature that is not 64 bytes. Does not verify the signature.
   */
  public static SignedTx decode(byte[] txBytes) throws MalformedTxException {
    throw new UnsupportedOperationException("contract");
  }
}
