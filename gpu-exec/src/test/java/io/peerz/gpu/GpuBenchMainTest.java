package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GpuBenchMainTest {

  private static String run(int expectedCode, String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = new GpuBenchMain(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(args);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isEqualTo(expectedCode);
    return out;
  }

  @Test
  void onTheCpuBackendItSaysSoAndStillPrintsTheCpuTable() {
    String out = run(0, "--backend", "cpu", "--cpu-sizes", "64,128", "--repeats", "1");
    assertThat(out)
        .contains("backend: cpu: CPU backend requested")
        .contains("no GPU, CPU backend")
        .contains("| host | workload | ms | GOP/s |")
        .contains("| int8-gemm-64 |")
        .contains("| int8-gemm-128 |")
        .contains("result: ok");
  }

  @Test
  void requireGpuFailsWithoutOne() {
    String out = run(3, "--backend", "cpu", "--require-gpu", "--cpu-sizes", "", "--repeats", "1");
    assertThat(out).contains("result: FAILED (exit 3)");
  }

  @Test
  void badOptionsExitWithTwo() {
    run(2, "--check", "100");
    run(2, "--repeats", "0");
    run(2, "--frobnicate");
  }

  @Test
  void topsCountTwoOperationsPerTerm() {
    // 2 * 1024^3 operations in 1 ms: 2.147 TOPS.
    assertThat(GpuBenchMain.tops(1024, 1.0)).isBetween(2.147, 2.148);
    assertThatThrownBy(() -> GpuBenchMain.sizes("65")).isInstanceOf(IllegalArgumentException.class);
    assertThat(GpuBenchMain.sizes("256, 1024")).containsExactly(256, 1024);
  }
}
