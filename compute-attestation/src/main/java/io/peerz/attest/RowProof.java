package io.peerz.attest;

import io.peerz.ledger.Sha256;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Merkle proof that one output row sits at {@code index} among {@code total} rows under a root:
 * the sibling hashes from the leaf up (CometBFT's {@code merkle.Proof} aunts), for the tree of
 * {@link io.peerz.ledger.Blocks#merkleRoot} over the items {@code index (u32 BE) || row bytes}.
 */
public record RowProof(int index, int total, List<byte[]> aunts) {

  /** Copies the aunts so the record stays immutable. */
  public RowProof {
    List<byte[]> copy = new ArrayList<>(aunts.size());
    for (byte[] aunt : aunts) {
      copy.add(aunt.clone());
    }
    aunts = List.copyOf(copy);
  }

  /** The aunts (copies). */
  @Override
  public List<byte[]> aunts() {
    List<byte[]> copy = new ArrayList<>(aunts.size());
    for (byte[] aunt : aunts) {
      copy.add(aunt.clone());
    }
    return copy;
  }

  /**
   * True when {@code rowBytes} at this proof's index hashes up to {@code root}; false for any
   * malformed proof (index out of range, wrong number of aunts, an aunt not 32 bytes).
   */
  public boolean verify(byte[] root, byte[] rowBytes) {
    if (root == null || root.length != Sha256.LENGTH || rowBytes == null) {
      return false;
    }
    if (total <= 0 || index < 0 || index >= total) {
      return false;
    }
    byte[] computed = Rfc6962Tree.rootFromAunts(index, total, leafHash(index, rowBytes), aunts);
    return computed != null && Arrays.equals(computed, root);
  }

  /** The leaf hash of a row: SHA-256(0x00 || index u32 BE || row bytes). */
  public static byte[] leafHash(int index, byte[] rowBytes) {
    byte[] idx = new byte[4];
    GemmInputs.putInt(idx, 0, index);
    return Sha256.hash(Rfc6962Tree.LEAF_PREFIX, idx, rowBytes);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RowProof other) || index != other.index || total != other.total) {
      return false;
    }
    if (aunts.size() != other.aunts.size()) {
      return false;
    }
    for (int i = 0; i < aunts.size(); i++) {
      if (!Arrays.equals(aunts.get(i), other.aunts.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return 31 * index + total;
  }

  @Override
  public String toString() {
    return "RowProof[index=" + index + ", total=" + total + ", aunts=" + aunts.size() + "]";
  }
}
