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

      // Sized by recordSize, a batch fills its array exactly (built without a copy) and encodes
      // the same bytes.
      int exact = EncodedWriteBatch.headerSize();
      byte[][] keys = new byte[40][];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = new byte[i * 7];
        rnd.nextBytes(keys[i]);
        exact += EncodedWriteBatch.recordSize(ledger.cf(families[i % 4]), i * 7, i * 13);
      }
      EncodedWriteBatch sized = EncodedWriteBatch.exactly(exact);
      try (WriteBatch same = new WriteBatch()) {
        for (int i = 0; i < keys.length; i++) {
          byte[] padded = new byte[keys[i].length + 3];
          System.arraycopy(keys[i], 0, padded, 3, keys[i].length);
          ColumnFamilyHandle cf = ledger.cf(families[i % 4]);
          sized.put(cf.getID(), padded, 3, keys[i].length, new byte[i * 13]);
          same.put(cf, keys[i], new byte[i * 13]);
        }
        assertThat(sized.remaining()).isZero();
        try (WriteBatch built = sized.build()) {
          assertThat(built.data()).isEqualTo(same.data());
        }
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
