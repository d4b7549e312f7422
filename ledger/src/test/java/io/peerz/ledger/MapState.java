package io.peerz.ledger;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** A StateReader over a TreeMap, for tests. */
final class MapState implements StateReader {
  final TreeMap<byte[], byte[]> map = new TreeMap<>(Arrays::compareUnsigned);

  MapState put(byte[] key, byte[] value) {
    map.put(key, value);
    return this;
  }

  @Override
  public byte[] get(byte[] key) {
    return map.get(key);
  }

  @Override
  public void scan(byte[] from, byte[] to, EntryVisitor visitor) {
    if (to != null && Arrays.compareUnsigned(from, to) > 0) {
      return;
    }
    Map<byte[], byte[]> range =
        to == null ? map.tailMap(from, true) : map.subMap(from, true, to, false);
    for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
      if (!visitor.visit(e.getKey(), e.getValue())) {
        return;
      }
    }
  }
}
