package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.MerkleTree.Leaf;
import org.junit.jupiter.api.Test;

class NodeCacheTest {
  private static Leaf leaf(int b) {
    byte[] h = new byte[32];
    h[0] = (byte) b;
    return new Leaf(h, h);
  }

  @Test
  void evictsTheLeastRecentlyUsedBeyondItsCapacity() {
    NodeCache cache = new NodeCache(2);
    cache.put(new byte[] {1}, leaf(1));
    cache.put(new byte[] {2}, leaf(2));
    assertThat(cache.get(new byte[] {1})).isNotNull(); // 1 is now the most recently used
    cache.put(new byte[] {3}, leaf(3));
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.get(new byte[] {2})).isNull();
    assertThat(cache.get(new byte[] {1})).isNotNull();
    assertThat(cache.get(new byte[] {3})).isNotNull();
  }

  @Test
  void aNullNodeForgetsThePathAndKeysAreCopied() {
    NodeCache cache = new NodeCache(8);
    byte[] key = {7, 7};
    Leaf node = leaf(7);
    cache.put(key, node);
    key[0] = 9; // the caller reusing its array must not move the entry
    assertThat(cache.get(new byte[] {7, 7})).isSameAs(node);
    cache.put(new byte[] {7, 7}, null);
    assertThat(cache.get(new byte[] {7, 7})).isNull();
    cache.put(new byte[] {1}, node);
    cache.clear();
    assertThat(cache.size()).isZero();
  }
}
