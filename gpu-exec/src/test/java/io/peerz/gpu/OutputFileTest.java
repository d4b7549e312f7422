package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.attest.OutputCommitment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFileTest {
  @TempDir Path dir;

  @Test
  void roundTripsAndEachRowIsTheCommittedRowBytes() throws Exception {
    int n = 3;
    int[] c = {1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 1 << 26, -(1 << 26), 7, 256};
    Path f = dir.resolve("c.bin");
    OutputFile.write(f, c);
    byte[] bytes = Files.readAllBytes(f);
    assertThat(bytes).hasSize(4 * n * n);
    // little-endian: 1 is 01 00 00 00
    assertThat(Arrays.copyOf(bytes, 4)).containsExactly(1, 0, 0, 0);
    for (int row = 0; row < n; row++) {
      assertThat(Arrays.copyOfRange(bytes, 4 * n * row, 4 * n * (row + 1)))
          .isEqualTo(OutputCommitment.rowBytes(n, c, row));
    }
    assertThat(OutputFile.read(f, n)).isEqualTo(c);
  }

  @Test
  void refusesAFileOfTheWrongSize() throws Exception {
    Path f = dir.resolve("short.bin");
    Files.write(f, new byte[35]);
    assertThatThrownBy(() -> OutputFile.read(f, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds 35 bytes")
        .hasMessageContaining("36");
  }
}
