package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.peerz.attest.Activation;
import io.peerz.attest.Challenge;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.FloatRowCheck;
import io.peerz.attest.Fp32GemmInputs;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.QuantizedLayer;
import io.peerz.attest.Workload;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend with its kernels run on the CPU by the device emulator (EmulatedDevice): the
 * host side's padding, panels, transposes and launches, and the kernels' fragment layouts,
 * pipelines and hashing, against CpuGemm, GemmInputs and OutputCommitment, at square and ragged
 * shapes, under every scheduling mode of the emulator. Needs g++ (CI has it); elsewhere the tests
 * are skipped with that reason, and in CI a missing g++ fails them.
 */
class CudaBackendOnCpuTest {
  private static final GpuInfo H200 = new GpuInfo(0, "emulated H200", 143_771, "9.0", 132, 1980);

  @BeforeAll
  static void compiler() {
    String why = EmulatedDevice.unavailable();
    if (why != null && System.getenv("CI") != null) {
      throw new IllegalStateException("CI must be able to build the device emulator: " + why);
    }
    assumeThat(why).as("device emulator: %s", why).isNull();
  }

  private static CudaBackend backend(
      EmulatedDevice.Mode mode, int capability, int sharedOptIn, CudaBackend.Int8Kernel forced) {
    return new CudaBackend(
        EmulatedDevice.start(mode), H200, "13.0", capability, sharedOptIn, Map.of(), forced);
  }

  private static CudaBackend h200(EmulatedDevice.Mode mode) {
    return backend(mode, 90, 232_448, null);
  }

  @Test
  void tensorCoreKernelEqualsCpuGemmAtSquareAndRaggedShapesInEveryMode() {
    SplittableRandom random = new SplittableRandom(31);
    int[][] shapes = {{128, 128, 256}, {37, 300, 70}, {1, 1, 1}, {200, 129, 513}, {129, 384, 257}};
    for (EmulatedDevice.Mode mode : EmulatedDevice.MODES) {
      try (CudaBackend gpu = h200(mode)) {
        assertThat(gpu.kernelEntry()).isEqualTo("int8_gemm_mma");
        for (int[] s : shapes) {
          byte[] a = CpuBackendTest.random(random, s[0] * s[1]);
          byte[] b = CpuBackendTest.random(random, s[1] * s[2]);
          assertThat(gpu.multiply(s[0], s[1], s[2], a, b))
              .as("%dx%dx%d, %s", s[0], s[1], s[2], mode)
              .isEqualTo(CpuGemm.multiply(s[0], s[1], s[2], a, b));
        }
      }
    }
  }

  @Test
  void tensorCoreKernelIsExactOnExtremeInputsAndAcrossPanels() {
    try (CudaBackend gpu = h200(EmulatedDevice.MODES.get(3))) {
      // -128 x -128 everywhere: every entry is k x 2^14, the largest magnitude there is.
      int k = 640;
      byte[] a = CpuBackendTest.filled(130 * k, -128);
      byte[] b = CpuBackendTest.filled(k * 70, -128);
      assertThat(gpu.multiply(130, k, 70, a, b)).containsOnly(k << 14);
      byte[] plus = CpuBackendTest.filled(k * 70, 127);
      assertThat(gpu.multiply(130, k, 70, a, plus)).containsOnly(-128 * 127 * k);
      // More rows than one panel: A goes up and C comes down in PANEL_ROWS pieces.
      SplittableRandom random = new SplittableRandom(32);
      int m = CudaBackend.PANEL_ROWS + 77;
      byte[] ta = CpuBackendTest.random(random, m * 40);
      byte[] tb = CpuBackendTest.random(random, 40 * 9);
      assertThat(gpu.multiply(m, 40, 9, ta, tb)).isEqualTo(CpuGemm.multiply(m, 40, 9, ta, tb));
      // The square entry point, and the same buffers reused for a smaller job after a larger one.
      GemmInputs in = GemmInputs.generate(new Workload(192), new byte[32], 7);
      assertThat(gpu.multiply(192, in.a(), in.b())).isEqualTo(CpuGemm.multiply(in));
    }
  }

  @Test
  void twoStageTensorCoreKernelAndDp4aKernelEqualCpuGemm() {
    SplittableRandom random = new SplittableRandom(33);
    int[][] shapes = {{100, 300, 260}, {128, 256, 128}, {5, 7, 3}};
    try (CudaBackend twoStage = backend(EmulatedDevice.MODES.get(1), 89, 101_376, null);
        CudaBackend dp4a = backend(EmulatedDevice.MODES.get(2), 75, 65_536, null)) {
      assertThat(twoStage.kernelEntry()).isEqualTo("int8_gemm_mma_2stage");
      assertThat(dp4a.kernel()).isEqualTo(CudaBackend.Int8Kernel.DP4A);
      for (int[] s : shapes) {
        byte[] a = CpuBackendTest.random(random, s[0] * s[1]);
        byte[] b = CpuBackendTest.random(random, s[1] * s[2]);
        int[] want = CpuGemm.multiply(s[0], s[1], s[2], a, b);
        assertThat(twoStage.multiply(s[0], s[1], s[2], a, b)).as("2 stages").isEqualTo(want);
        assertThat(dp4a.multiply(s[0], s[1], s[2], a, b)).as("dp4a").isEqualTo(want);
      }
    }
  }

  @Test
  void seededJobOnTheDeviceGivesGemmInputsProductAndOutputCommitmentsTree() throws Exception {
    byte[] seed = new byte[GemmInputs.SEED_LENGTH];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = (byte) (i * 7 + 1);
    }
    // 320 and 192 rows: leaf counts that are not powers of two, and sides the tiles pad.
    for (int n : new int[] {64, 320, 192}) {
      long jobId = 1_000_000_007L * n;
      try (CudaBackend gpu = h200(EmulatedDevice.MODES.get(n % 4))) {
        SeededProduct product = gpu.seeded(n, seed, jobId);
        int[] want = CpuGemm.multiply(GemmInputs.generate(new Workload(n), seed, jobId));
        OutputCommitment commitment = OutputCommitment.of(n, want);
        assertThat(product.root()).as("root, n=%d", n).isEqualTo(commitment.root());
        for (int row : new int[] {0, 1, n / 2, n - 1}) {
          assertThat(product.rowBytes(row)).isEqualTo(commitment.rowBytes(row));
          assertThat(product.leaf(row)).isEqualTo(leafHash(row, commitment.rowBytes(row)));
        }
      }
    }
  }

  @Test
  void seededOutputRunsOnTheDeviceWithTheHostsRootAndRevealsEvenAfterAnotherJob() {
    byte[] seed = new byte[GemmInputs.SEED_LENGTH];
    Arrays.fill(seed, (byte) 0x5A);
    Workload w = new Workload(192);
    long jobId = 41;
    OutputCommitment host =
        OutputCommitment.of(192, CpuGemm.multiply(GemmInputs.generate(w, seed, jobId)));
    Challenge challenge = Challenge.derive(new byte[32], jobId, w, 8);
    EmulatedDevice emulated = EmulatedDevice.start(EmulatedDevice.MODES.get(1));
    try (CudaBackend gpu = new CudaBackend(emulated, H200, "13.0", 90, 232_448, Map.of(), null);
        CudaBackend dp4a = backend(EmulatedDevice.MODES.get(0), 75, 65_536, null)) {
      OutputCommitment device = gpu.seededOutput(w, seed, jobId);
      assertThat(emulated.launches("gen_seeded_i8"))
          .as("A and B generated on the device")
          .isEqualTo(2);
      assertThat(emulated.launches("merkle_root")).as("the root hashed there").isEqualTo(1);
      assertThat(device.root()).isEqualTo(host.root());
      assertThat(device.reveal(challenge)).isEqualTo(host.reveal(challenge));
      // Another product replaced C on the device: the rows are recomputed on the host.
      gpu.multiply(1, 1, 1, new byte[] {2}, new byte[] {3});
      assertThat(device.reveal(challenge)).isEqualTo(host.reveal(challenge));
      // dp4a: the seeded kernels need the tensor-core kernel, so the host's inputs are used.
      assertThat(dp4a.seededOutput(w, seed, jobId).root()).isEqualTo(host.root());
    }
  }

  /** A random valid layer: weights in -127..127, shifts both ways, nonzero zero points. */
  private static QuantizedLayer randomLayer(
      SplittableRandom random, int in, int out, boolean perChannel, Activation activation) {
    byte[] weight = new byte[in * out];
    for (int i = 0; i < weight.length; i++) {
      weight[i] = (byte) random.nextInt(-127, 128);
    }
    int channels = perChannel ? out : 1;
    int[] bias = random.ints(out, -50_000, 50_000).toArray();
    int[] multiplier = random.ints(channels, 1 << 30, Integer.MAX_VALUE).toArray();
    int[] shift = random.ints(channels, -20, 5).toArray();
    multiplier[0] = Integer.MAX_VALUE; // the largest mantissa, and the ties of a shift of -1
    shift[0] = -1;
    return new QuantizedLayer(
        in, out, weight, bias, multiplier, shift, random.nextInt(-128, 128), -3, activation);
  }

  @Test
  void layerEpilogueOnTheDeviceEqualsQuantizedLayerForwardByteForByte() {
    SplittableRandom random = new SplittableRandom(35);
    EmulatedDevice emulated = EmulatedDevice.start(EmulatedDevice.MODES.get(2));
    try (CudaBackend gpu = new CudaBackend(emulated, H200, "13.0", 90, 232_448, Map.of(), null);
        CudaBackend dp4a = backend(EmulatedDevice.MODES.get(3), 75, 65_536, null)) {
      int[][] shapes = {{7, 40, 13}, {1, 300, 70}, {130, 33, 9}};
      for (int[] s : shapes) {
        for (boolean perChannel : new boolean[] {false, true}) {
          Activation act = perChannel ? Activation.RELU : Activation.NONE;
          QuantizedLayer layer = randomLayer(random, s[1], s[2], perChannel, act);
          byte[] x = CpuBackendTest.random(random, s[0] * s[1]);
          QuantizedLayer.Result want = layer.forward(s[0], x, CpuGemm::multiply);
          for (CudaBackend backend : new CudaBackend[] {gpu, dp4a}) {
            QuantizedLayer.Result got = backend.layer(layer, s[0], x);
            String what =
                Arrays.toString(s) + " per channel " + perChannel + " " + backend.kernel();
            assertThat(got.accumulators()).as(what).isEqualTo(want.accumulators());
            assertThat(got.outputs()).as(what).isEqualTo(want.outputs());
          }
        }
      }
      assertThat(emulated.launches("requantize_i8"))
          .as("the epilogue ran on the device")
          .isEqualTo(6);
    }
  }

  @Test
  void seededRowsCannotBeReadAfterAnotherJob() {
    try (CudaBackend gpu = h200(EmulatedDevice.MODES.get(0))) {
      SeededProduct first = gpu.seeded(64, new byte[32], 1);
      gpu.multiply(1, 1, 1, new byte[] {2}, new byte[] {3});
      assertThatThrownBy(() -> first.rowBytes(0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("another job");
      assertThatThrownBy(() -> gpu.seeded(96, new byte[32], 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("multiple of 64");
    }
  }

  @Test
  void fp32KernelIsWithinTheWorkloadsToleranceOfTheCpu() {
    try (CudaBackend gpu = h200(EmulatedDevice.MODES.get(0))) {
      assertThat(gpu.supportsFloat()).isTrue();
      for (int n : new int[] {64, 200}) {
        Fp32GemmInputs in =
            n % 64 == 0
                ? Fp32GemmInputs.generate(new Workload(Workload.Kind.FP32, n), new byte[32], 9)
                : null;
        float[] a = in != null ? in.a() : randomFloats(n * n, 41);
        float[] b = in != null ? in.b() : randomFloats(n * n, 42);
        float[] c = gpu.multiplyFloat(n, a, b);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
          rows[i] = Arrays.copyOfRange(a, i * n, (i + 1) * n);
        }
        FloatRowCheck.Rows check = FloatRowCheck.recompute(n, rows, b);
        double worst = 0;
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) {
            double diff = Math.abs((double) c[i * n + j] - check.values()[i][j]);
            worst = Math.max(worst, diff / check.tolerances()[i][j]);
          }
        }
        assertThat(worst).as("largest |gpu - cpu| / tolerance, n=%d", n).isLessThan(0.1);
      }
    }
  }

  @Test
  void kernelChoiceFollowsTheDevice() {
    Map<String, String> none = Map.of();
    assertThat(CudaBackend.choose(90, 232_448, true, none, null).entry())
        .isEqualTo("int8_gemm_mma");
    assertThat(CudaBackend.choose(80, 166_912, true, none, null).entry())
        .isEqualTo("int8_gemm_mma");
    assertThat(CudaBackend.choose(89, 101_376, true, none, null).entry())
        .isEqualTo("int8_gemm_mma_2stage");
    CudaBackend.KernelChoice turing = CudaBackend.choose(75, 65_536, false, none, null);
    assertThat(turing.kernel()).isEqualTo(CudaBackend.Int8Kernel.DP4A);
    assertThat(turing.reason()).contains("sm_75").contains("sm_80");
    CudaBackend.KernelChoice failed =
        CudaBackend.choose(90, 232_448, false, Map.of("int8_gemm_mma.ptx", "JIT said no"), null);
    assertThat(failed.kernel()).isEqualTo(CudaBackend.Int8Kernel.DP4A);
    assertThat(failed.reason()).contains("JIT said no");
    assertThat(CudaBackend.choose(90, 232_448, true, none, CudaBackend.Int8Kernel.DP4A).kernel())
        .isEqualTo(CudaBackend.Int8Kernel.DP4A);
    assertThatThrownBy(
            () -> CudaBackend.choose(75, 65_536, false, none, CudaBackend.Int8Kernel.MMA))
        .isInstanceOf(GpuException.class)
        .hasMessageContaining("sm_75");
  }

  @Test
  void refusesAnInnerDimensionBeyondTheLargestExactOne() {
    try (CudaBackend gpu = h200(EmulatedDevice.MODES.get(0))) {
      int k = CpuGemm.MAX_INNER + 1;
      assertThatThrownBy(() -> gpu.multiply(1, k, 1, new byte[k], new byte[k]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("131071");
    }
  }

  /** SHA-256(0x00 || row (u32 BE) || row bytes), docs/attestation.md "Output commitment". */
  private static byte[] leafHash(int row, byte[] bytes) throws Exception {
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    sha.update(
        new byte[] {0, (byte) (row >>> 24), (byte) (row >>> 16), (byte) (row >>> 8), (byte) row});
    return sha.digest(bytes);
  }

  private static float[] randomFloats(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return out;
  }
}
