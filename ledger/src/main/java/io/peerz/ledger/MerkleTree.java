package io.peerz.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The compact sparse Merkle tree over SHA-256 of keys: a binary trie on the key hash's bits in
 * which a leaf sits at the shortest prefix no other key shares. The root depends only on the set of
 * pairs. Nodes are addressed by their path (depth and prefix bits); only the latest version is
 * kept.
 */
final class MerkleTree {
  static final byte[] EMPTY = new byte[Sha256.LENGTH];
  static final int MAX_DEPTH = 256;
  private static final byte[] LEAF_PREFIX = {0};
  private static final byte[] INNER_PREFIX = {1};
  private static final byte LEAF_TAG = 0;
  private static final byte INNER_TAG = 1;

  private MerkleTree() {}

  /** Reads the stored node at a path key, or null where the subtree is empty. */
  @FunctionalInterface
  interface NodeReader {
    Node read(byte[] pathKey);
  }

  /** A stored tree node. */
  sealed interface Node permits Leaf, Inner {
    byte[] hash();

    byte[] encode();
  }

  /** A leaf: the key hash and the value hash. */
  record Leaf(byte[] keyHash, byte[] valueHash) implements Node {
    @Override
    public byte[] hash() {
      return leafHash(keyHash, valueHash);
    }

    @Override
    public byte[] encode() {
      return concat(LEAF_TAG, keyHash, valueHash);
    }
  }

  /** An inner node: the hashes of its two subtrees (EMPTY for an empty one). */
  record Inner(byte[] left, byte[] right) implements Node {
    @Override
    public byte[] hash() {
      return innerHash(left, right);
    }

    @Override
    public byte[] encode() {
      return concat(INNER_TAG, left, right);
    }
  }

  /** One write: the key hash and the value hash, null for a delete. */
  record Change(byte[] keyHash, byte[] valueHash) {}

  /** The outcome of applying changes: the new root and node writes by path key (null deletes). */
  record Update(byte[] root, NavigableMap<byte[], Node> writes) {}

  static byte[] leafHash(byte[] keyHash, byte[] valueHash) {
    return Sha256.hash(LEAF_PREFIX, keyHash, valueHash);
  }

  static byte[] innerHash(byte[] left, byte[] right) {
    return Sha256.hash(INNER_PREFIX, left, right);
  }

  static Node decode(byte[] bytes) {
    if (bytes.length != 1 + 2 * Sha256.LENGTH) {
      throw new IllegalStateException("corrupt Merkle node of " + bytes.length + " bytes");
    }
    byte[] a = Arrays.copyOfRange(bytes, 1, 1 + Sha256.LENGTH);
    byte[] b = Arrays.copyOfRange(bytes, 1 + Sha256.LENGTH, bytes.length);
    return switch (bytes[0]) {
      case LEAF_TAG -> new Leaf(a, b);
      case INNER_TAG -> new Inner(a, b);
      default -> throw new IllegalStateException("corrupt Merkle node tag " + bytes[0]);
    };
  }

  static int bit(byte[] hash, int index) {
    return (hash[index >>> 3] >>> (7 - (index & 7))) & 1;
  }

  /** The path key of the node at {@code depth} on the path of {@code keyHash}. */
  static byte[] pathKey(byte[] keyHash, int depth) {
    int bytes = (depth + 7) / 8;
    byte[] out = new byte[2 + bytes];
    out[0] = (byte) (depth >>> 8);
    out[1] = (byte) depth;
    System.arraycopy(keyHash, 0, out, 2, bytes);
    if ((depth & 7) != 0) {
      out[out.length - 1] &= (byte) (0xff << (8 - (depth & 7)));
    }
    return out;
  }

  /** The path key of the child {@code side} (0 left, 1 right) of the node at {@code depth}. */
  static byte[] childPathKey(byte[] keyHash, int depth, int side) {
    byte[] out = pathKey(keyHash, depth + 1);
    int byteIndex = 2 + (depth >>> 3);
    int mask = 1 << (7 - (depth & 7));
    out[byteIndex] = (byte) (side == 1 ? out[byteIndex] | mask : out[byteIndex] & ~mask);
    return out;
  }

  /** The root of the tree holding {@code leaves}, computed from scratch (for checks and tests). */
  static byte[] rootOf(List<Leaf> leavesSortedByKeyHash) {
    return hashOf(leavesSortedByKeyHash, 0);
  }

  private static byte[] hashOf(List<Leaf> leaves, int depth) {
    if (leaves.isEmpty()) {
      return EMPTY;
    }
    if (leaves.size() == 1) {
      return leaves.get(0).hash();
    }
    int split = splitIndex(leaves, depth, Leaf::keyHash);
    return innerHash(
        hashOf(leaves.subList(0, split), depth + 1),
        hashOf(leaves.subList(split, leaves.size()), depth + 1));
  }

  /**
   * Applies changes, sorted by unsigned key hash with no key hash twice, to the tree read through
   * {@code reader}; reads only the nodes on the changed paths and their siblings.
   */
  static Update apply(NodeReader reader, byte[] currentRoot, List<Change> changes) {
    Updater updater = new Updater(reader);
    if (changes.isEmpty()) {
      return new Update(currentRoot.clone(), updater.writes);
    }
    Node root = updater.update(0, changes);
    return new Update(root == null ? EMPTY.clone() : root.hash(), updater.writes);
  }

  private static final class Updater {
    private final NodeReader reader;
    private final NavigableMap<byte[], Node> writes = new TreeMap<>(Arrays::compareUnsigned);

    Updater(NodeReader reader) {
      this.reader = reader;
    }

    Node update(int depth, List<Change> changes) {
      byte[] anyKeyHash = changes.get(0).keyHash();
      byte[] path = pathKey(anyKeyHash, depth);
      Node existing = reader.read(path);
      Node result;
      if (existing instanceof Inner inner) {
        result = updateInner(depth, anyKeyHash, inner, changes);
      } else {
        result = rebuild(depth, mergeLeaves((Leaf) existing, changes));
      }
      if (result != null) {
        writes.put(path, result);
      } else if (existing != null) {
        writes.put(path, null);
      }
      return result;
    }

    private Node updateInner(int depth, byte[] anyKeyHash, Inner inner, List<Change> changes) {
      int split = splitIndex(changes, depth, Change::keyHash);
      List<Change> left = changes.subList(0, split);
      List<Change> right = changes.subList(split, changes.size());
      Node leftNode = left.isEmpty() ? null : update(depth + 1, left);
      Node rightNode = right.isEmpty() ? null : update(depth + 1, right);
      byte[] leftHash = left.isEmpty() ? inner.left() : hashOrEmpty(leftNode);
      byte[] rightHash = right.isEmpty() ? inner.right() : hashOrEmpty(rightNode);
      boolean leftEmpty = Arrays.equals(leftHash, EMPTY);
      boolean rightEmpty = Arrays.equals(rightHash, EMPTY);
      if (leftEmpty && rightEmpty) {
        return null;
      }
      if (leftEmpty || rightEmpty) {
        // A lone leaf below moves up to the shortest prefix that distinguishes it.
        int side = leftEmpty ? 1 : 0;
        boolean changed = side == 0 ? !left.isEmpty() : !right.isEmpty();
        byte[] childPath = childPathKey(anyKeyHash, depth, side);
        Node child = changed ? (side == 0 ? leftNode : rightNode) : reader.read(childPath);
        if (child instanceof Leaf leaf) {
          writes.put(childPath, null);
          return leaf;
        }
      }
      return new Inner(leftHash, rightHash);
    }

    /** Builds the subtree at a path that held at most a leaf; writes every node below it. */
    private Node rebuild(int depth, List<Leaf> leaves) {
      if (leaves.isEmpty()) {
        return null;
      }
      if (leaves.size() == 1) {
        return leaves.get(0);
      }
      if (depth >= MAX_DEPTH) {
        throw new IllegalStateException("two keys with the same SHA-256 hash");
      }
      int split = splitIndex(leaves, depth, Leaf::keyHash);
      byte[] anyKeyHash = leaves.get(0).keyHash();
      Node left = rebuild(depth + 1, leaves.subList(0, split));
      Node right = rebuild(depth + 1, leaves.subList(split, leaves.size()));
      if (left != null) {
        writes.put(childPathKey(anyKeyHash, depth, 0), left);
      }
      if (right != null) {
        writes.put(childPathKey(anyKeyHash, depth, 1), right);
      }
      return new Inner(hashOrEmpty(left), hashOrEmpty(right));
    }
  }

  /**
   * Proves the key's value or absence by walking its path from the root; {@code valueOf} reads the
   * stored value of a key whose leaf is found.
   */
  static StateProof prove(
      NodeReader reader, byte[] key, java.util.function.Function<byte[], byte[]> valueOf) {
    byte[] keyHash = Sha256.hash(key);
    List<byte[]> siblings = new ArrayList<>();
    Node node = reader.read(pathKey(keyHash, 0));
    for (int depth = 0; ; depth++) {
      if (node == null) {
        return StateProof.absentAtEmpty(key, siblings);
      }
      if (node instanceof Leaf leaf) {
        if (!Arrays.equals(leaf.keyHash(), keyHash)) {
          return StateProof.absentAtLeaf(key, siblings, leaf.keyHash(), leaf.valueHash());
        }
        byte[] value = valueOf.apply(key);
        if (value == null || !Arrays.equals(Sha256.hash(value), leaf.valueHash())) {
          throw new IllegalStateException(
              "ledger state is corrupt: tree leaf and value differ for key " + Hex.encode(key));
        }
        return StateProof.membership(key, value, siblings);
      }
      Inner inner = (Inner) node;
      int bit = bit(keyHash, depth);
      siblings.add(bit == 0 ? inner.right() : inner.left());
      byte[] childHash = bit == 0 ? inner.left() : inner.right();
      node = Arrays.equals(childHash, EMPTY) ? null : reader.read(pathKey(keyHash, depth + 1));
    }
  }

  /** The leaves of a subtree holding {@code existing} (or nothing) after {@code changes}. */
  private static List<Leaf> mergeLeaves(Leaf existing, List<Change> changes) {
    List<Leaf> leaves = new ArrayList<>(changes.size() + 1);
    boolean existingPlaced = existing == null;
    for (Change change : changes) {
      int cmp = existingPlaced ? -1 : Arrays.compareUnsigned(change.keyHash(), existing.keyHash());
      if (!existingPlaced && cmp > 0) {
        leaves.add(existing);
        existingPlaced = true;
      } else if (cmp == 0) {
        existingPlaced = true; // overridden by the change
      }
      if (change.valueHash() != null) {
        leaves.add(new Leaf(change.keyHash(), change.valueHash()));
      }
    }
    if (!existingPlaced) {
      leaves.add(existing);
    }
    return leaves;
  }

  private static byte[] hashOrEmpty(Node node) {
    return node == null ? EMPTY.clone() : node.hash();
  }

  /** The first index whose key hash has bit {@code depth} set; the list is sorted. */
  private static <T> int splitIndex(
      List<T> sorted, int depth, java.util.function.Function<T, byte[]> keyHash) {
    int lo = 0;
    int hi = sorted.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (bit(keyHash.apply(sorted.get(mid)), depth) == 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static byte[] concat(byte tag, byte[] a, byte[] b) {
    byte[] out = new byte[1 + a.length + b.length];
    out[0] = tag;
    System.arraycopy(a, 0, out, 1, a.length);
    System.arraycopy(b, 0, out, 1 + a.length, b.length);
    return out;
  }
}
