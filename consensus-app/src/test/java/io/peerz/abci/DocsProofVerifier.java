package io.peerz.abci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A verifier of {@code peerz:smt} proof ops written from docs/cometbft.md ("Proofs") alone, as a
 * wallet would write it: its own protobuf reading and SHA-256, none of the prover's code. Tests use
 * it to check that what the application answers is what the documentation promises.
 */
public final class DocsProofVerifier {

  /** The op type the documentation names. */
  public static final String OP_TYPE = "peerz:smt";

  private static final int MAX_SIBLINGS = 256;

  private DocsProofVerifier() {}

  /** The decoded {@code MerkleProof} message: fields 1 to 5 of the documented .proto. */
  private record Proof(
      byte[] key,
      byte[] value,
      List<byte[]> siblings,
      byte[] otherKeyHash,
      byte[] otherValueHash) {}

  /**
   * Whether the answer ({@code key}, {@code value}, or null for a key reported absent) is proven by
   * the op ({@code opType}, {@code opKey}, {@code data}) under {@code appHash}, the app hash of the
   * answer's height (block H + 1's header). Follows steps 1 to 4 of the documentation.
   */
  public static boolean verify(
      String opType, byte[] opKey, byte[] data, byte[] key, byte[] value, byte[] appHash) {
    if (!OP_TYPE.equals(opType) || appHash == null || appHash.length != 32) {
      return false;
    }
    Proof p;
    try {
      p = decode(data);
    } catch (IllegalArgumentException e) {
      return false;
    }
    // Step 1: the proof's key is the answer's and the op's; a value exactly when the answer has
    // one.
    if (p.siblings().size() > MAX_SIBLINGS
        || !Arrays.equals(p.key(), key)
        || !Arrays.equals(opKey, key)
        || (p.value() == null) != (value == null)
        || (value != null && !Arrays.equals(p.value(), value))) {
      return false;
    }
    for (byte[] s : p.siblings()) {
      if (s.length != 32) {
        return false;
      }
    }
    byte[] keyHash = sha256(key);
    int depth = p.siblings().size();
    // Step 2: the node where the key's path ends.
    byte[] node;
    if (p.value() != null) {
      if (p.otherKeyHash() != null || p.otherValueHash() != null) {
        return false;
      }
      node = leaf(keyHash, sha256(p.value()));
    } else if (p.otherKeyHash() != null || p.otherValueHash() != null) {
      if (p.otherKeyHash() == null
          || p.otherValueHash() == null
          || p.otherKeyHash().length != 32
          || p.otherValueHash().length != 32
          || Arrays.equals(p.otherKeyHash(), keyHash)) {
        return false;
      }
      for (int i = 0; i < depth; i++) {
        if (bit(p.otherKeyHash(), i) != bit(keyHash, i)) {
          return false;
        }
      }
      node = leaf(p.otherKeyHash(), p.otherValueHash());
    } else {
      node = new byte[32];
    }
    // Step 3: up to the root.
    for (int i = depth - 1; i >= 0; i--) {
      byte[] sibling = p.siblings().get(i);
      node = bit(keyHash, i) == 0 ? inner(node, sibling) : inner(sibling, node);
    }
    // Step 4.
    return Arrays.equals(node, appHash);
  }

  private static int bit(byte[] hash, int i) {
    return (hash[i / 8] >> (7 - i % 8)) & 1;
  }

  private static byte[] leaf(byte[] keyHash, byte[] valueHash) {
    return sha256(new byte[] {0}, keyHash, valueHash);
  }

  private static byte[] inner(byte[] left, byte[] right) {
    return sha256(new byte[] {1}, left, right);
  }

  private static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        d.update(p);
      }
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads the documented MerkleProof: every field is length-delimited (wire type 2); an empty
   * other_key_hash / other_value_hash means "not set" (proto3), value is set when present.
   */
  private static Proof decode(byte[] b) {
    byte[] key = new byte[0];
    byte[] value = null;
    List<byte[]> siblings = new ArrayList<>();
    byte[] otherKeyHash = null;
    byte[] otherValueHash = null;
    int[] pos = {0};
    while (pos[0] < b.length) {
      long tag = uvarint(b, pos);
      if ((tag & 7) != 2) {
        throw new IllegalArgumentException("wire type " + (tag & 7));
      }
      long length = uvarint(b, pos);
      if (length < 0 || length > b.length - pos[0]) {
        throw new IllegalArgumentException("truncated");
      }
      byte[] field = Arrays.copyOfRange(b, pos[0], pos[0] + (int) length);
      pos[0] += (int) length;
      switch ((int) (tag >>> 3)) {
        case 1 -> key = field;
        case 2 -> value = field;
        case 3 -> siblings.add(field);
        case 4 -> otherKeyHash = field.length == 0 ? null : field;
        case 5 -> otherValueHash = field.length == 0 ? null : field;
        default -> throw new IllegalArgumentException("unknown field " + (tag >>> 3));
      }
    }
    return new Proof(key, value, siblings, otherKeyHash, otherValueHash);
  }

  private static long uvarint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new IllegalArgumentException("truncated varint");
      }
      int x = b[pos[0]++] & 0xFF;
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint too long");
  }

  /** {@code data} with its last byte (in a 32-byte hash) flipped, for negative checks. */
  public static byte[] tampered(byte[] data) {
    byte[] copy = data.clone();
    copy[copy.length - 1] ^= 1;
    return copy;
  }
}
