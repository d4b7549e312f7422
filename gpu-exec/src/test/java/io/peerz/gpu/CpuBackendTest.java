package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.attest.CpuGemm;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.Workload;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CpuBackendTest {

  static byte[] random(SplittableRandom random, int length) {
    byte[] m = new byte[length];
    for (int i = 0; i < length; i++) {
      m[i] = (byte) random.nextInt(256);
    }
    return m;
  }

  static byte[] filled(int length, int value) {
    byte[] m = new byte[length];
    Arrays.fill(m, (byte) value);
    return m;
  }

  @Test
  void equalsCpuGemmOnRandomInputsAtSeveralSizes() {
    SplittableRandom random = new SplittableRandom(4);
    try (CpuBackend cpu = new CpuBackend()) {
      for (int n : new int[] {1, 7, 64, 129, 200, 512}) {
        byte[] a = random(random, n * n);
        byte[] b = random(random, n * n);
        assertThat(cpu.multiply(n, a, b)).as("n=%d", n).isEqualTo(CpuGemm.multiply(n, a, b));
      }
    }
  }

  @Test
  void rectangularProductsEqualCpuGemm() {
    SplittableRandom random = new SplittableRandom(5);
    try (CpuBackend cpu = new CpuBackend(2)) {
      for (int[] s : new int[][] {{1, 1, 1}, {5, 300, 7}, {130, 64, 33}, {64, 768, 512}}) {
        byte[] a = random(random, s[0] * s[1]);
        byte[] b = random(random, s[1] * s[2]);
        assertThat(cpu.multiply(s[0], s[1], s[2], a, b))
            .as("%dx%dx%d", s[0], s[1], s[2])
            .isEqualTo(CpuGemm.multiply(s[0], s[1], s[2], a, b));
      }
    }
  }

  @Test
  void equalsCpuGemmOnExtremeInputs() {
    int n = 384;
    try (CpuBackend cpu = new CpuBackend(3)) {
      for (int[] ab : new int[][] {{-128, -128}, {-128, 127}, {127, 127}, {0, -128}}) {
        byte[] a = filled(n * n, ab[0]);
        byte[] b = filled(n * n, ab[1]);
        int[] c = cpu.multiply(n, a, b);
        assertThat(c).as("%d x %d", ab[0], ab[1]).isEqualTo(CpuGemm.multiply(n, a, b));
        assertThat(c).containsOnly(ab[0] * ab[1] * n);
      }
    }
  }

  @Test
  void equalsCpuGemmOnASeededWorkload() {
    GemmInputs in = GemmInputs.generate(new Workload(256), new byte[32], 9);
    try (CpuBackend cpu = new CpuBackend(2)) {
      assertThat(cpu.multiply(256, in.a(), in.b())).isEqualTo(CpuGemm.multiply(in));
    }
  }

  @Test
  void runsOnAPoolOfOneThreadPerCore() {
    try (CpuBackend cpu = new CpuBackend()) {
      assertThat(cpu.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(cpu.name()).isEqualTo("cpu");
    }
    assertThatThrownBy(() -> new CpuBackend(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesBadShapesLikeCpuGemm() {
    try (CpuBackend cpu = new CpuBackend(1)) {
      assertThatThrownBy(() -> cpu.multiply(4, new byte[16], new byte[15]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("n*n = 16");
      assertThatThrownBy(() -> cpu.multiply(0, new byte[0], new byte[0]))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aClosedBackendRefusesWork() {
    CpuBackend cpu = new CpuBackend(1);
    cpu.close();
    assertThatThrownBy(() -> cpu.multiply(1, new byte[1], new byte[1]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void floatProductEqualsCpuGemm() {
    Workload w = new Workload(Workload.Kind.FP32, 192);
    io.peerz.attest.Fp32GemmInputs in = io.peerz.attest.Fp32GemmInputs.generate(w, new byte[32], 3);
    try (CpuBackend cpu = new CpuBackend(2)) {
      assertThat(cpu.supportsFloat()).isTrue();
      assertThat(cpu.multiplyFloat(192, in.a(), in.b())).isEqualTo(CpuGemm.multiply(in));
      assertThatThrownBy(() -> cpu.multiplyFloat(64, new float[64 * 64], new float[5]))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
