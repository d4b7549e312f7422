package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.LedgerDb.Family;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerDbTest {
  @TempDir Path dir;

  @Test
  void createsTheDirectoryAndRefusesASecondOpenOfIt() {
    Path nested = dir.resolve("a/b");
    try (LedgerDb db = LedgerDb.open(nested)) {
      assertThat(nested).isDirectory();
      assertThatThrownBy(() -> LedgerDb.open(nested)).isInstanceOf(UncheckedIOException.class);
    }
    LedgerDb.open(nested).close();
  }

  @Test
  void closingTwiceIsHarmless() {
    LedgerDb db = LedgerDb.open(dir);
    db.close();
    db.close();
    try (LedgerDb again = LedgerDb.open(dir)) {
      assertThat(again.state().height()).isZero();
    }
  }

  @Test
  void flushesLevelZeroUncompressedAndCompactsIntoSnappy() throws Exception {
    try (LedgerDb db = LedgerDb.open(dir);
        org.rocksdb.FlushOptions flush = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
      for (LedgerDb.Family family : new LedgerDb.Family[] {Family.EVENT_INDEX, Family.RESULTS}) {
        org.rocksdb.ColumnFamilyHandle cf = db.cf(family);
        for (int i = 0; i < 2_000; i++) {
          db.db().put(cf, LedgerKeys.heightIndex(i, i), ("value of " + i).repeat(4).getBytes());
        }
        db.db().flush(flush, cf);
        assertThat(compressions(db, cf)).as(family.cfName).containsOnly("NoCompression");
        db.db().compactRange(cf);
        assertThat(compressions(db, cf)).as(family.cfName).containsOnly("Snappy");
        assertThat(db.db().get(cf, LedgerKeys.heightIndex(7, 7)))
            .isEqualTo("value of 7".repeat(4).getBytes());
      }
    }
  }

  private static java.util.Collection<String> compressions(
      LedgerDb db, org.rocksdb.ColumnFamilyHandle cf) throws Exception {
    return db.db().getPropertiesOfAllTables(cf).values().stream()
        .map(org.rocksdb.TableProperties::getCompressionName)
        .toList();
  }
}
