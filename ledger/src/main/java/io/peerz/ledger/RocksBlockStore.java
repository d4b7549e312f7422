package io.peerz.ledger;

import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.ledger.LedgerDb.Family;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The event log on RocksDB; the tx and event indexes are written by {@link TxIndexer}. */
final class RocksBlockStore implements BlockStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksBlockStore.class);
  private static final byte[] BASE_KEY = "blocks.base".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LAST_KEY = "blocks.last".getBytes(StandardCharsets.UTF_8);

  private final LedgerDb ledger;
  private final RocksDB db;
  private volatile long base;
  private volatile long last;

  RocksBlockStore(LedgerDb ledger) {
    this.ledger = ledger;
    this.db = ledger.db();
    byte[] b = read(Family.META, BASE_KEY);
    byte[] l = read(Family.META, LAST_KEY);
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
        if (Arrays.equals(read(Family.BLOCKS, LedgerKeys.height(height)), encoded)) {
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
      batch.put(ledger.cf(Family.BLOCKS), key, encoded);
      batch.put(ledger.cf(Family.SEEN_COMMITS), key, DeterministicProto.encode(seenCommit));
      batch.put(ledger.cf(Family.BLOCK_HASHES), hash, key);
      if (last == 0) {
        batch.put(ledger.cf(Family.META), BASE_KEY, key);
      }
      batch.put(ledger.cf(Family.META), LAST_KEY, key);
      db.write(ledger.syncWrites(), batch);
    } catch (RocksDBException e) {
      throw LedgerDb.storageFailure("append block " + height, e);
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
    byte[] bytes = read(Family.BLOCKS, LedgerKeys.height(height));
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
    byte[] bytes = read(Family.SEEN_COMMITS, LedgerKeys.height(height));
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
    return Optional.ofNullable(read(Family.BLOCK_HASHES, blockHash)).map(LedgerKeys::readHeight);
  }

  @Override
  public Optional<BlockResults> results(long height) {
    byte[] bytes = read(Family.RESULTS, LedgerKeys.height(height));
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(BlockResults.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw corrupt("results", height, e);
    }
  }

  @Override
  public boolean indexesTxs() {
    return ledger.indexer().enabled();
  }

  private void requireIndex() {
    if (!indexesTxs()) {
      throw new TxIndexDisabledException();
    }
  }

  @Override
  public Optional<TxLocation> tx(byte[] txHash) {
    requireIndex();
    ledger.indexer().awaitIndexed();
    byte[] bytes = read(Family.TX_INDEX, txHash);
    if (bytes == null) {
      return Optional.empty();
    }
    return Optional.of(location(txHash, bytes, new BlockCache()));
  }

  /** The last block a search read: its results come in height order, many from one block. */
  private final class BlockCache {
    private long height = -1;
    private Block block;

    byte[] tx(long h, int index) {
      if (h != height) {
        block =
            block(h)
                .orElseThrow(
                    () -> new IllegalStateException("block " + h + " of an indexed tx is missing"));
        height = h;
      }
      if (index < 0 || index >= block.getTxsCount()) {
        throw new IllegalStateException(
            "block " + h + " has " + block.getTxsCount() + " txs, the index points at " + index);
      }
      return block.getTxs(index).toByteArray();
    }
  }

  /**
   * A tx index entry: its position (height, index), followed by the tx itself in entries written
   * before the index kept positions only; newer entries take the tx from the stored block.
   */
  private static TxLocation location(byte[] txHash, byte[] indexValue, BlockCache blocks) {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(indexValue);
    long height = buf.getLong();
    int index = buf.getInt();
    byte[] tx =
        indexValue.length > 12
            ? Arrays.copyOfRange(indexValue, 12, indexValue.length)
            : blocks.tx(height, index);
    return new TxLocation(height, index, txHash.clone(), tx);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Throws IllegalArgumentException for a limit below 1, a range operator on anything but
   * tx.height, or a value that is not a number (tx.height) or 64 hex digits (tx.hash).
   */
  @Override
  public List<TxLocation> searchTxs(List<TxQuery.Condition> conditions, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    requireIndex();
    ledger.indexer().awaitIndexed();
    long lo = 0;
    long hi = Long.MAX_VALUE;
    byte[] hash = null;
    List<byte[]> eventPrefixes = new ArrayList<>();
    for (TxQuery.Condition c : conditions) {
      switch (c.key()) {
        case TxQuery.HEIGHT -> {
          long v = number(c.value());
          switch (c.op()) {
            case "=" -> {
              lo = Math.max(lo, v);
              hi = Math.min(hi, v);
            }
            case "<" -> hi = Math.min(hi, v - 1);
            case "<=" -> hi = Math.min(hi, v);
            case ">" -> lo = Math.max(lo, v == Long.MAX_VALUE ? v : v + 1);
            case ">=" -> lo = Math.max(lo, v);
            default -> throw new IllegalArgumentException("unknown operator " + c.op());
          }
        }
        case TxQuery.HASH -> {
          requireEquals(c);
          byte[] h = Hex.decode(c.value());
          if (hash != null && !Arrays.equals(hash, h)) {
            return List.of();
          }
          hash = h;
        }
        default -> {
          requireEquals(c);
          eventPrefixes.add(LedgerKeys.eventPrefix(c.key(), c.value()));
        }
      }
    }
    if (lo > hi) {
      return List.of();
    }
    List<TxLocation> found = new ArrayList<>();
    if (hash != null) {
      Optional<TxLocation> loc = tx(hash);
      if (loc.isPresent()
          && loc.get().height() >= lo
          && loc.get().height() <= hi
          && matchesAll(eventPrefixes, 0, loc.get().height(), loc.get().index())) {
        found.add(loc.get());
      }
      return found;
    }
    if (eventPrefixes.isEmpty()) {
      scanByHeight(lo, hi, limit, found);
    } else {
      scanByEvent(eventPrefixes, lo, hi, limit, found);
    }
    return found;
  }

  private void scanByHeight(long lo, long hi, int limit, List<TxLocation> found) {
    BlockCache blocks = new BlockCache();
    try (RocksIterator it = db.newIterator(ledger.cf(Family.TX_BY_HEIGHT))) {
      for (it.seek(LedgerKeys.heightIndex(lo, 0));
          it.isValid() && found.size() < limit;
          it.next()) {
        if (LedgerKeys.readHeight(it.key()) > hi) {
          break;
        }
        byte[] txHash = it.value();
        byte[] indexValue = read(Family.TX_INDEX, txHash);
        if (indexValue != null) {
          found.add(location(txHash, indexValue, blocks));
        }
      }
      RocksStateStore.checkIterator(it);
    }
  }

  private void scanByEvent(
      List<byte[]> prefixes, long lo, long hi, int limit, List<TxLocation> found) {
    BlockCache blocks = new BlockCache();
    byte[] first = prefixes.get(0);
    try (RocksIterator it = db.newIterator(ledger.cf(Family.EVENT_INDEX))) {
      for (it.seek(LedgerKeys.concat(first, LedgerKeys.heightIndex(lo, 0)));
          it.isValid() && found.size() < limit;
          it.next()) {
        byte[] key = it.key();
        if (!LedgerKeys.startsWith(key, first) || key.length != first.length + 12) {
          break;
        }
        java.nio.ByteBuffer pos = java.nio.ByteBuffer.wrap(key, first.length, 12);
        long height = pos.getLong();
        int index = pos.getInt();
        if (height > hi) {
          break;
        }
        if (matchesAll(prefixes, 1, height, index)) {
          // Entries written before the index kept positions only carry the tx hash.
          byte[] txHash =
              it.value().length > 0
                  ? it.value()
                  : read(Family.TX_BY_HEIGHT, LedgerKeys.heightIndex(height, index));
          byte[] indexValue = txHash == null ? null : read(Family.TX_INDEX, txHash);
          if (indexValue != null) {
            TxLocation loc = location(txHash, indexValue, blocks);
            // The same bytes committed again later point the hash at the later place.
            found.add(new TxLocation(height, index, loc.hash(), loc.tx()));
          }
        }
      }
      RocksStateStore.checkIterator(it);
    }
  }

  private boolean matchesAll(List<byte[]> prefixes, int from, long height, int index) {
    byte[] position = LedgerKeys.heightIndex(height, index);
    for (int i = from; i < prefixes.size(); i++) {
      if (read(Family.EVENT_INDEX, LedgerKeys.concat(prefixes.get(i), position)) == null) {
        return false;
      }
    }
    return true;
  }

  private static void requireEquals(TxQuery.Condition c) {
    if (!c.op().equals("=")) {
      throw new IllegalArgumentException(
          "operator " + c.op() + " is only supported on tx.height; use = for '" + c.key() + "'");
    }
  }

  private static long number(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("tx.height must be a whole number, got '" + value + "'");
    }
  }

  private byte[] read(Family family, byte[] key) {
    ColumnFamilyHandle cf = ledger.cf(family);
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw LedgerDb.storageFailure("read " + family.cfName, e);
    }
  }

  private static IllegalStateException corrupt(String what, long height, Exception e) {
    return new IllegalStateException(
        "ledger storage is corrupt: " + what + " at height " + height + " does not parse", e);
  }
}
