package io.peerz.ledger;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes of one block, kept in unsigned key order; a null value deletes. Also a {@link StateReader}
 * over a base state, so execution reads its own writes.
 */
public final class ChangeSet implements StateReader {
  private final StateReader base;
  private final ChangeSet parent;
  private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);

  /** A buffer over {@code base}. */
  public ChangeSet(StateReader base) {
    this(Objects.requireNonNull(base, "base"), null);
  }

  private ChangeSet(StateReader base, ChangeSet parent) {
    this.base = base;
    this.parent = parent;
  }

  public void put(byte[] key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value (use delete to remove a key)");
    writes.put(key.clone(), value.clone());
  }

  public void delete(byte[] key) {
    Objects.requireNonNull(key, "key");
    writes.put(key.clone(), null);
  }

  @Override
  public byte[] get(byte[] key) {
    byte[] value = writes.get(key);
    if (value != null) {
      return value.clone();
    }
    // A buffered delete hides the base's value; only then is the key looked up twice.
    return writes.containsKey(key) ? null : base.get(key);
  }

  /** Merges buffered writes with the base, in key order. */
  @Override
  public void scan(byte[] from, byte[] to, EntryVisitor visitor) {
    if (from == null) {
      from = new byte[0];
    }
    if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
      return;
    }
    NavigableMap<byte[], byte[]> range =
        to == null ? writes.tailMap(from, true) : writes.subMap(from, true, to, false);
    // A snapshot, so the visitor may write to this buffer while scanning.
    List<Map.Entry<byte[], byte[]>> pending = new ArrayList<>(range.size());
    for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
      pending.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
    }
    Iterator<Map.Entry<byte[], byte[]>> it = pending.iterator();
    Map.Entry<byte[], byte[]>[] next = nextHolder(it);
    boolean[] stopped = {false};
    base.scan(
        from,
        to,
        (key, value) -> {
          // Buffered keys below the base key come first.
          while (next[0] != null && Arrays.compareUnsigned(next[0].getKey(), key) < 0) {
            if (!emit(next[0], visitor)) {
              stopped[0] = true;
              return false;
            }
            next[0] = it.hasNext() ? it.next() : null;
          }
          if (next[0] != null && Arrays.compareUnsigned(next[0].getKey(), key) == 0) {
            // The buffered write replaces (or, when null, hides) the base entry.
            Map.Entry<byte[], byte[]> write = next[0];
            next[0] = it.hasNext() ? it.next() : null;
            if (!emit(write, visitor)) {
              stopped[0] = true;
              return false;
            }
            return true;
          }
          if (!visitor.visit(key, value)) {
            stopped[0] = true;
            return false;
          }
          return true;
        });
    if (stopped[0]) {
      return;
    }
    while (next[0] != null) {
      if (!emit(next[0], visitor)) {
        return;
      }
      next[0] = it.hasNext() ? it.next() : null;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map.Entry<byte[], byte[]>[] nextHolder(Iterator<Map.Entry<byte[], byte[]>> it) {
    Map.Entry<byte[], byte[]>[] holder = new Map.Entry[1];
    holder[0] = it.hasNext() ? it.next() : null;
    return holder;
  }

  /** Visits a buffered write unless it is a delete; returns false when the visitor stops. */
  private static boolean emit(Map.Entry<byte[], byte[]> write, EntryVisitor visitor) {
    if (write.getValue() == null) {
      return true;
    }
    return visitor.visit(write.getKey().clone(), write.getValue().clone());
  }

  /** A nested buffer over this one; {@link #commitInto()} folds it back (for per-tx rollback). */
  public ChangeSet child() {
    return new ChangeSet(this, this);
  }

  /**
   * Folds this buffer's writes into the buffer it was made from by {@link #child()} and empties
   * this one; throws IllegalStateException on a buffer not made by {@link #child()}. Dropping a
   * child without calling this discards its writes.
   */
  public void commitInto() {
    if (parent == null) {
      throw new IllegalStateException("commitInto() on a ChangeSet not made by child()");
    }
    parent.writes.putAll(writes);
    writes.clear();
  }

  /** Buffered writes in key order; value null = delete. Keys are compared as unsigned bytes. */
  public NavigableMap<byte[], byte[]> writes() {
    return Collections.unmodifiableNavigableMap(writes);
  }

  /** Number of buffered writes. */
  public int size() {
    return writes().size();
  }

  /** Convenience for tests: the writes as an unmodifiable map. */
  public Map<byte[], byte[]> asMap() {
    return java.util.Collections.unmodifiableMap(writes());
  }
}
