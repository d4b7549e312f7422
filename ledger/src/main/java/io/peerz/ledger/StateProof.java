package io.peerz.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.ledger.proto.MerkleProof;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Merkle proof that a key has a value (membership) or has none (non-membership) under a root.
 * Verifiable by a client holding only the app hash.
 *
 * <p>The tree is the compact sparse Merkle tree over SHA-256(key) described in {@code proof.proto}.
 * A proof carries the sibling hashes from the root down the key hash's bits to where the key's path
 * ends: at its own leaf (membership), at an empty subtree, or at the leaf of another key that
 * shares the path so far (both non-membership).
 */
public final class StateProof {
  private final byte[] key;
  private final byte[] value;
  private final List<byte[]> siblings;
  private final byte[] otherKeyHash;
  private final byte[] otherValueHash;

  private StateProof(
      byte[] key, byte[] value, List<byte[]> siblings, byte[] otherKeyHash, byte[] otherValueHash) {
    this.key = key;
    this.value = value;
    this.siblings = siblings;
    this.otherKeyHash = otherKeyHash;
    this.otherValueHash = otherValueHash;
  }

  static StateProof membership(byte[] key, byte[] value, List<byte[]> siblings) {
    return new StateProof(key.clone(), value.clone(), List.copyOf(siblings), null, null);
  }

  static StateProof absentAtEmpty(byte[] key, List<byte[]> siblings) {
    return new StateProof(key.clone(), null, List.copyOf(siblings), null, null);
  }

  static StateProof absentAtLeaf(
      byte[] key, List<byte[]> siblings, byte[] otherKeyHash, byte[] otherValueHash) {
    return new StateProof(
        key.clone(), null, List.copyOf(siblings), otherKeyHash.clone(), otherValueHash.clone());
  }

  /** The key proven. */
  public byte[] key() {
    return key.clone();
  }

  /** The value proven, or null for a proof of absence. */
  public byte[] value() {
    return value == null ? null : value.clone();
  }

  /** True when this proof shows {@link #key()} has {@link #value()} under {@code root}. */
  public boolean verify(byte[] root) {
    if (root == null || root.length != Sha256.LENGTH || siblings.size() > MerkleTree.MAX_DEPTH) {
      return false;
    }
    byte[] keyHash = Sha256.hash(key);
    int depth = siblings.size();
    byte[] node;
    if (value != null) {
      node = MerkleTree.leafHash(keyHash, Sha256.hash(value));
    } else if (otherKeyHash == null) {
      node = MerkleTree.EMPTY;
    } else {
      // The other leaf must really lie on this key's path, and be another key.
      if (Arrays.equals(otherKeyHash, keyHash) || !samePrefix(otherKeyHash, keyHash, depth)) {
        return false;
      }
      node = MerkleTree.leafHash(otherKeyHash, otherValueHash);
    }
    for (int i = depth - 1; i >= 0; i--) {
      byte[] sibling = siblings.get(i);
      node =
          MerkleTree.bit(keyHash, i) == 0
              ? MerkleTree.innerHash(node, sibling)
              : MerkleTree.innerHash(sibling, node);
    }
    return Arrays.equals(node, root);
  }

  private static boolean samePrefix(byte[] a, byte[] b, int bits) {
    for (int i = 0; i < bits; i++) {
      if (MerkleTree.bit(a, i) != MerkleTree.bit(b, i)) {
        return false;
      }
    }
    return true;
  }

  /** Deterministic encoding for RPC (abci_query proof_ops data). */
  public byte[] toBytes() {
    MerkleProof.Builder b = MerkleProof.newBuilder().setKey(ByteString.copyFrom(key));
    if (value != null) {
      b.setValue(ByteString.copyFrom(value));
    }
    for (byte[] sibling : siblings) {
      b.addSiblings(ByteString.copyFrom(sibling));
    }
    if (otherKeyHash != null) {
      b.setOtherKeyHash(ByteString.copyFrom(otherKeyHash));
      b.setOtherValueHash(ByteString.copyFrom(otherValueHash));
    }
    return DeterministicProto.encode(b.build());
  }

  /**
   * Decodes {@link #toBytes()}; throws IllegalArgumentException on malformed bytes, including any
   * encoding other than the canonical one, so a proof has exactly one byte form.
   */
  public static StateProof fromBytes(byte[] bytes) {
    MerkleProof m;
    try {
      m = MerkleProof.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("state proof does not parse: " + e.getMessage(), e);
    }
    if (!m.getUnknownFields().asMap().isEmpty()
        || !Arrays.equals(DeterministicProto.encode(m), bytes)) {
      throw new IllegalArgumentException("state proof is not canonically encoded");
    }
    if (m.getSiblingsCount() > MerkleTree.MAX_DEPTH) {
      throw new IllegalArgumentException(
          "state proof has " + m.getSiblingsCount() + " siblings; at most 256");
    }
    List<byte[]> siblings = new ArrayList<>(m.getSiblingsCount());
    for (ByteString s : m.getSiblingsList()) {
      if (s.size() != Sha256.LENGTH) {
        throw new IllegalArgumentException("state proof sibling of " + s.size() + " bytes; not 32");
      }
      siblings.add(s.toByteArray());
    }
    boolean hasOther = !m.getOtherKeyHash().isEmpty() || !m.getOtherValueHash().isEmpty();
    if (hasOther
        && (m.getOtherKeyHash().size() != Sha256.LENGTH
            || m.getOtherValueHash().size() != Sha256.LENGTH)) {
      throw new IllegalArgumentException("state proof other leaf hashes must both be 32 bytes");
    }
    byte[] key = m.getKey().toByteArray();
    if (m.hasValue()) {
      if (hasOther) {
        throw new IllegalArgumentException("state proof of membership carries another leaf");
      }
      return membership(key, m.getValue().toByteArray(), siblings);
    }
    return hasOther
        ? absentAtLeaf(
            key, siblings, m.getOtherKeyHash().toByteArray(), m.getOtherValueHash().toByteArray())
        : absentAtEmpty(key, siblings);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateProof other && Arrays.equals(toBytes(), other.toBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }

  @Override
  public String toString() {
    return "StateProof[key="
        + Hex.encode(key)
        + (value == null ? ", absent" : ", present")
        + ", depth="
        + siblings.size()
        + "]";
  }
}
