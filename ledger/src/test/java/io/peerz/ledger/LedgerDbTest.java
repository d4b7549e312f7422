package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
