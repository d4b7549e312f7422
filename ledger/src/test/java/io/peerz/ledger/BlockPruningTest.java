package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.TxResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** min-retain-blocks in the ledger: what lies below the retain height goes, nothing else does. */
class BlockPruningTest {
  @TempDir Path dir;

  /** Appends and commits heights from..to, each with txs tx-h-0 (to alice) and tx-h-1 (to bob). */
  private static void appendAndCommit(LedgerDb db, int from, int to, boolean appendBlocks) {
    for (int h = from; h <= to; h++) {
      String a = "tx-" + h + "-0";
      String b = "tx-" + h + "-1";
      if (appendBlocks) {
        db.blocks().append(BlockStoreTest.block(h, a, b), BlockStoreTest.commitFor(h));
      }
      BlockResults.Builder results = BlockResults.newBuilder();
      for (String name : List.of("alice", "bob")) {
        results.addTxResults(
            TxResult.newBuilder()
                .addEvents(BlockStoreTest.event("transfer", "recipient", name, true)));
      }
      db.commit(
          db.state().stage(h, new ChangeSet(db.state())),
          results.build(),
          List.of(a.getBytes(), b.getBytes()));
    }
  }

  private static List<String> search(LedgerDb db, String query) {
    return db.blocks().searchTxs(TxQuery.parse(query), 100).stream()
        .map(l -> new String(l.tx()))
        .toList();
  }

  private static int count(LedgerDb db, LedgerDb.Family family) {
    int n = 0;
    try (org.rocksdb.RocksIterator it = db.db().newIterator(db.cf(family))) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n++;
      }
    }
    return n;
  }

  @Test
  void blocksResultsAndTheirIndexBelowTheRetainHeightAreDeleted() {
    try (LedgerDb db = LedgerDb.open(dir)) {
      appendAndCommit(db, 1, 6, true);
      byte[] hashOf2 = db.blocks().blockHash(2).orElseThrow();
      assertThat(db.pruneBlocks(4)).isEqualTo(4);

      assertThat(db.blocks().baseHeight()).isEqualTo(4);
      assertThat(db.blocks().lastHeight()).isEqualTo(6);
      for (long h = 1; h < 4; h++) {
        assertThat(db.blocks().block(h)).isEmpty();
        assertThat(db.blocks().seenCommit(h)).isEmpty();
        assertThat(db.blocks().results(h)).isEmpty();
      }
      assertThat(db.blocks().heightOfHash(hashOf2)).isEmpty();
      assertThat(db.blocks().block(4)).isPresent();
      assertThat(db.blocks().results(4)).isPresent();
      assertThat(db.blocks().tx(Sha256.hash("tx-3-0".getBytes()))).isEmpty();
      assertThat(db.blocks().tx(Sha256.hash("tx-4-0".getBytes()))).isPresent();
      assertThat(search(db, "transfer.recipient='bob'"))
          .containsExactly("tx-4-1", "tx-5-1", "tx-6-1");
      assertThat(search(db, "tx.height>=1")).hasSize(6);
      // Six txs of heights 4-6 are left in each index: by hash, by height, and one event each.
      assertThat(count(db, LedgerDb.Family.TX_INDEX)).isEqualTo(6);
      assertThat(count(db, LedgerDb.Family.TX_BY_HEIGHT)).isEqualTo(6);
      assertThat(count(db, LedgerDb.Family.EVENT_INDEX)).isEqualTo(6);
      assertThat(count(db, LedgerDb.Family.BLOCK_HASHES)).isEqualTo(3);

      // A lower or equal retain height changes nothing; a higher one than the last block stops
      // at it, keeping the last block.
      assertThat(db.pruneBlocks(2)).isEqualTo(4);
      assertThat(db.pruneBlocks(99)).isEqualTo(6);
      assertThat(db.blocks().block(6)).isPresent();
    }
    try (LedgerDb db = LedgerDb.open(dir)) {
      assertThat(db.blocks().baseHeight()).isEqualTo(6);
      // The next block still appends after the last.
      appendAndCommit(db, 7, 7, true);
      assertThat(db.blocks().lastHeight()).isEqualTo(7);
    }
  }

  @Test
  void aLongBacklogIsPrunedOverSeveralCalls() {
    int heights = RocksBlockStore.MAX_PRUNED_HEIGHTS_PER_CALL + 10;
    try (LedgerDb db = LedgerDb.open(dir)) {
      appendAndCommit(db, 1, heights, true);
      long first = db.pruneBlocks(heights);
      assertThat(first).isEqualTo(1 + RocksBlockStore.MAX_PRUNED_HEIGHTS_PER_CALL);
      assertThat(db.blocks().baseHeight()).isEqualTo(first);
      assertThat(db.pruneBlocks(heights)).isEqualTo(heights);
    }
  }

  @Test
  void withoutBlocksTheResultsAndIndexArePruned() {
    // The application under CometBFT stores results and the tx index but no block.
    try (LedgerDb db = LedgerDb.open(dir)) {
      appendAndCommit(db, 1, 5, false);
      assertThat(db.pruneBlocks(3)).isEqualTo(3);
      assertThat(db.blocks().results(2)).isEmpty();
      assertThat(db.blocks().results(3)).isPresent();
      assertThat(count(db, LedgerDb.Family.TX_BY_HEIGHT)).isEqualTo(6);
      assertThat(count(db, LedgerDb.Family.RESULTS)).isEqualTo(3);
      assertThat(db.blocks().baseHeight()).isZero();
    }
  }
}
