package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.peerz.attest.CpuGemm;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.Workload;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend against CpuGemm, entry for entry. Needs an NVIDIA GPU and driver; without them
 * every test here is skipped with the reason the driver gave (the one skip in this module).
 */
class CudaBackendTest {
  private static CudaBackend cuda;
  private static String unavailable;

  @BeforeAll
  static void open() {
    try {
      cuda = CudaBackend.open(0);
    } catch (GpuException e) {
      unavailable = e.getMessage();
    }
  }

  @AfterAll
  static void close() {
    if (cuda != null) {
      cuda.close();
    }
  }

  private static CudaBackend gpu() {
    assumeThat(cuda).as("no CUDA device: %s", unavailable).isNotNull();
    return cuda;
  }

  @Test
  void equalsCpuGemmOnSeededWorkloads() {
    CudaBackend gpu = gpu();
    for (int n : new int[] {64, 320, 1024}) {
      GemmInputs in = GemmInputs.generate(new Workload(n), new byte[32], 5);
      assertThat(gpu.multiply(n, in.a(), in.b())).as("n=%d", n).isEqualTo(CpuGemm.multiply(in));
    }
  }

  @Test
  void equalsCpuGemmOnRandomAndExtremeInputsIncludingUnpaddedSides() {
    CudaBackend gpu = gpu();
    SplittableRandom random = new SplittableRandom(11);
    for (int n : new int[] {1, 100, 128, 257}) {
      byte[] a = CpuBackendTest.random(random, n * n);
      byte[] b = CpuBackendTest.random(random, n * n);
      assertThat(gpu.multiply(n, a, b)).as("random n=%d", n).isEqualTo(CpuGemm.multiply(n, a, b));
    }
    int n = Workload.MAX_N;
    byte[] all = CpuBackendTest.filled(n * n, -128);
    assertThat(gpu.multiply(n, all, all)).containsOnly(1 << 26);
    byte[] plus = CpuBackendTest.filled(n * n, 127);
    assertThat(gpu.multiply(n, all, plus)).containsOnly(-128 * 127 * n);
  }

  @Test
  void rectangularProductsEqualCpuGemm() {
    CudaBackend gpu = gpu();
    SplittableRandom random = new SplittableRandom(13);
    for (int[] s : new int[][] {{1, 1, 1}, {5, 300, 7}, {1024, 768, 512}, {130, 64, 33}}) {
      byte[] a = CpuBackendTest.random(random, s[0] * s[1]);
      byte[] b = CpuBackendTest.random(random, s[1] * s[2]);
      assertThat(gpu.multiply(s[0], s[1], s[2], a, b))
          .as("%dx%dx%d", s[0], s[1], s[2])
          .isEqualTo(CpuGemm.multiply(s[0], s[1], s[2], a, b));
    }
  }

  @Test
  void seededJobOnTheGpuGivesTheCpusRoot() {
    CudaBackend gpu = gpu();
    assumeThat(gpu.kernel())
        .as("seeded jobs need the tensor-core kernel")
        .isEqualTo(CudaBackend.Int8Kernel.MMA);
    for (int n : new int[] {64, 320, 1024}) {
      GemmInputs in = GemmInputs.generate(new Workload(n), new byte[32], 6);
      io.peerz.attest.OutputCommitment want =
          io.peerz.attest.OutputCommitment.of(n, CpuGemm.multiply(in));
      SeededProduct got = gpu.seeded(n, new byte[32], 6);
      assertThat(got.root()).as("n=%d", n).isEqualTo(want.root());
      assertThat(got.rowBytes(n - 1)).isEqualTo(want.rowBytes(n - 1));
    }
  }

  @Test
  void fp32ProductIsWithinToleranceOfTheCpus() {
    CudaBackend gpu = gpu();
    int n = 256;
    io.peerz.attest.Fp32GemmInputs in =
        io.peerz.attest.Fp32GemmInputs.generate(
            new Workload(Workload.Kind.FP32, n), new byte[32], 4);
    float[] a = in.a();
    float[] b = in.b();
    float[] c = gpu.multiplyFloat(n, a, b);
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = java.util.Arrays.copyOfRange(a, i * n, (i + 1) * n);
    }
    io.peerz.attest.FloatRowCheck.Rows check = io.peerz.attest.FloatRowCheck.recompute(n, rows, b);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        assertThat(Math.abs((double) c[i * n + j] - check.values()[i][j]))
            .isLessThanOrEqualTo(check.tolerances()[i][j]);
      }
    }
  }

  @Test
  void reportsTheDeviceAndTheKernelTime() {
    CudaBackend gpu = gpu();
    assertThat(gpu.device().vramMib()).isPositive();
    assertThat(gpu.device().computeCapability()).matches("\\d+\\.\\d+");
    CudaBackend.Run run = gpu.run(256, new byte[256 * 256], new byte[256 * 256]);
    assertThat(run.c()).containsOnly(0);
    assertThat(run.kernelMillis()).isPositive();
  }
}
