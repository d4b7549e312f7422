package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
  void onAnEmulatedGpuEverySectionRunsAndEveryCheckPasses() {
    assumeThat(EmulatedDevice.unavailable()).as("device emulator").isNull();
    GpuInfo h200 = new GpuInfo(0, "NVIDIA H200 (emulated)", 143_771, "9.0", 132, 1980);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    GpuBenchMain bench =
        new GpuBenchMain(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            forced ->
                new CudaBackend(
                    EmulatedDevice.start(EmulatedDevice.MODES.get(0)),
                    h200,
                    "13.0",
                    90,
                    232_448,
                    Map.of(),
                    forced));
    int code =
        bench.run(
            new String[] {
              "--check", "64", "--shapes", "37x70x20,130x64x9", "--gpu-sizes", "128",
              "--seeded-sizes", "64", "--cpu-sizes", "64", "--repeats", "1"
            });
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    assertThat(out)
        .contains("int8 kernel: int8_gemm_mma (sm_90: int8 tensor cores")
        .contains("## Correctness: int8_gemm_mma against the CPU backend")
        .contains("| 37 x 70 x 20 | random | equal |")
        .contains("| 64 x 2048 x 64 | all -128 | equal |")
        .contains("## Correctness: int8_gemm_dp4a against the CPU backend")
        .contains("## Correctness: seeded job on the GPU")
        .contains("## Correctness: fp32 kernel")
        .contains("| within |")
        .contains("## GPU: int8_gemm_mma, best of 1")
        .contains("| NVIDIA H200 (emulated) | int8_gemm_mma | 128 |")
        .contains("| NVIDIA H200 (emulated) | int8_gemm_dp4a | 128 |")
        .contains("1979 TOPS")
        .contains("## GPU: seeded job from seed to output root")
        .contains("| int8-gemm-64 |")
        .doesNotContain("DIFFERENT")
        .doesNotContain("broke")
        .contains("result: ok");
  }

  @Test
  void aBrokenSectionIsReportedAndTheRestStillRuns() {
    assumeThat(EmulatedDevice.unavailable()).as("device emulator").isNull();
    GpuInfo old = new GpuInfo(0, "emulated sm_75", 16_000, "7.5", 40, 1590);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // A device whose fp32 module did not load: that section says so, the others pass.
    GpuBenchMain bench =
        new GpuBenchMain(
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            forced ->
                new CudaBackend(
                    EmulatedDevice.start(
                        EmulatedDevice.MODES.get(0), java.util.List.of("int8_gemm_dp4a")),
                    old,
                    "12.4",
                    75,
                    65_536,
                    Map.of(),
                    forced));
    int code =
        bench.run(
            new String[] {
              "--check",
              "64",
              "--shapes",
              "",
              "--gpu-sizes",
              "64",
              "--seeded-sizes",
              "",
              "--cpu-sizes",
              "64",
              "--repeats",
              "1"
            });
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isEqualTo(1);
    assertThat(out)
        .contains("int8 kernel: int8_gemm_dp4a (dp4a kernel: sm_75 has no int8 mma.sync")
        .contains(CudaBackend.NO_FP32)
        .contains("| 64 x 64 x 64 | seeded | equal |")
        .contains("| emulated sm_75 | int8_gemm_dp4a | 64 |")
        .contains("| int8-gemm-64 |")
        .contains("result: FAILED (exit 1)");
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
    assertThat(GpuBenchMain.sides("8192,16384")).containsExactly(8192, 16384);
    assertThatThrownBy(() -> GpuBenchMain.sides("32768"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(GpuBenchMain.shapes("37x300x70")).isDeepEqualTo(new int[][] {{37, 300, 70}});
    assertThatThrownBy(() -> GpuBenchMain.shapes("1x131072x1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
