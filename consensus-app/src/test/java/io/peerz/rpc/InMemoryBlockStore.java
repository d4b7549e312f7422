package io.peerz.rpc;

import io.peerz.ledger.BlockStore;
import io.peerz.ledger.TxQuery;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A BlockStore in memory for RPC tests: blocks, commits, results and a tx index. */
final class InMemoryBlockStore implements BlockStore {
  private final TreeMap<Long, Block> blocks = new TreeMap<>();
  private final TreeMap<Long, Commit> commits = new TreeMap<>();
  private final TreeMap<Long, BlockResults> results = new TreeMap<>();
  private final Map<String, Long> heightsByHash = new TreeMap<>();
  private final Map<String, TxLocation> txs = new TreeMap<>();
  volatile boolean indexing = true;

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] blockHashOf(Block block) {
    return sha256(block.getHeader().toByteArray());
  }

  @Override
  public boolean indexesTxs() {
    return indexing;
  }

  @Override
  public synchronized long lastHeight() {
    return blocks.isEmpty() ? 0 : blocks.lastKey();
  }

  @Override
  public synchronized long baseHeight() {
    return blocks.isEmpty() ? 0 : blocks.firstKey();
  }

  @Override
  public synchronized void append(Block block, Commit seenCommit) {
    long height = block.getHeader().getHeight();
    if (!blocks.isEmpty() && height != lastHeight() + 1) {
      throw new IllegalStateException("gap: " + height + " after " + lastHeight());
    }
    blocks.put(height, block);
    commits.put(height, seenCommit);
    heightsByHash.put(HexFormat.of().formatHex(blockHashOf(block)), height);
  }

  /** Stores the results of an executed height and indexes its txs. */
  synchronized void putResults(BlockResults blockResults) {
    long height = blockResults.getHeight();
    results.put(height, blockResults);
    Block block = blocks.get(height);
    for (int i = 0; i < block.getTxsCount(); i++) {
      byte[] tx = block.getTxs(i).toByteArray();
      byte[] hash = sha256(tx);
      txs.put(HexFormat.of().formatHex(hash), new TxLocation(height, i, hash, tx));
    }
  }

  /** Deletes the heights below {@code retainHeight}, as block pruning does. */
  synchronized void prune(long retainHeight) {
    blocks.headMap(retainHeight).clear();
    commits.headMap(retainHeight).clear();
    results.headMap(retainHeight).clear();
    heightsByHash.values().removeIf(h -> h < retainHeight);
    txs.values().removeIf(t -> t.height() < retainHeight);
  }

  @Override
  public synchronized Optional<Block> block(long height) {
    return Optional.ofNullable(blocks.get(height));
  }

  @Override
  public synchronized Optional<Commit> seenCommit(long height) {
    return Optional.ofNullable(commits.get(height));
  }

  @Override
  public synchronized Optional<byte[]> blockHash(long height) {
    return block(height).map(InMemoryBlockStore::blockHashOf);
  }

  @Override
  public synchronized Optional<Long> heightOfHash(byte[] blockHash) {
    return Optional.ofNullable(heightsByHash.get(HexFormat.of().formatHex(blockHash)));
  }

  @Override
  public synchronized Optional<BlockResults> results(long height) {
    return Optional.ofNullable(results.get(height));
  }

  @Override
  public synchronized Optional<TxLocation> tx(byte[] txHash) {
    return Optional.ofNullable(txs.get(HexFormat.of().formatHex(txHash)));
  }

  @Override
  public synchronized List<TxLocation> searchTxs(List<TxQuery.Condition> conditions, int limit) {
    List<TxLocation> found = new ArrayList<>();
    List<TxLocation> all = new ArrayList<>(txs.values());
    all.sort(
        (a, b) ->
            a.height() != b.height()
                ? Long.compare(a.height(), b.height())
                : Integer.compare(a.index(), b.index()));
    for (TxLocation location : all) {
      if (found.size() >= limit) {
        break;
      }
      if (conditions.stream().allMatch(c -> matches(c, location))) {
        found.add(location);
      }
    }
    return found;
  }

  private boolean matches(TxQuery.Condition condition, TxLocation location) {
    String value = unquote(condition.value());
    switch (condition.key()) {
      case "tx.height" -> {
        long wanted = Long.parseLong(value);
        long height = location.height();
        return switch (condition.op()) {
          case "=" -> height == wanted;
          case "<" -> height < wanted;
          case "<=" -> height <= wanted;
          case ">" -> height > wanted;
          case ">=" -> height >= wanted;
          default -> false;
        };
      }
      case "tx.hash" -> {
        return HexFormat.of().formatHex(location.hash()).equalsIgnoreCase(value);
      }
      default -> {
        int dot = condition.key().lastIndexOf('.');
        String type = condition.key().substring(0, dot);
        String key = condition.key().substring(dot + 1);
        BlockResults blockResults = results.get(location.height());
        for (Event event : blockResults.getTxResults(location.index()).getEventsList()) {
          for (EventAttribute attribute : event.getAttributesList()) {
            if (event.getType().equals(type)
                && attribute.getIndex()
                && attribute.getKey().equals(key)
                && attribute.getValue().equals(value)) {
              return true;
            }
          }
        }
        return false;
      }
    }
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("'") && value.endsWith("'")
        ? value.substring(1, value.length() - 1)
        : value;
  }
}
