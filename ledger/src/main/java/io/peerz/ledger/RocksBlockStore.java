package io.peerz.ledger;

import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log on RocksDB: blocks, the commits that decided them and their hashes, appended before
 * they execute, and each block's results, written with the state commit of its height ({@link
 * LedgerDb#commit}). Tx lookups go to the tx index ({@link TxIndexer}), which owns its columns.
 */
final class RocksBlockStore implements BlockStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksBlockStore.class);
  static final byte[] BASE_KEY = "blocks.base".getBytes(StandardCharsets.UTF_8);
  static final byte[] LAST_KEY = "blocks.last".getBytes(StandardCharsets.UTF_8);

  /** The columns and meta entries the event log owns. */
  record Columns(
      KeyValueColumn blocks,
      KeyValueColumn seenCommits,
      KeyValueColumn blockHashes,
      KeyValueColumn results,
      MetaEntry base,
      MetaEntry last) {}

  private final Columns columns;
  private final BatchWriter writer;
  private final TxIndexer index;
  private volatile long base;
  private volatile long last;

  RocksBlockStore(Columns columns, BatchWriter writer, TxIndexer index) {
    this.columns = columns;
    this.writer = writer;
    this.index = index;
    byte[] b = columns.base().read();
    byte[] l = columns.last().read();
    this.base = b == null ? 0 : LedgerKeys.readHeight(b);
    this.last = l == null ? 0 : LedgerKeys.readHeight(l);
  }

  @Override
  public long lastHeight() {
    return last;
  }

  @Override
  public long baseHeight() {
    return base;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Appending the very block already stored at a height is a no-op, so replay after a crash may
   * append again. Throws IllegalArgumentException for a height below 1 or a seen commit for another
   * height.
   */
  @Override
  public synchronized void append(Block block, Commit seenCommit) {
    long height = block.getHeader().getHeight();
    if (height < 1) {
      throw new IllegalArgumentException("block height must be at least 1, got " + height);
    }
    if (seenCommit.getHeight() != 0 && seenCommit.getHeight() != height) {
      throw new IllegalArgumentException(
          "seen commit is for height " + seenCommit.getHeight() + ", block is " + height);
    }
    byte[] encoded = DeterministicProto.encode(block);
    if (last != 0) {
      if (height >= base && height <= last) {
        if (Arrays.equals(columns.blocks().get(LedgerKeys.height(height)), encoded)) {
          return;
        }
        throw new IllegalStateException("a different block is already stored at height " + height);
      }
      if (height < base) {
        throw new IllegalStateException(
            "block height " + height + " is below the first stored block " + base);
      }
      if (height != last + 1) {
        throw new IllegalStateException(
            "gap in the block log: next block must be at " + (last + 1) + ", got " + height);
      }
    }
    byte[] hash = Blocks.hash(block.getHeader());
    byte[] key = LedgerKeys.height(height);
    try (WriteBatch batch = new WriteBatch()) {
      columns.blocks().put(batch, key, encoded);
      columns.seenCommits().put(batch, key, DeterministicProto.encode(seenCommit));
      columns.blockHashes().put(batch, hash, key);
      if (last == 0) {
        columns.base().put(batch, key);
      }
      columns.last().put(batch, key);
      writer.writeSynced(batch, "append block " + height);
    } catch (RocksDBException e) {
      throw KeyValueColumn.storageFailure("append block " + height, e);
    }
    if (last == 0) {
      base = height;
    }
    last = height;
    LOG.info(
        "block_appended height={} hash={} txs={}",
        height,
        Hex.encodeUpper(hash),
        block.getTxsCount());
  }

  @Override
  public Optional<Block> block(long height) {
    byte[] bytes = columns.blocks().get(LedgerKeys.height(height));
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Block.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw corrupt("block", height, e);
    }
  }

  @Override
  public Optional<Commit> seenCommit(long height) {
    byte[] bytes = columns.seenCommits().get(LedgerKeys.height(height));
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Commit.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw corrupt("seen commit", height, e);
    }
  }

  @Override
  public Optional<byte[]> blockHash(long height) {
    return block(height).map(b -> Blocks.hash(b.getHeader()));
  }

  @Override
  public Optional<Long> heightOfHash(byte[] blockHash) {
    return Optional.ofNullable(columns.blockHashes().get(blockHash)).map(LedgerKeys::readHeight);
  }

  @Override
  public Optional<BlockResults> results(long height) {
    byte[] bytes = columns.results().get(LedgerKeys.height(height));
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(BlockResults.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw corrupt("results", height, e);
    }
  }

  /** A block's results as stored, and the batch that holds them for the state commit. */
  record ResultsWrite(EncodedWriteBatch batch, BlockResults stored) {}

  /**
   * The results of {@code staged}'s height as they are stored (its height and root set), put into a
   * new batch that the state store then commits with its own writes. Throws
   * IllegalArgumentException when the results are for another height or another number of txs.
   */
  ResultsWrite writeResults(StateStore.PendingCommit staged, BlockResults results, int txs) {
    if (results.getHeight() != 0 && results.getHeight() != staged.height()) {
      throw new IllegalArgumentException(
          "results are for height "
              + results.getHeight()
              + " but the commit is "
              + staged.height());
    }
    if (results.getTxResultsCount() != txs) {
      throw new IllegalArgumentException(
          txs + " txs but " + results.getTxResultsCount() + " tx results");
    }
    BlockResults stored =
        results.toBuilder()
            .setHeight(staged.height())
            .setAppHash(com.google.protobuf.ByteString.copyFrom(staged.appHash()))
            .build();
    byte[] encoded = DeterministicProto.encode(stored);
    // Room for the state's writes too, which go into the same batch.
    EncodedWriteBatch batch = new EncodedWriteBatch(2 * encoded.length + (1 << 16));
    columns.results().put(batch, LedgerKeys.height(staged.height()), encoded);
    return new ResultsWrite(batch, stored);
  }

  @Override
  public boolean indexesTxs() {
    return index.enabled();
  }

  @Override
  public Optional<TxLocation> tx(byte[] txHash) {
    return index.tx(txHash, this::block);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Throws IllegalArgumentException for a limit below 1, a range operator on anything but
   * tx.height, or a value that is not a number (tx.height) or 64 hex digits (tx.hash).
   */
  @Override
  public List<TxLocation> searchTxs(List<TxQuery.Condition> conditions, int limit) {
    return index.search(conditions, limit, this::block);
  }

  private static IllegalStateException corrupt(String what, long height, Exception e) {
    return new IllegalStateException(
        "ledger storage is corrupt: " + what + " at height " + height + " does not parse", e);
  }
}
