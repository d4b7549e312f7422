package io.peerz.ledger;

import java.util.Arrays;

/**
 * Byte-string keys written one after another into one reused array and sorted in unsigned byte
 * order by their numbers: the tx index's event keys (eight per bank send) without an array per key.
 * Those arrays were half of the indexer's heap allocation (2.7 KB per tx, 1.3 KB with this), and
 * while G1 grows the heap every fresh page it allocates into costs a page fault (docs/
 * BENCHMARKS.md, "The tx index's cost"). Not thread-safe; {@link #clear} before reuse.
 */
final class KeyArena {
  private byte[] bytes = new byte[1 << 16];
  private int used;
  private int[] start = new int[1 << 10];
  private int[] end = new int[1 << 10];
  private int count;
  private Integer[] boxes = new Integer[0];
  private Integer[] order = new Integer[0];
  private int[] sorted = new int[0];

  /** Forgets every key, keeping the arrays. */
  void clear() {
    used = 0;
    count = 0;
  }

  /**
   * Adds a key of {@code length} bytes and returns where in {@link #bytes} to write it (the array
   * may be replaced by this call: read {@link #bytes} after it).
   */
  int add(int length) {
    if (used + length > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(used + length, 2 * bytes.length));
    }
    if (count == start.length) {
      start = Arrays.copyOf(start, 2 * count);
      end = Arrays.copyOf(end, 2 * count);
    }
    int at = used;
    start[count] = at;
    end[count] = at + length;
    count++;
    used += length;
    return at;
  }

  /** The array the keys are in. */
  byte[] bytes() {
    return bytes;
  }

  int size() {
    return count;
  }

  /** Where the {@code i}th key added starts in {@link #bytes}. */
  int start(int i) {
    return start[i];
  }

  /** The length of the {@code i}th key added. */
  int length(int i) {
    return end[i] - start[i];
  }

  /**
   * The keys' numbers (in the order added, from 0) in unsigned byte order of the keys; equal keys
   * in the order added. Java's TimSort over boxed numbers (boxed once, kept): a plain merge sort
   * over an int[] took more of the tx indexer's samples than it (fewer comparisons: an attribute's
   * keys often come in runs).
   */
  int[] sorted() {
    if (order.length < count) {
      int from = boxes.length;
      boxes = Arrays.copyOf(boxes, Math.max(count, 2 * boxes.length));
      for (int i = from; i < boxes.length; i++) {
        boxes[i] = i;
      }
      order = new Integer[boxes.length];
    }
    System.arraycopy(boxes, 0, order, 0, count);
    Arrays.sort(order, 0, count, this::compare);
    if (sorted.length < count) {
      sorted = new int[order.length];
    }
    for (int i = 0; i < count; i++) {
      sorted[i] = order[i];
    }
    return sorted;
  }

  private int compare(Integer x, Integer y) {
    return Arrays.compareUnsigned(bytes, start[x], end[x], bytes, start[y], end[y]);
  }
}
