package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.SnapshotMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State-sync snapshots: cut from committed state, chunked and hashed, restored to the same root.
 */
class StateSnapshotTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Commits heights 1..top of a fixed script with values of a few hundred bytes. */
  private static void fill(LedgerDb db, long top) {
    for (long h = 1; h <= top; h++) {
      ChangeSet cs = new ChangeSet(db.state());
      for (int j = 0; j < 20; j++) {
        long k = (h * 37 + j * 11) % 150;
        cs.put(b("acct/" + k), b("v" + h + "-" + j + "-" + "x".repeat((int) (k % 300))));
      }
      if (h % 4 == 0) {
        cs.delete(b("acct/" + (h % 150)));
      }
      db.commit(db.state().stage(h, cs), BlockResults.getDefaultInstance(), List.of());
    }
  }

  private record Taken(StateSnapshot snapshot, List<byte[]> chunks) {}

  private static Taken take(StateStore state, int chunkBytes) {
    List<byte[]> chunks = new ArrayList<>();
    try (StateStore.CommittedState view = state.committed()) {
      StateSnapshot s =
          StateSnapshot.write(
              view,
              chunkBytes,
              (i, c) -> {
                assertThat(i).isEqualTo(chunks.size());
                chunks.add(c);
              });
      return new Taken(s, chunks);
    }
  }

  @Test
  void twoStoresWithTheSameStateGiveByteIdenticalSnapshots() {
    try (LedgerDb a = LedgerDb.open(dir.resolve("a"));
        LedgerDb b = LedgerDb.open(dir.resolve("b"))) {
      fill(a, 12);
      fill(b, 12);
      Taken ta = take(a.state(), 2048);
      Taken tb = take(b.state(), 2048);
      assertThat(ta.snapshot()).isEqualTo(tb.snapshot());
      assertThat(ta.chunks()).hasSameSizeAs(tb.chunks());
      for (int i = 0; i < ta.chunks().size(); i++) {
        assertThat(ta.chunks().get(i)).as("chunk %d", i).isEqualTo(tb.chunks().get(i));
      }
    }
  }

  @Test
  void chunksAreBoundedAndTheHashCommitsToTheirHashesAndTheAppHash() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      fill(db, 12);
      Taken t = take(db.state(), 2048);
      StateSnapshot s = t.snapshot();
      assertThat(s.height()).isEqualTo(12);
      assertThat(s.format()).isEqualTo(StateSnapshot.FORMAT);
      assertThat(s.chunks()).isEqualTo(t.chunks().size()).isGreaterThan(3);
      SnapshotMetadata m = s.decodeMetadata();
      assertThat(m.getAppHash().toByteArray()).isEqualTo(db.state().appHash());
      long pairs = 0;
      byte[] last = null;
      for (int i = 0; i < t.chunks().size(); i++) {
        byte[] c = t.chunks().get(i);
        assertThat(c.length).as("chunk %d size", i).isLessThanOrEqualTo(2048);
        assertThat(m.getChunkHashes(i).toByteArray()).isEqualTo(Sha256.hash(c));
        for (StateStore.Entry e : StateSnapshot.entries(c)) {
          if (last != null) {
            assertThat(Arrays.compareUnsigned(last, e.key())).isNegative();
          }
          last = e.key();
          assertThat(db.state().get(e.key())).isEqualTo(e.value());
          pairs++;
        }
      }
      assertThat(m.getEntries()).isEqualTo(pairs);
      long[] stored = {0};
      db.state().scan(null, null, (k, v) -> ++stored[0] > 0);
      assertThat(pairs).isEqualTo(stored[0]);
      assertThat(s.hash()).isEqualTo(Sha256.hash(s.metadata()));

      // A state that differs in one value gives another hash.
      ChangeSet cs = new ChangeSet(db.state());
      cs.put(b("acct/1"), b("changed"));
      db.commit(db.state().stage(13, cs), BlockResults.getDefaultInstance(), List.of());
      assertThat(take(db.state(), 2048).snapshot().hash()).isNotEqualTo(s.hash());
    }
  }

  @Test
  void aViewTakenBeforeACommitDoesNotSeeIt() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      fill(db, 3);
      try (StateStore.CommittedState view = db.state().committed()) {
        byte[] before = view.get(b("acct/0"));
        List<String> keysBefore = keys(view);
        ChangeSet cs = new ChangeSet(db.state());
        cs.put(b("acct/0"), b("after"));
        cs.put(b("new"), b("key"));
        db.commit(db.state().stage(4, cs), BlockResults.getDefaultInstance(), List.of());
        assertThat(view.height()).isEqualTo(3);
        assertThat(view.get(b("acct/0"))).isEqualTo(before);
        assertThat(view.get(b("new"))).isNull();
        assertThat(db.state().get(b("new"))).isEqualTo(b("key"));
        assertThat(keys(view)).isEqualTo(keysBefore).doesNotContain("new");
        assertThat(view.get(b("acct/0"))).isEqualTo(before); // after a scan, too
      }
    }
  }

  private static List<String> keys(StateReader state) {
    List<String> keys = new ArrayList<>();
    state.scan(null, null, (k, v) -> keys.add(new String(k, StandardCharsets.UTF_8)));
    return keys;
  }

  @Test
  void aClosedViewRefusesReads() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      fill(db, 2);
      StateStore.CommittedState view = db.state().committed();
      view.close();
      assertThatThrownBy(() -> view.get(b("acct/0")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      view.close(); // a second close does nothing
    }
  }

  @Test
  void aFreshStoreRestoredFromChunksInAnyOrderHasTheSameAppHashAndProofs() {
    try (LedgerDb a = LedgerDb.open(dir.resolve("a"));
        LedgerDb fresh = LedgerDb.open(dir.resolve("fresh"))) {
      fill(a, 12);
      Taken t = take(a.state(), 2048);
      SnapshotRestore r = SnapshotRestore.begin(fresh.state(), t.snapshot(), a.state().appHash());
      int n = t.chunks().size();
      // Last first, then the rest: out-of-order chunks wait for their turn.
      assertThat(r.apply(n - 1, t.chunks().get(n - 1)).kind())
          .isEqualTo(SnapshotRestore.Kind.ACCEPTED);
      for (int i = 0; i < n - 2; i++) {
        assertThat(r.apply(i, t.chunks().get(i)).kind()).isEqualTo(SnapshotRestore.Kind.ACCEPTED);
      }
      assertThat(fresh.state().height()).isZero();
      assertThat(r.apply(n - 2, t.chunks().get(n - 2)).kind())
          .isEqualTo(SnapshotRestore.Kind.RESTORED);
      assertThat(fresh.state().height()).isEqualTo(12);
      assertThat(fresh.state().appHash()).isEqualTo(a.state().appHash());
      StateProof p = fresh.state().prove(b("acct/5"));
      assertThat(p.verify(a.state().appHash())).isTrue();

      // The restored store goes on committing like the original.
      for (LedgerDb db : List.of(a, fresh)) {
        ChangeSet cs = new ChangeSet(db.state());
        cs.put(b("acct/7"), b("next"));
        cs.delete(b("acct/9"));
        db.commit(db.state().stage(13, cs), BlockResults.getDefaultInstance(), List.of());
      }
      assertThat(fresh.state().appHash()).isEqualTo(a.state().appHash());
    }
    // And it reopens at the restored height.
    try (LedgerDb fresh = LedgerDb.open(dir.resolve("fresh"))) {
      assertThat(fresh.state().height()).isEqualTo(13);
    }
  }

  @Test
  void aTamperedChunkIsRefetchedAndRejectsTheSnapshotAfterRepeatedFailures() {
    try (LedgerDb a = LedgerDb.open(dir.resolve("a"));
        LedgerDb fresh = LedgerDb.open(dir.resolve("fresh"))) {
      fill(a, 12);
      Taken t = take(a.state(), 2048);
      SnapshotRestore r = SnapshotRestore.begin(fresh.state(), t.snapshot(), a.state().appHash());
      byte[] bad = t.chunks().get(0).clone();
      bad[bad.length - 1] ^= 1;
      SnapshotRestore.Step step = r.apply(0, bad);
      assertThat(step.kind()).isEqualTo(SnapshotRestore.Kind.REFETCH);
      assertThat(step.reason()).contains("chunk 0 does not hash");
      // The genuine chunk is still taken after a bad copy.
      assertThat(r.apply(0, t.chunks().get(0)).kind()).isEqualTo(SnapshotRestore.Kind.ACCEPTED);
      assertThat(r.apply(1, bad).kind()).isEqualTo(SnapshotRestore.Kind.REFETCH);
      assertThat(r.apply(1, bad).kind()).isEqualTo(SnapshotRestore.Kind.REFETCH);
      assertThat(r.apply(1, bad).kind()).isEqualTo(SnapshotRestore.Kind.REJECTED);
      assertThat(fresh.state().height()).isZero();
      assertThat(fresh.state().appHash()).isEqualTo(new byte[32]);
    }
  }

  @Test
  void anOfferWhoseAppHashIsNotTheTrustedOneOrWhoseMetadataIsForgedIsRefused() {
    try (LedgerDb a = LedgerDb.open(dir.resolve("a"));
        LedgerDb fresh = LedgerDb.open(dir.resolve("fresh"))) {
      fill(a, 12);
      StateSnapshot s = take(a.state(), 2048).snapshot();
      byte[] other = a.state().appHash();
      other[0] ^= 1;
      assertThatThrownBy(() -> SnapshotRestore.begin(fresh.state(), s, other))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not the trusted app hash");
      StateSnapshot forged =
          new StateSnapshot(s.height(), s.format(), s.chunks(), other, s.metadata());
      assertThatThrownBy(() -> SnapshotRestore.begin(fresh.state(), forged, a.state().appHash()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not SHA-256 of its metadata");
      StateSnapshot format2 = new StateSnapshot(s.height(), 2, s.chunks(), s.hash(), s.metadata());
      assertThatThrownBy(() -> SnapshotRestore.begin(fresh.state(), format2, a.state().appHash()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("format 2");
    }
  }

  @Test
  void chunksWhoseHashesMatchButWhosePairsGiveAnotherRootWriteNothing() {
    try (LedgerDb a = LedgerDb.open(dir.resolve("a"));
        LedgerDb fresh = LedgerDb.open(dir.resolve("fresh"))) {
      fill(a, 12);
      Taken t = take(a.state(), 1 << 20);
      // A sender that makes its own metadata for a different state under the trusted app hash.
      List<byte[]> chunks = new ArrayList<>();
      byte[] chunk =
          DeterministicProto.encode(
              io.peerz.ledger.proto.SnapshotChunk.newBuilder()
                  .addEntries(
                      io.peerz.ledger.proto.SnapshotEntry.newBuilder()
                          .setKey(com.google.protobuf.ByteString.copyFromUtf8("evil"))
                          .setValue(com.google.protobuf.ByteString.copyFromUtf8("1")))
                  .build());
      chunks.add(chunk);
      byte[] meta =
          DeterministicProto.encode(
              SnapshotMetadata.newBuilder()
                  .setHeight(12)
                  .setAppHash(com.google.protobuf.ByteString.copyFrom(a.state().appHash()))
                  .addChunkHashes(com.google.protobuf.ByteString.copyFrom(Sha256.hash(chunk)))
                  .setEntries(1)
                  .build());
      StateSnapshot lie = new StateSnapshot(12, 1, 1, Sha256.hash(meta), meta);
      SnapshotRestore r = SnapshotRestore.begin(fresh.state(), lie, a.state().appHash());
      SnapshotRestore.Step step = r.apply(0, chunks.get(0));
      assertThat(step.kind()).isEqualTo(SnapshotRestore.Kind.REJECTED);
      assertThat(step.reason()).contains("root");
      assertThat(fresh.state().height()).isZero();
      assertThat(fresh.state().get(b("evil"))).isNull();
      assertThat(t.snapshot().chunks()).isEqualTo(1);
    }
  }

  @Test
  void theStoreListsCompleteSnapshotsNewestFirstServesChunksAndPrunes() {
    try (LedgerDb db = LedgerDb.open(dir.resolve("db"))) {
      SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
      for (long h = 1; h <= 4; h++) {
        fill(db, 0);
        ChangeSet cs = new ChangeSet(db.state());
        cs.put(b("h"), b("x".repeat(3000) + h));
        db.commit(db.state().stage(h, cs), BlockResults.getDefaultInstance(), List.of());
        try (StateStore.CommittedState view = db.state().committed()) {
          store.take(view, 1024);
        }
      }
      assertThat(store.list()).extracting(StateSnapshot::height).containsExactly(4L, 3L, 2L, 1L);
      store.prune(2);
      List<StateSnapshot> kept = store.list();
      assertThat(kept).extracting(StateSnapshot::height).containsExactly(4L, 3L);
      StateSnapshot top = kept.get(0);
      SnapshotMetadata m = top.decodeMetadata();
      for (int i = 0; i < top.chunks(); i++) {
        assertThat(Sha256.hash(store.chunk(4, 1, i).orElseThrow()))
            .isEqualTo(m.getChunkHashes(i).toByteArray());
      }
      assertThat(store.chunk(4, 1, top.chunks())).isEmpty();
      assertThat(store.chunk(4, 2, 0)).isEmpty();
      assertThat(store.chunk(1, 1, 0)).isEmpty();
      // Reopened, it lists the same.
      assertThat(new SnapshotStore(dir.resolve("snapshots")).list()).isEqualTo(kept);
    }
  }
}
