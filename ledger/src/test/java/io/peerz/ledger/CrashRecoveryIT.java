package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrashRecoveryIT {
  @TempDir Path dir;
  @TempDir Path replayDir;

  @Test
  void aJvmKilledMidStreamReopensAtItsLastFullCommitAndResumesToTheSameAppHash() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    long lastPrinted = 0;
    for (int run = 0; run < 4; run++) {
      int wanted = 5 + random.nextInt(30);
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  CommitScript.class.getName(),
                  dir.toString())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      long printed = 0;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int seen = 0;
        String line;
        while (seen < wanted && System.nanoTime() < deadline && (line = out.readLine()) != null) {
          if (line.startsWith("committed ")) {
            printed = Long.parseLong(line.substring("committed ".length()));
            seen++;
          }
        }
        assertThat(seen).as("commits seen before the kill (seed %d)", seed).isEqualTo(wanted);
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      lastPrinted = printed;
      try (LedgerDb db = LedgerDb.open(dir)) {
        assertConsistent(db, lastPrinted, seed);
      }
    }
    // Resumed runs reach the same app hash as one uninterrupted run.
    long height;
    byte[] appHash;
    try (LedgerDb db = LedgerDb.open(dir)) {
      height = db.state().height();
      appHash = db.state().appHash();
    }
    try (LedgerDb replay = LedgerDb.open(replayDir)) {
      for (long h = 1; h <= height; h++) {
        CommitScript.commitHeight(replay, h);
      }
      assertThat(replay.state().appHash()).as("seed %d", seed).isEqualTo(appHash);
    }
  }

  private static void assertConsistent(LedgerDb db, long lastPrinted, long seed) {
    StateStore state = db.state();
    long h = state.height();
    assertThat(h).as("seed %d", seed).isGreaterThanOrEqualTo(lastPrinted);
    assertThat(new String(state.get("height".getBytes()), StandardCharsets.UTF_8))
        .isEqualTo(Long.toString(h));
    assertThat(db.blocks().lastHeight()).isBetween(h, h + 1);
    assertThat(db.blocks().results(h).orElseThrow().getAppHash().toByteArray())
        .isEqualTo(state.appHash());
    assertThat(db.blocks().results(h + 1)).isEmpty();
    // The tree's root equals the root computed from scratch over the stored pairs.
    MemTree model = new MemTree();
    TreeMap<byte[], byte[]> all = new TreeMap<>(java.util.Arrays::compareUnsigned);
    state.scan(new byte[0], null, (k, v) -> all.put(k, v) == null);
    model.apply(all);
    assertThat(model.root).as("seed %d", seed).isEqualTo(state.appHash());
    assertThat(state.prove("height".getBytes()).verify(state.appHash())).isTrue();
    assertThat(db.blocks().tx(Sha256.hash(("tx-" + h + "-1").getBytes()))).isPresent();
  }
}
