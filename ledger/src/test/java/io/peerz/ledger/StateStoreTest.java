package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.peerz.ledger.StateStore.PendingCommit;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.TxResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes();
  }

  static void commit(LedgerDb db, long height, ChangeSet changes) {
    db.commit(db.state().stage(height, changes), BlockResults.getDefaultInstance(), List.of());
  }

  @Test
  void freshStoreIsEmptyAtHeightZero() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThat(db.state().height()).isZero();
      assertThat(db.state().appHash()).isEqualTo(new byte[32]);
      assertThat(db.state().get(b("a"))).isNull();
    }
  }

  @Test
  void stageComputesTheRootWithoutWritingAndCommitWritesIt() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      StateStore state = db.state();
      ChangeSet cs = new ChangeSet(state);
      cs.put(b("a"), b("1"));
      cs.put(b("b"), b("2"));
      PendingCommit staged = state.stage(1, cs);
      assertThat(state.get(b("a"))).isNull();
      assertThat(state.appHash()).isEqualTo(new byte[32]);
      MemTree model = new MemTree();
      model.put(b("a"), b("1"));
      model.put(b("b"), b("2"));
      assertThat(staged.appHash()).isEqualTo(model.root);
      db.commit(staged, BlockResults.getDefaultInstance(), List.of());
      assertThat(state.height()).isEqualTo(1);
      assertThat(state.appHash()).isEqualTo(model.root);
      assertThat(state.get(b("a"))).isEqualTo(b("1"));
      assertThat(db.blocks().results(1).orElseThrow().getAppHash().toByteArray())
          .isEqualTo(model.root);
    }
  }

  @Test
  void commitRejectsAStaleOrForeignPendingCommit() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      StateStore state = db.state();
      ChangeSet cs = new ChangeSet(state);
      cs.put(b("a"), b("1"));
      PendingCommit first = state.stage(1, cs);
      PendingCommit stale = state.stage(1, cs);
      db.commit(first, BlockResults.getDefaultInstance(), List.of());
      assertThatThrownBy(() -> db.commit(stale, BlockResults.getDefaultInstance(), List.of()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stale");
      PendingCommit foreign =
          new PendingCommit() {
            public long height() {
              return 2;
            }

            public byte[] appHash() {
              return new byte[32];
            }
          };
      assertThatThrownBy(() -> db.commit(foreign, BlockResults.getDefaultInstance(), List.of()))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> state.stage(1, cs)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void commitRejectsResultsThatDoNotMatchTheTxs() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      StateStore state = db.state();
      PendingCommit staged = state.stage(1, new ChangeSet(state));
      assertThatThrownBy(
              () -> db.commit(staged, BlockResults.getDefaultInstance(), List.of(b("tx"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1 txs but 0 tx results");
      assertThat(state.height()).isZero();
    }
  }

  @Test
  void scanReadsCommittedStateInUnsignedKeyOrderWithinBounds() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      StateStore state = db.state();
      ChangeSet cs = new ChangeSet(state);
      for (int v : new int[] {0x01, 0x7f, 0x80, 0xff}) {
        cs.put(new byte[] {(byte) v}, new byte[] {(byte) v});
      }
      commit(db, 1, cs);
      List<String> seen = new ArrayList<>();
      state.scan(new byte[] {0x02}, new byte[] {(byte) 0xff}, (k, v) -> seen.add(Hex.encode(k)));
      assertThat(seen).containsExactly("7f", "80");
      seen.clear();
      state.scan(new byte[0], null, (k, v) -> seen.add(Hex.encode(k)) && seen.size() < 3);
      assertThat(seen).containsExactly("01", "7f", "80");
    }
  }

  @Test
  void proofsFromTheStoreVerifyAgainstItsAppHash() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      StateStore state = db.state();
      ChangeSet cs = new ChangeSet(state);
      for (int i = 0; i < 50; i++) {
        cs.put(b("k" + i), b("v" + i));
      }
      commit(db, 1, cs);
      StateProof present = StateProof.fromBytes(state.prove(b("k7")).toBytes());
      assertThat(present.value()).isEqualTo(b("v7"));
      assertThat(present.verify(state.appHash())).isTrue();
      StateProof absent = state.prove(b("nope"));
      assertThat(absent.value()).isNull();
      assertThat(absent.verify(state.appHash())).isTrue();
      ChangeSet next = new ChangeSet(state);
      next.put(b("k7"), b("changed"));
      commit(db, 2, next);
      assertThat(present.verify(state.appHash())).isFalse();
      assertThat(state.prove(b("k7")).verify(state.appHash())).isTrue();
    }
  }

  @Test
  void reopeningYieldsTheLastCommittedHeightStateAndRoot() {
    byte[] root;
    try (LedgerDb db = LedgerDb.open(dir)) {
      for (int h = 1; h <= 5; h++) {
        ChangeSet cs = new ChangeSet(db.state());
        cs.put(b("height"), b(Integer.toString(h)));
        cs.put(b("k" + h), b("v" + h));
        if (h == 4) {
          cs.delete(b("k2"));
        }
        commit(db, h, cs);
      }
      // Staged but never committed: must leave no trace.
      ChangeSet lost = new ChangeSet(db.state());
      lost.put(b("lost"), b("x"));
      db.state().stage(6, lost);
      root = db.state().appHash();
    }
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThat(db.state().height()).isEqualTo(5);
      assertThat(db.state().appHash()).isEqualTo(root);
      assertThat(db.state().get(b("height"))).isEqualTo(b("5"));
      assertThat(db.state().get(b("k2"))).isNull();
      assertThat(db.state().get(b("lost"))).isNull();
      assertThat(db.state().prove(b("k3")).verify(root)).isTrue();
      ChangeSet cs = new ChangeSet(db.state());
      cs.put(b("k6"), b("v6"));
      commit(db, 6, cs);
      assertThat(db.state().height()).isEqualTo(6);
    }
  }

  @Test
  void commitIndexesTxsByHashAndIndexedEventAttributes() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      StateStore state = db.state();
      List<byte[]> txs = List.of(b("tx-a"), b("tx-b"));
      BlockResults results =
          BlockResults.newBuilder()
              .addTxResults(
                  TxResult.newBuilder()
                      .addEvents(BlockStoreTest.event("transfer", "to", "bob", true)))
              .addTxResults(
                  TxResult.newBuilder()
                      .addEvents(BlockStoreTest.event("transfer", "to", "eve", false)))
              .build();
      db.blocks().append(BlockStoreTest.block(3, "tx-a", "tx-b"), BlockStoreTest.commitFor(3));
      db.commit(state.stage(3, new ChangeSet(state)), results, txs);
      BlockStore.TxLocation a = db.blocks().tx(Sha256.hash(b("tx-a"))).orElseThrow();
      assertThat(a).isEqualTo(new BlockStore.TxLocation(3, 0, Sha256.hash(b("tx-a")), b("tx-a")));
      assertThat(db.blocks().searchTxs(TxQuery.parse("transfer.to='bob'"), 10)).containsExactly(a);
      assertThat(db.blocks().searchTxs(TxQuery.parse("transfer.to='eve'"), 10)).isEmpty();
      assertThat(db.blocks().results(3).orElseThrow().getHeight()).isEqualTo(3);
      assertThat(db.blocks().results(3).orElseThrow().getAppHash())
          .isEqualTo(ByteString.copyFrom(state.appHash()));
    }
  }

  @Property(tries = 15)
  void storedRootMatchesTheModelAcrossCommitsAndReopens(@ForAll long seed) throws Exception {
    Path tmp = Files.createTempDirectory("ledger-prop");
    try {
      Random random = new Random(seed);
      MemTree model = new MemTree();
      long height = 0;
      for (int round = 0; round < 4; round++) {
        try (LedgerDb db = LedgerDb.open(tmp)) {
          StateStore state = db.state();
          // Several commits per open: later ones read tree nodes the earlier ones cached.
          for (int commit = 0; commit < 3; commit++) {
            ChangeSet cs = new ChangeSet(state);
            TreeMap<byte[], byte[]> batch = new TreeMap<>(Arrays::compareUnsigned);
            for (int i = random.nextInt(40); i > 0; i--) {
              byte[] key = b("k" + random.nextInt(50));
              byte[] value = random.nextInt(4) == 0 ? null : b("v" + random.nextInt(1000));
              batch.put(key, value);
              if (value == null) {
                cs.delete(key);
              } else {
                cs.put(key, value);
              }
            }
            model.apply(batch);
            commit(db, ++height, cs);
            assertThat(state.appHash()).isEqualTo(model.root).isEqualTo(model.modelRoot());
            List<byte[]> keys = new ArrayList<>();
            state.scan(new byte[0], null, (k, v) -> keys.add(k));
            assertThat(keys).containsExactlyElementsOf(model.values.keySet());
            for (int k = 0; k < 50; k++) {
              // Read twice: the second read may come from the store's cache.
              assertThat(state.get(b("k" + k))).isEqualTo(model.values.get(b("k" + k)));
              assertThat(state.get(b("k" + k))).isEqualTo(model.values.get(b("k" + k)));
            }
          }
        }
      }
    } finally {
      try (Stream<Path> walk = Files.walk(tmp)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
