package io.peerz.ledger;

import java.util.Map;
import java.util.NavigableMap;

/**
 * Writes of one block, kept in unsigned key order; a null value deletes. Also a {@link StateReader}
 * over a base state, so execution reads its own writes.
 */
public final class ChangeSet implements StateReader {

  /** A buffer over {@code base}. */
  public ChangeSet(StateReader base) {
    throw new UnsupportedOperationException("contract");
  }

  public void put(byte[] key, byte[] value) {
    throw new UnsupportedOperationException("contract");
  }

  public void delete(byte[] key) {
    throw new UnsupportedOperationException("contract");
  }

  @Override
  public byte[] get(byte[] key) {
    throw new UnsupportedOperationException("contract");
  }

  /** Merges buffered writes with the base, in key order. */
  @Override
  public void scan(byte[] from, byte[] to, EntryVisitor visitor) {
    throw new UnsupportedOperationException("contract");
  }

  /** A nested buffer over this one; {@link #commitInto()} folds it back (for per-tx rollback). */
  public ChangeSet child() {
    throw new UnsupportedOperationException("contract");
  }

  /** Folds this buffer's writes into the buffer it was made from by {@link #child()}. */
  public void commitInto() {
    throw new UnsupportedOperationException("contract");
  }

  /** Buffered writes in key order; value null = delete. Keys are compared as unsigned bytes. */
  public NavigableMap<byte[], byte[]> writes() {
    throw new UnsupportedOperationException("contract");
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
