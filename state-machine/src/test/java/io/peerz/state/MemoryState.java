package io.peerz.state;

import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.StateReader;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Committed state for tests: a TreeMap in unsigned key order that change sets are applied to. */
final class MemoryState implements StateReader {
  final TreeMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);

  void apply(ChangeSet changes) {
    for (Map.Entry<byte[], byte[]> w : changes.writes().entrySet()) {
      if (w.getValue() == null) {
        entries.remove(w.getKey());
      } else {
        entries.put(w.getKey().clone(), w.getValue().clone());
      }
    }
  }

  MemoryState copy() {
    MemoryState c = new MemoryState();
    entries.forEach((k, v) -> c.entries.put(k, v));
    return c;
  }

  @Override
  public byte[] get(byte[] key) {
    byte[] v = entries.get(key);
    return v == null ? null : v.clone();
  }

  @Override
  public void scan(byte[] from, byte[] to, EntryVisitor visitor) {
    Map<byte[], byte[]> range =
        to == null ? entries.tailMap(from, true) : entries.subMap(from, true, to, false);
    for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
      if (!visitor.visit(e.getKey().clone(), e.getValue().clone())) {
        return;
      }
    }
  }
}
