package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX modules are the ones generated from the committed CUDA sources, declare the
 * entries the backend launches, use the instructions the design says (tensor cores for int8 on
 * sm_80, plain FP32 fused multiply-adds for fp32, never TF32), and carry a PTX ISA version every
 * CUDA 12 and 13 driver reads. (CI also regenerates them with the pinned nvcc and assembles them
 * with ptxas: regenerate-ptx.sh --check.)
 */
class KernelPtxTest {
  private static final Path SOURCES = Path.of("src/main/cuda");

  private static String ptx(String resource) {
    return new String(CudaDevice.ptx(resource), StandardCharsets.US_ASCII);
  }

  @Test
  void everyModuleRecordsTheHashesOfTheSourcesItCameFrom() throws Exception {
    for (CudaDevice.Module m : CudaDevice.MODULES) {
      String ptx = ptx(m.resource());
      String source = m.resource().replace(".ptx", ".cu");
      List<String> files = new ArrayList<>(List.of(source));
      Matcher include =
          Pattern.compile("(?m)^#include \"([^\"]+)\"$")
              .matcher(Files.readString(SOURCES.resolve(source)));
      while (include.find()) {
        files.add(include.group(1));
      }
      for (String f : files) {
        byte[] bytes = Files.readAllBytes(SOURCES.resolve(f));
        String sha = Hex.encode(MessageDigest.getInstance("SHA-256").digest(bytes));
        // Editing a source without running regenerate-ptx.sh fails here.
        assertThat(ptx).as(m.resource()).contains("// source sha256: " + f + " " + sha);
      }
    }
  }

  @Test
  void everyModuleTargetsAnIsaEveryCuda12And13DriverAccepts() {
    for (CudaDevice.Module m : CudaDevice.MODULES) {
      String ptx = ptx(m.resource());
      Matcher version = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)$").matcher(ptx);
      assertThat(version.find()).as(".version line of %s", m.resource()).isTrue();
      int isa = Integer.parseInt(version.group(1)) * 10 + Integer.parseInt(version.group(2));
      assertThat(isa).as(m.resource()).isLessThanOrEqualTo(80);
      Matcher target = Pattern.compile("(?m)^\\.target sm_(\\d+)$").matcher(ptx);
      assertThat(target.find()).isTrue();
      // The module loads on GPUs from its target on; the backend loads it only from there.
      assertThat(Integer.parseInt(target.group(1)))
          .as(m.resource())
          .isLessThanOrEqualTo(Math.max(75, m.minCapability()));
      assertThat(ptx).contains(".address_size 64");
    }
  }

  @Test
  void theTensorCoreModuleUsesInt8MmaFedByLdmatrixAndCpAsync() {
    String ptx = ptx("int8_gemm_mma.ptx");
    assertThat(CudaDevice.entries("int8_gemm_mma.ptx"))
        .containsExactlyInAnyOrder("int8_gemm_mma", "int8_gemm_mma_2stage", "transpose_pad_i8");
    assertThat(ptx)
        .contains("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32")
        .contains("ldmatrix.sync.aligned.m8n8.x4.shared.b16")
        .contains("cp.async.cg.shared.global")
        .contains("cp.async.wait_group 1")
        .doesNotContain("satfinite")
        .contains(".target sm_80");
    // 4 m-tiles x 8 n-tiles x 4 k-steps per stage, in each of the two entries.
    assertThat(count(ptx, "mma.sync.aligned")).isEqualTo(2 * 4 * 8 * 4);
  }

  @Test
  void theFp32ModuleUsesPlainFp32FusedMultiplyAddsOnly() {
    String ptx = ptx("fp32_gemm.ptx");
    assertThat(CudaDevice.entries("fp32_gemm.ptx")).containsExactly("fp32_gemm");
    assertThat(ptx).contains("fma.rn.f32").doesNotContain("tf32").doesNotContain("mma");
  }

  @Test
  void theDp4aAndSeededModulesDeclareTheirEntries() {
    assertThat(CudaDevice.entries("int8_gemm.ptx")).containsExactly("int8_gemm_dp4a");
    assertThat(ptx("int8_gemm.ptx")).contains("dp4a.s32.s32").doesNotContain("dp4a.u32");
    assertThat(CudaDevice.entries("seeded_job.ptx"))
        .containsExactlyInAnyOrder("gen_seeded_i8", "merkle_leaves", "merkle_root");
    assertThat(CudaDevice.entries("requantize.ptx")).containsExactly("requantize_i8");
  }

  @Test
  void theSourcesDefineTheTilesTheBackendPlansWith() throws Exception {
    String mma = Files.readString(SOURCES.resolve("int8_gemm_mma.cu"));
    assertThat(mma)
        .contains("#define MMA_BM " + CudaBackend.MMA_BM)
        .contains("#define MMA_BN " + CudaBackend.MMA_BN)
        .contains("#define MMA_BK " + CudaBackend.MMA_BK)
        .contains("#define TRANSPOSE_TILE 64");
    assertThat(Files.readString(SOURCES.resolve("int8_gemm.cu")))
        .contains("#define TILE " + CudaBackend.TILE);
    assertThat(Files.readString(SOURCES.resolve("fp32_gemm.cu")))
        .contains("#define FP32_TILE " + CudaBackend.TILE);
    String script = Files.readString(SOURCES.resolve("regenerate-ptx.sh"));
    for (CudaDevice.Module m : CudaDevice.MODULES) {
      assertThat(script).contains(m.resource().replace(".ptx", ".cu"));
    }
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int at = s.indexOf(what); at >= 0; at = s.indexOf(what, at + 1)) {
      n++;
    }
    return n;
  }
}
