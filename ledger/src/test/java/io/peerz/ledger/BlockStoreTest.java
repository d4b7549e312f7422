package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.peerz.ledger.BlockStore.TxLocation;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.Header;
import io.peerz.ledger.proto.TxResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockStoreTest {
  @TempDir Path dir;

  static Event event(String type, String key, String value, boolean index) {
    return Event.newBuilder()
        .setType(type)
        .addAttributes(EventAttribute.newBuilder().setKey(key).setValue(value).setIndex(index))
        .build();
  }

  static Block block(long height, String... txs) {
    Block.Builder b =
        Block.newBuilder().setHeader(Header.newBuilder().setChainId("test").setHeight(height));
    for (String tx : txs) {
      b.addTxs(ByteString.copyFromUtf8(tx));
    }
    return b.build();
  }

  static Commit commitFor(long height) {
    return Commit.newBuilder().setHeight(height).setRound(1).build();
  }

  @Test
  void emptyStoreHasNoHeights() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThat(db.blocks().lastHeight()).isZero();
      assertThat(db.blocks().baseHeight()).isZero();
      assertThat(db.blocks().block(1)).isEmpty();
    }
  }

  @Test
  void appendsInOrderFromAnyFirstHeightAndReadsBack() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      BlockStore blocks = db.blocks();
      blocks.append(block(5, "a"), commitFor(5));
      blocks.append(block(6), commitFor(6));
      assertThat(blocks.baseHeight()).isEqualTo(5);
      assertThat(blocks.lastHeight()).isEqualTo(6);
      assertThat(blocks.block(5)).contains(block(5, "a"));
      assertThat(blocks.seenCommit(6)).contains(commitFor(6));
      byte[] hash = blocks.blockHash(5).orElseThrow();
      assertThat(hash).isEqualTo(Blocks.hash(block(5, "a").getHeader()));
      assertThat(blocks.heightOfHash(hash)).contains(5L);
      assertThat(blocks.heightOfHash(new byte[32])).isEmpty();
    }
  }

  @Test
  void rejectsGapsAndConflictingBlocksButAcceptsTheSameBlockAgain() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      BlockStore blocks = db.blocks();
      blocks.append(block(1), commitFor(1));
      blocks.append(block(2), commitFor(2));
      assertThatThrownBy(() -> blocks.append(block(4), commitFor(4)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("gap");
      assertThatThrownBy(() -> blocks.append(block(2, "other"), commitFor(2)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("different block");
      blocks.append(block(2), commitFor(2));
      assertThat(blocks.lastHeight()).isEqualTo(2);
      assertThatThrownBy(() -> blocks.append(block(3), commitFor(4)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void blocksSurviveReopening() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      db.blocks().append(block(1, "x"), commitFor(1));
      db.blocks().append(block(2, "y"), commitFor(2));
    }
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThat(db.blocks().baseHeight()).isEqualTo(1);
      assertThat(db.blocks().lastHeight()).isEqualTo(2);
      assertThat(db.blocks().block(2)).contains(block(2, "y"));
      assertThatThrownBy(() -> db.blocks().append(block(4), commitFor(4)))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  /** Commits heights 1..4, each with two txs whose events name a recipient. */
  private static void commitTxs(LedgerDb db) {
    StateStore state = db.state();
    for (int h = 1; h <= 4; h++) {
      List<byte[]> txs = new ArrayList<>();
      BlockResults.Builder results = BlockResults.newBuilder();
      for (int i = 0; i < 2; i++) {
        txs.add(("tx-" + h + "-" + i).getBytes());
        results.addTxResults(
            TxResult.newBuilder()
                .addEvents(event("transfer", "recipient", i == 0 ? "alice" : "bob", true))
                .addEvents(event("transfer", "parity", h % 2 == 0 ? "even" : "odd", true))
                .addEvents(event("transfer", "memo", "secret", false)));
      }
      db.blocks().append(block(h, "tx-" + h + "-0", "tx-" + h + "-1"), commitFor(h));
      db.commit(state.stage(h, new ChangeSet(state)), results.build(), txs);
    }
  }

  private static List<String> search(LedgerDb db, String query, int limit) {
    return db.blocks().searchTxs(TxQuery.parse(query), limit).stream()
        .map(l -> new String(l.tx()))
        .toList();
  }

  @Test
  void searchesByHeightRangeHashAndIndexedAttributesInOrder() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      commitTxs(db);
      assertThat(search(db, "tx.height=2", 10)).containsExactly("tx-2-0", "tx-2-1");
      assertThat(search(db, "tx.height>1 AND tx.height<=3", 10))
          .containsExactly("tx-2-0", "tx-2-1", "tx-3-0", "tx-3-1");
      assertThat(search(db, "transfer.recipient='bob'", 10))
          .containsExactly("tx-1-1", "tx-2-1", "tx-3-1", "tx-4-1");
      assertThat(search(db, "transfer.recipient='bob' AND transfer.parity='even'", 10))
          .containsExactly("tx-2-1", "tx-4-1");
      assertThat(search(db, "transfer.recipient='alice' AND tx.height>=3", 10))
          .containsExactly("tx-3-0", "tx-4-0");
      assertThat(search(db, "transfer.recipient='bob'", 2)).containsExactly("tx-1-1", "tx-2-1");
      assertThat(search(db, "transfer.memo='secret'", 10)).isEmpty();
      assertThat(search(db, "tx.height>3 AND tx.height<2", 10)).isEmpty();
      String hash = Hex.encodeUpper(Sha256.hash("tx-3-1".getBytes()));
      assertThat(search(db, "tx.hash='" + hash + "'", 10)).containsExactly("tx-3-1");
      assertThat(search(db, "tx.hash='" + hash + "' AND transfer.recipient='alice'", 10)).isEmpty();
      TxLocation loc = db.blocks().tx(Sha256.hash("tx-3-1".getBytes())).orElseThrow();
      assertThat(loc.height()).isEqualTo(3);
      assertThat(loc.index()).isEqualTo(1);
      assertThat(db.blocks().tx(new byte[32])).isEmpty();
    }
  }

  @Test
  void aCommittedBlockWhoseIndexWasLostIsIndexedAgainAtOpen() throws Exception {
    try (LedgerDb db = LedgerDb.open(dir)) {
      appendAndCommit(db, 1, 3);
      assertThat(search(db, "tx.height=3", 10)).containsExactly("tx-3-0", "tx-3-1");
      // A stop after height 3's state commit and before its index: the index is not there.
      org.rocksdb.RocksDB raw = db.db();
      for (LedgerDb.Family f :
          List.of(
              LedgerDb.Family.TX_INDEX,
              LedgerDb.Family.TX_BY_HEIGHT,
              LedgerDb.Family.EVENT_INDEX)) {
        try (org.rocksdb.RocksIterator it = raw.newIterator(db.cf(f))) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            raw.delete(db.cf(f), it.key());
          }
        }
      }
      raw.put(db.cf(LedgerDb.Family.META), TxIndexer.HEIGHT_KEY, LedgerKeys.height(2));
    }
    try (LedgerDb db = LedgerDb.open(dir)) {
      // Heights 1 and 2 stay as they are (here: deleted); 3 is indexed again from the block.
      assertThat(search(db, "tx.height>=1", 10)).containsExactly("tx-3-0", "tx-3-1");
      assertThat(search(db, "transfer.recipient='bob'", 10)).containsExactly("tx-3-1");
      assertThat(db.blocks().tx(Sha256.hash("tx-3-0".getBytes())).orElseThrow().height())
          .isEqualTo(3);
    }
  }

  /** Appends and commits heights from..to, each with txs tx-h-0 (to alice) and tx-h-1 (to bob). */
  private static void appendAndCommit(LedgerDb db, int from, int to) {
    for (int h = from; h <= to; h++) {
      String a = "tx-" + h + "-0";
      String b = "tx-" + h + "-1";
      db.blocks().append(block(h, a, b), commitFor(h));
      BlockResults.Builder results = BlockResults.newBuilder();
      for (String name : List.of("alice", "bob")) {
        results.addTxResults(
            TxResult.newBuilder().addEvents(event("transfer", "recipient", name, true)));
      }
      db.commit(
          db.state().stage(h, new ChangeSet(db.state())),
          results.build(),
          List.of(a.getBytes(), b.getBytes()));
    }
  }

  @Test
  void withIndexingOffTxQueriesAreRefusedAndTheHeightsAreIndexedWhenItIsBackOn() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      appendAndCommit(db, 1, 1);
    }
    try (LedgerDb db = LedgerDb.open(dir, false)) {
      appendAndCommit(db, 2, 3);
      assertThat(db.blocks().indexesTxs()).isFalse();
      assertThatThrownBy(() -> db.blocks().tx(Sha256.hash("tx-1-0".getBytes())))
          .isInstanceOf(TxIndexDisabledException.class)
          .hasMessage("transaction indexing is disabled");
      assertThatThrownBy(() -> db.blocks().searchTxs(TxQuery.parse("tx.height>=1"), 10))
          .isInstanceOf(TxIndexDisabledException.class);
    }
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThat(db.blocks().indexesTxs()).isTrue();
      assertThat(search(db, "tx.height>=1", 10))
          .containsExactly("tx-1-0", "tx-1-1", "tx-2-0", "tx-2-1", "tx-3-0", "tx-3-1");
      assertThat(search(db, "transfer.recipient='bob'", 10))
          .containsExactly("tx-1-1", "tx-2-1", "tx-3-1");
      assertThat(db.blocks().tx(Sha256.hash("tx-2-0".getBytes())).orElseThrow().height())
          .isEqualTo(2);
    }
  }

  @Test
  void aStoreThatNeverIndexedIndexesEverythingWhenIndexingIsTurnedOn() {
    try (LedgerDb db = LedgerDb.open(dir, false)) {
      appendAndCommit(db, 1, 2);
    }
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThat(search(db, "transfer.recipient='alice'", 10)).containsExactly("tx-1-0", "tx-2-0");
    }
  }

  @Test
  void theIndexKeepsPositionsOnlyAndStillReadsEntriesThatCarryTheTx() throws Exception {
    try (LedgerDb db = LedgerDb.open(dir)) {
      appendAndCommit(db, 1, 1);
      byte[] hash = Sha256.hash("tx-1-1".getBytes());
      // Waits for the index too.
      assertThat(db.blocks().tx(hash).orElseThrow().tx()).isEqualTo("tx-1-1".getBytes());
      org.rocksdb.RocksDB raw = db.db();
      // Positions only: the tx comes from the stored block, the event entry carries no hash.
      assertThat(raw.get(db.cf(LedgerDb.Family.TX_INDEX), hash))
          .isEqualTo(LedgerKeys.heightIndex(1, 1));
      byte[] eventKey =
          LedgerKeys.eventKey(
              com.google.protobuf.ByteString.copyFromUtf8("transfer"),
              com.google.protobuf.ByteString.copyFromUtf8("recipient"),
              com.google.protobuf.ByteString.copyFromUtf8("bob"),
              LedgerKeys.heightIndex(1, 1));
      assertThat(raw.get(db.cf(LedgerDb.Family.EVENT_INDEX), eventKey)).isEmpty();

      // An entry in the earlier layout (position and tx; the event entry holding the hash), for
      // a tx whose block says otherwise: the entry's own tx is the one returned.
      byte[] old = Sha256.hash("old-tx".getBytes());
      raw.put(
          db.cf(LedgerDb.Family.TX_INDEX),
          old,
          LedgerKeys.concat(LedgerKeys.heightIndex(1, 0), "old-tx".getBytes()));
      raw.put(db.cf(LedgerDb.Family.TX_BY_HEIGHT), LedgerKeys.heightIndex(1, 0), old);
      raw.put(
          db.cf(LedgerDb.Family.EVENT_INDEX),
          LedgerKeys.eventKey(
              com.google.protobuf.ByteString.copyFromUtf8("transfer"),
              com.google.protobuf.ByteString.copyFromUtf8("recipient"),
              com.google.protobuf.ByteString.copyFromUtf8("alice"),
              LedgerKeys.heightIndex(1, 0)),
          old);
      assertThat(db.blocks().tx(old).orElseThrow().tx()).isEqualTo("old-tx".getBytes());
      assertThat(search(db, "transfer.recipient='alice'", 10)).containsExactly("old-tx");
      assertThat(search(db, "tx.height=1", 10)).containsExactly("old-tx", "tx-1-1");
    }
  }

  /** An event index key as the layout has always been, built here independently of the code. */
  private static String layoutKey(String compositeKey, String value, long height, int index) {
    byte[] k = compositeKey.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] v = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Hex.encode(
        java.nio.ByteBuffer.allocate(4 + k.length + 4 + v.length + 12)
            .putInt(k.length)
            .put(k)
            .putInt(v.length)
            .put(v)
            .putLong(height)
            .putInt(index)
            .array());
  }

  @Test
  void writesEveryIndexEntryInTheLayoutEarlierBuildsWroteAndRead() throws Exception {
    try (LedgerDb db = LedgerDb.open(dir)) {
      commitTxs(db);
      db.blocks().tx(new byte[32]); // waits for the index
      java.util.Set<String> events = new java.util.TreeSet<>();
      java.util.Map<String, String> byHash = new java.util.TreeMap<>();
      java.util.Map<String, String> byHeight = new java.util.TreeMap<>();
      readColumn(
          db,
          LedgerDb.Family.EVENT_INDEX,
          (k, v) -> {
            assertThat(v).isEmpty();
            events.add(Hex.encode(k));
          });
      readColumn(db, LedgerDb.Family.TX_INDEX, (k, v) -> byHash.put(Hex.encode(k), Hex.encode(v)));
      readColumn(
          db, LedgerDb.Family.TX_BY_HEIGHT, (k, v) -> byHeight.put(Hex.encode(k), Hex.encode(v)));
      java.util.Set<String> expectedEvents = new java.util.TreeSet<>();
      java.util.Map<String, String> expectedByHash = new java.util.TreeMap<>();
      java.util.Map<String, String> expectedByHeight = new java.util.TreeMap<>();
      for (int h = 1; h <= 4; h++) {
        for (int i = 0; i < 2; i++) {
          String position =
              Hex.encode(java.nio.ByteBuffer.allocate(12).putLong(h).putInt(i).array());
          String hash = Hex.encode(Sha256.hash(("tx-" + h + "-" + i).getBytes()));
          expectedByHash.put(hash, position);
          expectedByHeight.put(position, hash);
          expectedEvents.add(layoutKey("transfer.recipient", i == 0 ? "alice" : "bob", h, i));
          expectedEvents.add(layoutKey("transfer.parity", h % 2 == 0 ? "even" : "odd", h, i));
        }
      }
      assertThat(events).isEqualTo(expectedEvents);
      assertThat(byHash).isEqualTo(expectedByHash);
      assertThat(byHeight).isEqualTo(expectedByHeight);
    }
  }

  private static void readColumn(
      LedgerDb db, LedgerDb.Family family, java.util.function.BiConsumer<byte[], byte[]> entry) {
    try (org.rocksdb.RocksIterator it = db.db().newIterator(db.cf(family))) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        entry.accept(it.key(), it.value());
      }
    }
  }

  @Test
  void searchRejectsABadLimitOrRangeOnAnAttribute() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThatThrownBy(() -> db.blocks().searchTxs(TxQuery.parse("tx.height=1"), 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () ->
                  db.blocks().searchTxs(List.of(new TxQuery.Condition("transfer.x", ">", "1")), 10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("only supported on tx.height");
    }
  }
}
