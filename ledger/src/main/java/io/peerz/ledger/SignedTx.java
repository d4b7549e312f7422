package io.peerz.ledger;

import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import java.util.Arrays;

/** A decoded transaction: envelope, body, its hash (SHA-256 of the raw bytes) and signer. */
public record SignedTx(Tx tx, TxBody body, byte[] hash, Address signer) {

  /** Copies the hash so the record stays immutable. */
  public SignedTx {
    hash = hash.clone();
  }

  /** The 32-byte tx hash (a copy). */
  @Override
  public byte[] hash() {
    return hash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedTx other
        && tx.equals(other.tx)
        && body.equals(other.body)
        && Arrays.equals(hash, other.hash)
        && signer.equals(other.signer);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "SignedTx[hash="
        + Hex.encodeUpper(hash)
        + ", signer="
        + signer
        + ", nonce="
        + body.getNonce()
        + ", msg="
        + body.getMsgCase()
        + "]";
  }
}
