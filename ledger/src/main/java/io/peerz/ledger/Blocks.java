package io.peerz.ledger;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.Header;
import java.util.ArrayList;
import java.util.List;

/** Hashes of blocks and of their tx lists, and block times. */
public final class Blocks {
  private static final byte[] LEAF_PREFIX = {0};
  private static final byte[] INNER_PREFIX = {1};

  private Blocks() {}

  /** SHA-256 of the header's deterministic encoding: the block hash. */
  public static byte[] hash(Header header) {
    return Sha256.hash(DeterministicProto.encode(header));
  }

  /** A block time (a protobuf Timestamp) in milliseconds since the epoch. */
  public static long millis(com.google.protobuf.Timestamp t) {
    return Math.addExact(Math.multiplyExact(t.getSeconds(), 1000), t.getNanos() / 1_000_000);
  }

  /** The hash of a block: the hash of its header. */
  public static byte[] hash(Block block) {
    return hash(block.getHeader());
  }

  /**
   * The Merkle root of the SHA-256 hashes of {@code txs} in order ({@link #merkleRoot}); SHA-256 of
   * nothing for no txs.
   */
  public static byte[] dataHash(List<ByteString> txs) {
    List<byte[]> hashes = new ArrayList<>(txs.size());
    for (ByteString tx : txs) {
      hashes.add(Sha256.hash(tx.toByteArray()));
    }
    return merkleRoot(hashes);
  }

  /**
   * CometBFT's {@code merkle.HashFromByteSlices}: SHA-256 of nothing for no items, {@code
   * SHA-256(0x00 || item)} for a leaf, {@code SHA-256(0x01 || left || right)} for an inner node,
   * splitting at the largest power of two below the count (RFC 6962), so no list of items shares a
   * root with another.
   */
  public static byte[] merkleRoot(List<byte[]> items) {
    if (items.isEmpty()) {
      return Sha256.hash();
    }
    return merkleRoot(items, 0, items.size());
  }

  private static byte[] merkleRoot(List<byte[]> items, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return Sha256.hash(LEAF_PREFIX, items.get(from));
    }
    int split = Integer.highestOneBit(n - 1);
    return Sha256.hash(
        INNER_PREFIX, merkleRoot(items, from, from + split), merkleRoot(items, from + split, to));
  }
}
