package io.peerz.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The app hash of a state given as its whole set of pairs, computed in memory: what a state store
 * holding exactly these pairs would report, without one.
 */
public final class StateRoot {
  private StateRoot() {}

  /**
   * The Merkle root of a state holding exactly {@code pairs} (a null value counts as absent). Used
   * to tell whether a genesis computed again is the one already committed.
   */
  public static byte[] of(Map<byte[], byte[]> pairs) {
    List<MerkleTree.Change> changes = new ArrayList<>(pairs.size());
    for (Map.Entry<byte[], byte[]> e : pairs.entrySet()) {
      if (e.getValue() != null) {
        changes.add(new MerkleTree.Change(Sha256.hash(e.getKey()), Sha256.hash(e.getValue())));
      }
    }
    changes.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    return MerkleTree.apply(path -> null, MerkleTree.EMPTY, changes).root();
  }
}
