package io.peerz.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.ledger.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The committed PTX is the one generated from the committed CUDA source, and drivers take it. */
class KernelPtxTest {
  private static final Path SOURCE = Path.of("src/main/cuda/int8_gemm.cu");

  private static String ptx() {
    return new String(CudaBackend.ptx(), StandardCharsets.US_ASCII);
  }

  @Test
  void ptxDeclaresTheKernelEntryWithItsFourParameters() {
    String ptx = ptx();
    assertThat(ptx).contains(".visible .entry " + CudaBackend.KERNEL_ENTRY + "(");
    assertThat(ptx)
        .contains(CudaBackend.KERNEL_ENTRY + "_param_0")
        .contains(CudaBackend.KERNEL_ENTRY + "_param_3")
        .doesNotContain(CudaBackend.KERNEL_ENTRY + "_param_4");
    // 16 x 16 threads per block, as CudaBackend launches it.
    assertThat(ptx).contains(".maxntid 256, 1, 1");
  }

  @Test
  void ptxUsesDp4aOnSignedBytes() {
    assertThat(ptx()).contains("dp4a.s32.s32").doesNotContain("dp4a.u32");
  }

  @Test
  void ptxTargetsAVersionEveryCuda12And13DriverAccepts() {
    String ptx = ptx();
    Matcher version = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)$").matcher(ptx);
    assertThat(version.find()).as(".version line").isTrue();
    int isa = Integer.parseInt(version.group(1)) * 10 + Integer.parseInt(version.group(2));
    // PTX ISA 8.0 came with CUDA 12.0: anything up to it loads on every CUDA 12.x and 13.x driver.
    assertThat(isa).isLessThanOrEqualTo(80);
    Matcher target = Pattern.compile("(?m)^\\.target sm_(\\d+)$").matcher(ptx);
    assertThat(target.find()).as(".target line").isTrue();
    // dp4a needs sm_61; H100 / H200 are sm_90, which JIT-compiles any lower target.
    assertThat(Integer.parseInt(target.group(1))).isBetween(61, 90);
    assertThat(ptx).contains(".address_size 64");
  }

  @Test
  void ptxWasGeneratedFromTheCommittedSource() throws Exception {
    // regenerate-ptx.sh stamps the source's SHA-256; editing the .cu without regenerating fails.
    byte[] source = Files.readAllBytes(SOURCE);
    String sha = Hex.encode(MessageDigest.getInstance("SHA-256").digest(source));
    assertThat(ptx()).contains("// source sha256: " + sha);
    assertThat(new String(source, StandardCharsets.UTF_8))
        .contains("extern \"C\" __global__")
        .contains(CudaBackend.KERNEL_ENTRY)
        .contains("__dp4a")
        .contains("#define TILE " + CudaBackend.TILE);
  }

  @Test
  void theRegenerationCommandSitsBesideTheSource() throws Exception {
    String script = Files.readString(SOURCE.resolveSibling("regenerate-ptx.sh"));
    assertThat(script).contains("nvcc -ptx -arch=compute_75").contains("int8_gemm.cu");
  }
}
