package io.peerz.ledger;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * <p>Keys are hashed eight bytes at a time, once per call ({@code ByteBuffer}'s hash went byte by
 * byte and was computed again for each use): a block's commit applies about 10,000 tree nodes here.
 */
final class CommittedCache<V> {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
      this.hash = hash(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    private static int hash(byte[] b) {
      long h = b.length;
      int i = 0;
      for (; i + 8 <= b.length; i += 8) {
        h = (h ^ (long) LONGS.get(b, i)) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 31;
      }
      for (; i < b.length; i++) {
        h = (h ^ b[i]) * 0x9E3779B97F4A7C15L;
      }
      h ^= h >>> 29;
      return (int) (h ^ (h >>> 32));
    }
  }
}
