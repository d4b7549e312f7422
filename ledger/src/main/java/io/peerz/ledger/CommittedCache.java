package io.peerz.ledger;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Committed entries read or written lately, by key, least recently used out first: reading them
 * again from RocksDB is a JNI call and a memtable search each, and a block reads mostly what the
 * blocks before it wrote. Coherent with the store when the store applies every commit's writes here
 * after writing them ({@link #apply}) and fills it only with what it read at the generation it
 * passes ({@link #fill}): a read that raced a commit is not kept. Thread-safe.
 *
 * <p>Keys are hashed eight bytes at a time ({@link ByteArrayHash}), once per call ({@code
 * ByteBuffer}'s hash went byte by byte and was computed again for each use): a block's commit
 * applies about 10,000 tree nodes here.
 */
final class CommittedCache<V> {
  private final Map<Key, V> entries;
  private long generation;

  CommittedCache(int capacity) {
    this.entries =
        new LinkedHashMap<>(1024, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, V> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The cached entry at {@code key}, or null when it is not cached. */
  synchronized V get(byte[] key) {
    return entries.get(new Key(key));
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
      entries.put(new Key(key.clone()), value);
    }
  }

  /**
   * A commit's writes, a null value for a delete; the store has written them already. The cache
   * keeps the keys' arrays: the caller hands them over and changes them no more.
   */
  synchronized void apply(Map<byte[], V> writes) {
    generation++;
    writes.forEach(
        (k, v) -> {
          Key key = new Key(k);
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

  /** A key's bytes with their hash, computed once. */
  private static final class Key {
    final byte[] bytes;
    final int hash;

    Key(byte[] bytes) {
      this.bytes = bytes;
      this.hash = ByteArrayHash.of(0, bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
