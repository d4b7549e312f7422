package io.peerz.ledger;

import io.peerz.ledger.MerkleTree.Node;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state tree's nodes read or written lately, by path key, least recently used out first. A
 * block's Merkle update reads the path to every changed key, mostly the same upper nodes block
 * after block; from RocksDB each is a JNI call and a memtable search. The owner keeps it coherent
 * (see {@link RocksStateStore}). Thread-safe.
 */
final class NodeCache {
  private final Map<ByteBuffer, Node> nodes;

  NodeCache(int capacity) {
    this.nodes =
        new LinkedHashMap<>(1024, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Node> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The cached node at {@code pathKey}, or null when it is not cached. */
  synchronized Node get(byte[] pathKey) {
    return nodes.get(ByteBuffer.wrap(pathKey));
  }

  /** Caches {@code node} at {@code pathKey}, or forgets the path when {@code node} is null. */
  synchronized void put(byte[] pathKey, Node node) {
    ByteBuffer key = ByteBuffer.wrap(pathKey.clone());
    if (node == null) {
      nodes.remove(key);
    } else {
      nodes.put(key, node);
    }
  }

  synchronized void clear() {
    nodes.clear();
  }

  synchronized int size() {
    return nodes.size();
  }
}
