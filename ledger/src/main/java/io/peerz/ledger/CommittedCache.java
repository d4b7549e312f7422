package io.peerz.ledger;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Committed entries read or written lately, by key, least recently used out first: reading them
 * again from RocksDB is a JNI call and a memtable search each, and a block reads mostly what the
 * blocks before it wrote. Coherent with the store when the store applies every commit's writes here
 * after writing them ({@link #apply}) and fills it only with what it read at the generation it
 * passes ({@link #fill}): a read that raced a commit is not kept. Thread-safe.
 */
final class CommittedCache<V> {
  private final Map<ByteBuffer, V> entries;
  private long generation;

  CommittedCache(int capacity) {
    this.entries =
        new LinkedHashMap<>(1024, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<ByteBuffer, V> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The cached entry at {@code key}, or null when it is not cached. */
  synchronized V get(byte[] key) {
    return entries.get(ByteBuffer.wrap(key));
  }

  /** Changes with every {@link #apply} and {@link #clear}. */
  synchronized long generation() {
    return generation;
  }

  /**
   * Caches what the store read for {@code key}, if no commit was applied since {@code generation}
   * (taken before the read).
   */
  synchronized void fill(byte[] key, V value, long generation) {
    if (generation == this.generation) {
      entries.put(ByteBuffer.wrap(key.clone()), value);
    }
  }

  /** A commit's writes, a null value for a delete; the store has written them already. */
  synchronized void apply(Map<byte[], V> writes) {
    generation++;
    writes.forEach(
        (k, v) -> {
          ByteBuffer key = ByteBuffer.wrap(k.clone());
          if (v == null) {
            entries.remove(key);
          } else {
            entries.put(key, v);
          }
        });
  }

  synchronized void clear() {
    generation++;
    entries.clear();
  }

  synchronized int size() {
    return entries.size();
  }
}
