package io.peerz.ledger;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A bounded, thread-safe memory of recent entries without a lock on the read path: two generations
 * of at most {@code generation} entries each. New entries go to the young one, a hit in the old one
 * moves the entry up, and when the young one is full it becomes the old one and the old one is
 * dropped. Between {@code generation} and twice as many entries are remembered; the most recently
 * used are never the ones dropped.
 */
final class RecentMemory<K, V> {
  private final int generation;
  private volatile ConcurrentHashMap<K, V> young = new ConcurrentHashMap<>();
  private volatile ConcurrentHashMap<K, V> old = new ConcurrentHashMap<>();

  RecentMemory(int generation) {
    this.generation = generation;
  }

  /** The value remembered for {@code key}, or null. */
  V get(K key) {
    V v = young.get(key);
    if (v != null) {
      return v;
    }
    v = old.get(key);
    if (v != null) {
      put(key, v);
    }
    return v;
  }

  void put(K key, V value) {
    ConcurrentHashMap<K, V> y = young;
    y.put(key, value);
    if (y.size() > generation) {
      synchronized (this) {
        if (young == y) {
          old = y;
          young = new ConcurrentHashMap<>();
        }
      }
    }
  }

  /** Forgets everything. */
  synchronized void clear() {
    young = new ConcurrentHashMap<>();
    old = new ConcurrentHashMap<>();
  }
}
