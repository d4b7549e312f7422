package io.peerz.ledger;

import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import java.util.List;
import java.util.Optional;

/**
 * The event log: decided blocks in height order, appended (synced to disk) before they execute, and
 * the results stored with the state at commit.
 */
public interface BlockStore {

  /** Height of the last appended block; 0 when none. */
  long lastHeight();

  /** Height of the first stored block (initial height); 0 when none. */
  long baseHeight();

  /**
   * Appends the decided block at {@code lastHeight() + 1} (or the first block at any height)
   * together with the commit that decided it, synced to disk. Throws IllegalStateException on a gap
   * or a different block at an existing height.
   */
  void append(Block block, Commit seenCommit);

  Optional<Block> block(long height);

  /** The commit that decided the block at {@code height} (also block height+1's last_commit). */
  Optional<Commit> seenCommit(long height);

  /** The hash of the block at {@code height}. */
  Optional<byte[]> blockHash(long height);

  Optional<Long> heightOfHash(byte[] blockHash);

  /** Results of an executed and committed height. */
  Optional<BlockResults> results(long height);

  /**
   * Whether committed txs are indexed ({@code [tx_index] indexer = "kv"}); when not, {@link #tx}
   * and {@link #searchTxs} throw {@link TxIndexDisabledException}.
   */
  default boolean indexesTxs() {
    return true;
  }

  /** Where a committed tx sits. */
  Optional<TxLocation> tx(byte[] txHash);

  /**
   * Committed txs matching every condition, ascending by (height, index). Conditions are {@code
   * tx.height}, {@code tx.hash} or {@code <event type>.<attribute key>} compared with {@code =}
   * (and for tx.height also {@code <, <=, >, >=}), over indexed event attributes.
   */
  List<TxLocation> searchTxs(List<TxQuery.Condition> conditions, int limit);

  /** A committed tx: its height, position in the block, hash and raw bytes. */
  record TxLocation(long height, int index, byte[] hash, byte[] tx) {
    @Override
    public boolean equals(Object o) {
      return o instanceof TxLocation other
          && height == other.height
          && index == other.index
          && java.util.Arrays.equals(hash, other.hash)
          && java.util.Arrays.equals(tx, other.tx);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(hash) * 31 + Long.hashCode(height) * 7 + index;
    }

    @Override
    public String toString() {
      return "TxLocation[height="
          + height
          + ", index="
          + index
          + ", hash="
          + Hex.encodeUpper(hash)
          + "]";
    }
  }
}
