package io.peerz.attest;

import io.peerz.ledger.Sha256;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary Merkle tree of RFC 6962 and CometBFT's {@code merkle.HashFromByteSlices} over given
 * leaf hashes: inner nodes are SHA-256(0x01 || left || right), a subtree of t leaves splits at the
 * largest power of two below t, no padding. Keeps every node so it can prove any leaf.
 */
final class Rfc6962Tree {
  static final byte[] LEAF_PREFIX = {0};
  static final byte[] INNER_PREFIX = {1};

  private final int total;
  private final Node root;

  private Rfc6962Tree(int total, Node root) {
    this.total = total;
    this.root = root;
  }

  /** The tree over {@code leaves} (leaf hashes, at least one). */
  static Rfc6962Tree of(byte[][] leaves) {
    if (leaves.length == 0) {
      throw new IllegalArgumentException("a Merkle tree needs at least one leaf");
    }
    return new Rfc6962Tree(leaves.length, build(leaves, 0, leaves.length));
  }

  /** The root hash (a copy). */
  byte[] root() {
    return root.hash.clone();
  }

  /** The number of leaves. */
  int total() {
    return total;
  }

  /** The aunts of leaf {@code index}, leaf first (CometBFT's proof order). */
  List<byte[]> aunts(int index) {
    if (index < 0 || index >= total) {
      throw new IllegalArgumentException("leaf " + index + " outside 0.." + (total - 1));
    }
    List<byte[]> aunts = new ArrayList<>();
    collect(root, index, total, aunts);
    return aunts;
  }

  static byte[] innerHash(byte[] left, byte[] right) {
    return Sha256.hash(INNER_PREFIX, left, right);
  }

  /** The split of CometBFT and RFC 6962: the largest power of two below {@code total}. */
  static int split(int total) {
    return Integer.highestOneBit(total - 1);
  }

  /**
   * The root that {@code leaf} at {@code index} of {@code total} leaves hashes up to with {@code
   * aunts}; null when the proof is malformed (index out of range, wrong number of aunts, an aunt
   * not 32 bytes).
   */
  static byte[] rootFromAunts(int index, int total, byte[] leaf, List<byte[]> aunts) {
    if (total <= 0 || index < 0 || index >= total) {
      return null;
    }
    for (byte[] aunt : aunts) {
      if (aunt == null || aunt.length != Sha256.LENGTH) {
        return null;
      }
    }
    return fromAunts(index, total, leaf, aunts, aunts.size());
  }

  /** CometBFT's computeHashFromAunts over the first {@code used} aunts; null when they misfit. */
  private static byte[] fromAunts(int index, int total, byte[] leaf, List<byte[]> aunts, int used) {
    if (total == 1) {
      return used == 0 ? leaf : null;
    }
    if (used == 0) {
      return null;
    }
    int left = split(total);
    byte[] aunt = aunts.get(used - 1);
    if (index < left) {
      byte[] l = fromAunts(index, left, leaf, aunts, used - 1);
      return l == null ? null : innerHash(l, aunt);
    }
    byte[] r = fromAunts(index - left, total - left, leaf, aunts, used - 1);
    return r == null ? null : innerHash(aunt, r);
  }

  private static void collect(Node node, int index, int total, List<byte[]> aunts) {
    if (total == 1) {
      return;
    }
    int left = split(total);
    if (index < left) {
      collect(node.left, index, left, aunts);
      aunts.add(node.right.hash.clone());
    } else {
      collect(node.right, index - left, total - left, aunts);
      aunts.add(node.left.hash.clone());
    }
  }

  private static Node build(byte[][] leaves, int from, int to) {
    if (to - from == 1) {
      return new Node(leaves[from], null, null);
    }
    int split = from + split(to - from);
    Node l = build(leaves, from, split);
    Node r = build(leaves, split, to);
    return new Node(innerHash(l.hash, r.hash), l, r);
  }

  private record Node(byte[] hash, Node left, Node right) {}
}
