package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.proto.BlockResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Earlier versions of the state: read at any kept height, pruned below a floor, kept on reopen. */
class StateVersionsTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void commit(LedgerDb db, long height, ChangeSet changes) {
    db.commit(db.state().stage(height, changes), BlockResults.getDefaultInstance(), List.of());
  }

  /** The whole state of a view, scanned from the start. */
  private static Map<String, String> scanAll(StateReader r) {
    Map<String, String> out = new TreeMap<>();
    r.scan(
        null,
        null,
        (k, v) -> {
          out.put(Hex.encode(k), Hex.encode(v));
          return true;
        });
    return out;
  }

  private static Map<String, String> asHex(TreeMap<byte[], byte[]> model) {
    Map<String, String> out = new TreeMap<>();
    model.forEach((k, v) -> out.put(Hex.encode(k), Hex.encode(v)));
    return out;
  }

  @Test
  void aScanWhoseVisitorReadsOtherKeysVisitsEachEntryOnceAtEveryVersion() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      ChangeSet g = new ChangeSet(db.state());
      for (String k : List.of("p/1", "p/2", "p/3", "z")) {
        g.put(b(k), b(k + "@0"));
      }
      commit(db, 0, g);
      ChangeSet c1 = new ChangeSet(db.state());
      c1.put(b("p/2"), b("p/2@1"));
      c1.put(b("p/4"), b("p/4@1"));
      commit(db, 1, c1);
      // A list query looks up another key per entry, as /pools does; at the latest version
      // (no history) and at an earlier one (history merged in).
      for (long version : new long[] {1, 0}) {
        try (StateStore.CommittedState v = db.state().at(version)) {
          List<String> seen = new ArrayList<>();
          v.scan(
              b("p/"),
              b("p0"),
              (k, val) -> {
                assertThat(v.get(b("z"))).isEqualTo(b("z@0"));
                List<String> inner = new ArrayList<>();
                v.scan(
                    b("z"),
                    null,
                    (k2, v2) -> inner.add(new String(k2, java.nio.charset.StandardCharsets.UTF_8)));
                assertThat(inner).containsExactly("z");
                seen.add(new String(k, java.nio.charset.StandardCharsets.UTF_8));
                return seen.size() < 100;
              });
          assertThat(seen)
              .as("version %d", version)
              .containsExactlyElementsOf(
                  version == 1
                      ? List.of("p/1", "p/2", "p/3", "p/4")
                      : List.of("p/1", "p/2", "p/3"));
        }
      }
    }
  }

  @Test
  void aKeyReadsAsItWasAtEachKeptHeight() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      ChangeSet g = new ChangeSet(db.state());
      g.put(b("a"), b("0"));
      commit(db, 0, g);
      ChangeSet c1 = new ChangeSet(db.state());
      c1.put(b("a"), b("1"));
      c1.put(b("b"), b("x"));
      commit(db, 1, c1);
      ChangeSet c2 = new ChangeSet(db.state());
      c2.delete(b("a"));
      commit(db, 2, c2);
      byte[] root1;
      try (StateStore.CommittedState v1 = db.state().at(1)) {
        root1 = v1.appHash();
      }
      assertThat(root1).isEqualTo(db.blocks().results(1).orElseThrow().getAppHash().toByteArray());

      assertThat(db.state().earliestVersion()).isZero();
      try (StateStore.CommittedState v0 = db.state().at(0)) {
        assertThat(v0.get(b("a"))).isEqualTo(b("0"));
        assertThat(v0.get(b("b"))).isNull();
      }
      try (StateStore.CommittedState v1 = db.state().at(1)) {
        assertThat(v1.get(b("a"))).isEqualTo(b("1"));
        assertThat(v1.get(b("b"))).isEqualTo(b("x"));
      }
      try (StateStore.CommittedState v2 = db.state().at(2)) {
        assertThat(v2.get(b("a"))).isNull();
        assertThat(v2.appHash()).isEqualTo(db.state().appHash());
      }
      assertThatThrownBy(() -> db.state().at(3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("heights 0 to 2 are");
    }
  }

  @Test
  void keysWithZeroBytesAndPrefixesOfOneAnotherKeepTheirOwnHistory() {
    byte[] k = {1, 0};
    byte[] longer = {1, 0, 0};
    byte[] shorter = {1};
    try (LedgerDb db = LedgerDb.open(dir)) {
      ChangeSet g = new ChangeSet(db.state());
      g.put(k, b("k0"));
      g.put(longer, b("l0"));
      commit(db, 1, g);
      ChangeSet c = new ChangeSet(db.state());
      c.put(longer, b("l1"));
      c.put(shorter, b("s1"));
      commit(db, 2, c);
      try (StateStore.CommittedState v1 = db.state().at(1)) {
        assertThat(v1.get(k)).isEqualTo(b("k0"));
        assertThat(v1.get(longer)).isEqualTo(b("l0"));
        assertThat(v1.get(shorter)).isNull();
        assertThat(scanAll(v1)).containsOnlyKeys(Hex.encode(k), Hex.encode(longer));
      }
    }
  }

  /** Random commits: every kept version reads (get and scan) as the model did at its height. */
  @Property(tries = 15)
  void everyKeptVersionEqualsTheModelAtItsHeight(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 8) int keepRecent) throws Exception {
    Path d = Files.createTempDirectory("versions");
    Random rnd = new Random(seed);
    List<TreeMap<byte[], byte[]>> models = new ArrayList<>();
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    try (LedgerDb db = LedgerDb.open(d)) {
      int heights = 25;
      for (long h = 1; h <= heights; h++) {
        ChangeSet cs = new ChangeSet(db.state());
        int n = 1 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
          byte[] key = {(byte) rnd.nextInt(3), (byte) rnd.nextInt(4), (byte) rnd.nextInt(2)};
          key = Arrays.copyOf(key, 1 + rnd.nextInt(3));
          if (rnd.nextInt(4) == 0) {
            cs.delete(key);
            model.remove(key);
          } else {
            byte[] v = {(byte) rnd.nextInt(256)};
            cs.put(key, v);
            model.put(key, v);
          }
        }
        commit(db, h, cs);
        TreeMap<byte[], byte[]> snapshot = new TreeMap<>(Arrays::compareUnsigned);
        snapshot.putAll(model);
        models.add(snapshot);
        if (h % 5 == 0) {
          db.state().pruneVersions(h - keepRecent);
        }
      }
      long earliest = db.state().earliestVersion();
      assertThat(earliest).isEqualTo(Math.max(1, 25 - keepRecent));
      for (long v = earliest; v <= heights; v++) {
        TreeMap<byte[], byte[]> expected = models.get((int) v - 1);
        try (StateStore.CommittedState view = db.state().at(v)) {
          assertThat(scanAll(view)).as("version %d", v).isEqualTo(asHex(expected));
          for (byte[] key : expected.keySet()) {
            assertThat(view.get(key)).isEqualTo(expected.get(key));
          }
          byte[] missing = {9};
          assertThat(view.get(missing)).isNull();
          // A bounded scan sees only its range.
          byte[] from = {1};
          byte[] to = {2};
          Map<String, String> ranged = new TreeMap<>();
          view.scan(
              from,
              to,
              (k, val) -> {
                ranged.put(Hex.encode(k), Hex.encode(val));
                return true;
              });
          assertThat(ranged).isEqualTo(asHex(new TreeMap<>(expected.subMap(from, to))));
        }
      }
      if (earliest > 1) {
        long pruned = earliest - 1;
        assertThatThrownBy(() -> db.state().at(pruned))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("is not kept");
      }
    } finally {
      deleteTree(d);
    }
  }

  @Test
  void pruningKeepsTheFloorAcrossAReopenAndDeletesTheHistoryBelowIt() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      for (long h = 1; h <= 10; h++) {
        ChangeSet cs = new ChangeSet(db.state());
        cs.put(b("k"), b(Long.toString(h)));
        commit(db, h, cs);
      }
      assertThat(db.state().pruneVersions(7)).isEqualTo(7);
      assertThat(countEntries(db, LedgerDb.Family.STATE_HISTORY)).isEqualTo(3); // heights 8-10
    }
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThat(db.state().earliestVersion()).isEqualTo(7);
      try (StateStore.CommittedState v7 = db.state().at(7)) {
        assertThat(v7.get(b("k"))).isEqualTo(b("7"));
      }
      assertThatThrownBy(() -> db.state().at(6)).isInstanceOf(IllegalArgumentException.class);
      // Pruning never goes past the latest height.
      assertThat(db.state().pruneVersions(99)).isEqualTo(10);
      assertThat(countEntries(db, LedgerDb.Family.STATE_HISTORY)).isZero();
    }
  }

  @Test
  void aViewTakenBeforePruningStillReadsItsVersion() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      for (long h = 1; h <= 4; h++) {
        ChangeSet cs = new ChangeSet(db.state());
        cs.put(b("k"), b(Long.toString(h)));
        commit(db, h, cs);
      }
      try (StateStore.CommittedState v2 = db.state().at(2)) {
        db.state().pruneVersions(4);
        assertThat(v2.get(b("k"))).isEqualTo(b("2"));
      }
    }
  }

  @Test
  void aRestoreStartsTheHistoryAtTheRestoredHeight() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      for (long h = 1; h <= 3; h++) {
        ChangeSet cs = new ChangeSet(db.state());
        cs.put(b("k"), b(Long.toString(h)));
        commit(db, h, cs);
      }
      MemTree tree = new MemTree();
      tree.put(b("r"), b("1"));
      db.state().restore(50, tree.root, List.of(new StateStore.Entry(b("r"), b("1"))));
      assertThat(db.state().earliestVersion()).isEqualTo(50);
      assertThat(countEntries(db, LedgerDb.Family.STATE_HISTORY)).isZero();
      ChangeSet cs = new ChangeSet(db.state());
      cs.put(b("r"), b("2"));
      commit(db, 51, cs);
      try (StateStore.CommittedState v50 = db.state().at(50)) {
        assertThat(v50.get(b("r"))).isEqualTo(b("1"));
        assertThat(v50.appHash()).isEqualTo(tree.root);
      }
    }
  }

  @Test
  void anUnchangedWriteLeavesNoHistory() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      ChangeSet g = new ChangeSet(db.state());
      g.put(b("k"), b("same"));
      commit(db, 1, g);
      ChangeSet cs = new ChangeSet(db.state());
      cs.put(b("k"), b("same"));
      commit(db, 2, cs);
      assertThat(countEntries(db, LedgerDb.Family.STATE_HISTORY)).isZero();
    }
  }

  private static int countEntries(LedgerDb db, LedgerDb.Family family) {
    int n = 0;
    try (org.rocksdb.RocksIterator it = db.db().newIterator(db.cf(family))) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n++;
      }
    }
    return n;
  }

  private static void deleteTree(Path p) throws java.io.IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
