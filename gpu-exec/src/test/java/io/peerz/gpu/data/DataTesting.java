package io.peerz.gpu.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** What the data-plane tests share: random bytes, a check, and waiting on a condition. */
final class DataTesting {
  static final int ROW = 8;

  private DataTesting() {}

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  static Path write(Path dir, String name, byte[] bytes) {
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The row-root check of these bytes, in rows of {@link #ROW}. */
  static InputCheck rootOf(Path dir, byte[] bytes) {
    Path f = write(dir, "expected-" + Arrays.hashCode(bytes) + ".bin", bytes);
    byte[] root = RowRootCheck.root(f, ROW);
    return new RowRootCheck(root, ROW);
  }

  /** Polls {@code condition} until it holds; fails the test after five seconds. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 5 s").isLessThan(deadline);
      LockSupport.parkNanos(2_000_000);
    }
  }
}
