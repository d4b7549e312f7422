package io.peerz.ledger;

import io.peerz.ledger.MerkleTree.Change;
import io.peerz.ledger.MerkleTree.Leaf;
import io.peerz.ledger.MerkleTree.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The Merkle tree over in-memory node storage, with a model of the pairs, for tests. */
final class MemTree {
  final TreeMap<byte[], Node> nodes = new TreeMap<>(Arrays::compareUnsigned);
  final TreeMap<byte[], byte[]> values = new TreeMap<>(Arrays::compareUnsigned);
  byte[] root = MerkleTree.EMPTY.clone();

  /** Applies one batch; a null value deletes. */
  void apply(Map<byte[], byte[]> batch) {
    List<Change> changes = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : batch.entrySet()) {
      changes.add(
          new Change(
              Sha256.hash(e.getKey()), e.getValue() == null ? null : Sha256.hash(e.getValue())));
      if (e.getValue() == null) {
        values.remove(e.getKey());
      } else {
        values.put(e.getKey(), e.getValue());
      }
    }
    changes.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    MerkleTree.Update u = MerkleTree.apply(nodes::get, root, changes);
    for (Map.Entry<byte[], Node> w : u.writes().entrySet()) {
      if (w.getValue() == null) {
        nodes.remove(w.getKey());
      } else {
        nodes.put(w.getKey(), w.getValue());
      }
    }
    root = u.root();
  }

  void put(byte[] key, byte[] value) {
    TreeMap<byte[], byte[]> one = new TreeMap<>(Arrays::compareUnsigned);
    one.put(key, value);
    apply(one);
  }

  StateProof prove(byte[] key) {
    return MerkleTree.prove(nodes::get, key, values::get);
  }

  /** The root computed from scratch over the model's pairs. */
  byte[] modelRoot() {
    List<Leaf> leaves = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : values.entrySet()) {
      leaves.add(new Leaf(Sha256.hash(e.getKey()), Sha256.hash(e.getValue())));
    }
    leaves.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    return MerkleTree.rootOf(leaves);
  }

  /** The stored nodes, encoded, for comparing two trees' storage. */
  List<String> dump() {
    List<String> out = new ArrayList<>();
    nodes.forEach((k, v) -> out.add(Hex.encode(k) + ":" + Hex.encode(v.encode())));
    return out;
  }
}
