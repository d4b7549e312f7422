package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.LedgerDb.Family;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

class EncodedWriteBatchTest {
  @TempDir Path dir;

  @Test
  void encodesExactlyWhatRocksDbsOwnPutsAndDeletesWouldAndWritesIt() throws Exception {
    Random rnd = new Random(5);
    try (LedgerDb ledger = LedgerDb.open(dir);
        WriteBatch reference = new WriteBatch();
        WriteOptions options = new WriteOptions()) {
      // Small and large keys and values: one-, two- and three-byte varint lengths.
      EncodedWriteBatch encoded = new EncodedWriteBatch(0);
      Family[] families = {Family.DEFAULT, Family.STATE, Family.EVENT_INDEX, Family.TREE};
      for (int i = 0; i < 300; i++) {
        ColumnFamilyHandle cf = ledger.cf(families[i % families.length]);
        byte[] key = new byte[1 + rnd.nextInt(i % 50 == 0 ? 20_000 : 200)];
        rnd.nextBytes(key);
        if (i % 7 == 3) {
          reference.delete(cf, key);
          encoded.delete(cf, key);
        } else {
          byte[] value = new byte[rnd.nextInt(i % 40 == 0 ? 300_000 : 150)];
          rnd.nextBytes(value);
          reference.put(cf, key, value);
          encoded.put(cf, key, value);
        }
      }
      assertThat(encoded.count()).isEqualTo(300);
      try (WriteBatch built = encoded.build()) {
        assertThat(built.data()).isEqualTo(reference.data());
        assertThat(built.count()).isEqualTo(300);
      }

      EncodedWriteBatch small = new EncodedWriteBatch(0);
      small.put(ledger.cf(Family.STATE), new byte[] {1, 2}, new byte[] {3});
      small.put(ledger.cf(Family.DEFAULT), new byte[] {4}, new byte[] {5, 6});
      try (WriteBatch built = small.build()) {
        ledger.db().write(options, built);
      }
      assertThat(ledger.db().get(ledger.cf(Family.STATE), new byte[] {1, 2}))
          .isEqualTo(new byte[] {3});
      assertThat(ledger.db().get(ledger.cf(Family.DEFAULT), new byte[] {4}))
          .isEqualTo(new byte[] {5, 6});
    }
  }
}
