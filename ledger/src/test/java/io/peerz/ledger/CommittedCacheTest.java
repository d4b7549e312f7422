package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommittedCacheTest {
  private static byte[] k(int b) {
    return new byte[] {(byte) b};
  }

  @Test
  void evictsTheLeastRecentlyUsedBeyondItsCapacity() {
    CommittedCache<String> cache = new CommittedCache<>(2);
    cache.fill(k(1), "one", cache.generation());
    cache.fill(k(2), "two", cache.generation());
    assertThat(cache.get(k(1))).isEqualTo("one"); // 1 is now the most recently used
    cache.fill(k(3), "three", cache.generation());
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get(k(2))).isNull();
    assertThat(cache.get(k(1))).isEqualTo("one");
    assertThat(cache.get(k(3))).isEqualTo("three");
  }

  @Test
  void aReadThatRacedACommitIsNotKept() {
    CommittedCache<String> cache = new CommittedCache<>(8);
    long before = cache.generation();
    cache.apply(Map.of()); // a commit lands between the reader's generation and its fill
    cache.fill(k(1), "old", before);
    assertThat(cache.get(k(1))).isNull();
    cache.fill(k(1), "new", cache.generation());
    assertThat(cache.get(k(1))).isEqualTo("new");
  }

  @Test
  void commitsOverwriteAndDeleteAndKeysAreCopied() {
    CommittedCache<String> cache = new CommittedCache<>(8);
    byte[] key = {7, 7};
    cache.fill(key, "v1", cache.generation());
    key[0] = 9; // the caller reusing its array must not move the entry
    assertThat(cache.get(new byte[] {7, 7})).isEqualTo("v1");
    Map<byte[], String> writes = new HashMap<>();
    writes.put(new byte[] {7, 7}, "v2");
    writes.put(k(5), "five");
    cache.apply(writes);
    assertThat(cache.get(new byte[] {7, 7})).isEqualTo("v2");
    writes.clear();
    writes.put(new byte[] {7, 7}, null);
    cache.apply(writes);
    assertThat(cache.get(new byte[] {7, 7})).isNull();
    assertThat(cache.get(k(5))).isEqualTo("five");
    cache.clear();
    assertThat(cache.size()).isZero();
  }
}
