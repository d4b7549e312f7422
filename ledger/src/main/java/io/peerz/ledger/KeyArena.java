package io.peerz.ledger;

import java.util.Arrays;

/**
 * Byte-string keys written one after another into one reused array and sorted in unsigned byte
 * order by their offsets: the tx index's event keys (eight per bank send) without an array per key.
 * An array per key, and a boxed comparator to sort them, were a third of the tx indexer's time,
 * most of it the kernel zeroing the fresh heap pages they took. Not thread-safe; {@link #clear}
 * before reuse.
 */
final class KeyArena {
  private byte[] bytes = new byte[1 << 16];
  private int used;
  private int[] start = new int[1 << 10];
  private int[] end = new int[1 << 10];
  private int count;
  private int[] order = new int[0];
  private int[] scratch = new int[0];

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

  /** The total length of the keys. */
  int totalLength() {
    return used;
  }

  /**
   * The keys' numbers (in the order added, from 0) in unsigned byte order of the keys; equal keys
   * in the order added. The array is reused by the next call.
   */
  int[] sorted() {
    if (order.length < count) {
      order = new int[Math.max(count, 2 * order.length)];
      scratch = new int[order.length];
    }
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    mergeSort(order, scratch, 0, count);
    return order;
  }

  /** Sorts {@code a[from, to)}, stably, with {@code tmp} as room. */
  private void mergeSort(int[] a, int[] tmp, int from, int to) {
    if (to - from <= 16) {
      for (int i = from + 1; i < to; i++) {
        int x = a[i];
        int j = i - 1;
        while (j >= from && compare(a[j], x) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = x;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(a, tmp, from, mid);
    mergeSort(a, tmp, mid, to);
    if (compare(a[mid - 1], a[mid]) <= 0) {
      return; // already in order: the keys of one attribute often are
    }
    System.arraycopy(a, from, tmp, from, to - from);
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && compare(tmp[i], tmp[j]) <= 0)) {
        a[k] = tmp[i++];
      } else {
        a[k] = tmp[j++];
      }
    }
  }

  private int compare(int x, int y) {
    return Arrays.compareUnsigned(bytes, start[x], end[x], bytes, start[y], end[y]);
  }
}
