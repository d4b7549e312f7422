package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  private static byte[] k(int i) {
    return ("key-" + i).getBytes();
  }

  private static byte[] v(int i) {
    return ("value-" + i).getBytes();
  }

  @Test
  void emptyTreeHasTheZeroRoot() {
    assertThat(new MemTree().root).isEqualTo(new byte[32]);
  }

  @Test
  void singleLeafSitsAtTheRoot() {
    MemTree t = new MemTree();
    t.put(k(1), v(1));
    assertThat(t.root).isEqualTo(Sha256.hash(new byte[] {0}, Sha256.hash(k(1)), Sha256.hash(v(1))));
    assertThat(t.nodes).hasSize(1);
  }

  @Test
  void twoLeavesSitBelowTheirLongestCommonPrefix() {
    MemTree t = new MemTree();
    t.put(k(1), v(1));
    t.put(k(2), v(2));
    byte[] h1 = Sha256.hash(k(1));
    byte[] h2 = Sha256.hash(k(2));
    int common = 0;
    while (MerkleTree.bit(h1, common) == MerkleTree.bit(h2, common)) {
      common++;
    }
    // One inner node per shared bit, one above the split, and the two leaves.
    assertThat(t.nodes).hasSize(common + 1 + 2);
    assertThat(t.root).isEqualTo(t.modelRoot());
  }

  @Test
  void deletingDownToOneKeyLiftsItsLeafToTheRoot() {
    MemTree t = new MemTree();
    for (int i = 0; i < 20; i++) {
      t.put(k(i), v(i));
    }
    TreeMap<byte[], byte[]> deletes = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 1; i < 20; i++) {
      deletes.put(k(i), null);
    }
    t.apply(deletes);
    assertThat(t.nodes).hasSize(1);
    assertThat(t.root).isEqualTo(t.modelRoot());
    t.put(k(0), v(0));
    TreeMap<byte[], byte[]> last = new TreeMap<>(Arrays::compareUnsigned);
    last.put(k(0), null);
    t.apply(last);
    assertThat(t.nodes).isEmpty();
    assertThat(t.root).isEqualTo(new byte[32]);
  }

  @Provide
  Arbitrary<List<Integer>> keys() {
    return Arbitraries.integers()
        .between(0, 300)
        .list()
        .ofMinSize(0)
        .ofMaxSize(60)
        .uniqueElements();
  }

  @Property(tries = 100)
  void rootIsIndependentOfInsertionOrderAndBatching(
      @ForAll("keys") List<Integer> ids, @ForAll long seed) {
    Random random = new Random(seed);
    MemTree oneByOne = new MemTree();
    for (int id : ids) {
      oneByOne.put(k(id), v(id));
    }
    List<Integer> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled, random);
    MemTree batched = new MemTree();
    TreeMap<byte[], byte[]> batch = new TreeMap<>(Arrays::compareUnsigned);
    for (int id : shuffled) {
      batch.put(k(id), v(id));
      if (random.nextInt(4) == 0) {
        batched.apply(batch);
        batch.clear();
      }
    }
    batched.apply(batch);
    assertThat(batched.root).isEqualTo(oneByOne.root).isEqualTo(oneByOne.modelRoot());
    // Storage is canonical too: no stale nodes left behind by either history.
    assertThat(batched.dump()).isEqualTo(oneByOne.dump());
  }

  @Property(tries = 100)
  void rootAfterDeletingThenReAddingIsTheSame(
      @ForAll("keys") List<Integer> ids, @ForAll long seed) {
    MemTree t = new MemTree();
    TreeMap<byte[], byte[]> all = new TreeMap<>(Arrays::compareUnsigned);
    ids.forEach(id -> all.put(k(id), v(id)));
    t.apply(all);
    byte[] before = t.root;
    List<String> storageBefore = t.dump();
    Random random = new Random(seed);
    TreeMap<byte[], byte[]> deletes = new TreeMap<>(Arrays::compareUnsigned);
    TreeMap<byte[], byte[]> readds = new TreeMap<>(Arrays::compareUnsigned);
    for (int id : ids) {
      if (random.nextBoolean()) {
        deletes.put(k(id), null);
        readds.put(k(id), v(id));
      }
    }
    t.apply(deletes);
    assertThat(t.root).isEqualTo(t.modelRoot());
    if (!deletes.isEmpty()) {
      assertThat(t.root).isNotEqualTo(before);
    }
    t.apply(readds);
    assertThat(t.root).isEqualTo(before);
    assertThat(t.dump()).isEqualTo(storageBefore);
  }

  @Property(tries = 100)
  void incrementalRootMatchesTheRootFromScratchUnderRandomUpdates(@ForAll long seed) {
    Random random = new Random(seed);
    MemTree t = new MemTree();
    for (int round = 0; round < 8; round++) {
      TreeMap<byte[], byte[]> batch = new TreeMap<>(Arrays::compareUnsigned);
      int n = random.nextInt(30);
      for (int i = 0; i < n; i++) {
        int id = random.nextInt(60);
        batch.put(k(id), random.nextInt(3) == 0 ? null : v(random.nextInt(1000)));
      }
      t.apply(batch);
      assertThat(t.root).isEqualTo(t.modelRoot());
      MemTree fresh = new MemTree();
      fresh.apply(new TreeMap<>(t.values));
      assertThat(t.dump()).isEqualTo(fresh.dump());
    }
  }
}
