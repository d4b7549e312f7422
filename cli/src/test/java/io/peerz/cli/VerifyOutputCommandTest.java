package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.Workload;
import io.peerz.ledger.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyOutputCommandTest {
  private static final String SEED = "0x" + "2a".repeat(32);

  @TempDir Path dir;

  private static CliRun run(String command, Path file, String... extra) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of("--workload", "int8-gemm-128", "--seed", SEED, "--job-id", "7"));
    if (command.equals("run-workload")) {
      args.addAll(List.of("--out", file.toString(), "--backend", "cpu"));
    } else {
      args.add(file.toString());
    }
    args.addAll(List.of(extra));
    return CliRun.run(args.toArray(String[]::new));
  }

  private Path written() {
    Path f = dir.resolve("c.bin");
    CliRun w = run("run-workload", f);
    assertThat(w.exitCode()).as(w.err()).isZero();
    return f;
  }

  @Test
  void runWorkloadWritesTheReferenceProductAndItsRoot() throws Exception {
    Path f = written();
    GemmInputs in = GemmInputs.generate(new Workload(128), Hex.decode(SEED), 7);
    int[] c = CpuGemm.multiply(in);
    assertThat(Files.size(f)).isEqualTo(4L * 128 * 128);
    String root = Hex.encode(OutputCommitment.of(128, c).root());
    CliRun again = run("run-workload", dir.resolve("d.bin"), "-o", "json");
    JsonNode j = Json.parse(again.out().getBytes(StandardCharsets.UTF_8), "run-workload");
    assertThat(j.at("/output_root").asText()).isEqualTo(root);
    assertThat(j.at("/backend").asText()).isEqualTo("cpu");
    assertThat(Files.readAllBytes(dir.resolve("d.bin"))).isEqualTo(Files.readAllBytes(f));
  }

  @Test
  void acceptsTheCorrectOutput() {
    Path f = written();
    CliRun v = run("verify-output", f);
    assertThat(v.exitCode()).as(v.out() + v.err()).isZero();
    assertThat(v.out()).startsWith("accept: ").contains("4 Freivalds rounds");
  }

  @Test
  void rejectsAnOutputWithOneEntryChanged() throws Exception {
    Path f = written();
    byte[] bytes = Files.readAllBytes(f);
    bytes[4 * (57 * 128 + 3)] ^= 1; // entry (57, 3) off by one
    Files.write(f, bytes);

    CliRun v = run("verify-output", f, "-o", "json");

    assertThat(v.exitCode()).isEqualTo(1);
    JsonNode j = Json.parse(v.out().getBytes(StandardCharsets.UTF_8), "verify-output");
    assertThat(j.at("/verdict").asText()).isEqualTo("reject");
    assertThat(j.at("/reason").asText()).contains("Freivalds");
  }

  @Test
  void rejectsTheRightProductOfOtherInputs() {
    Path f = written();
    CliRun v =
        CliRun.run(
            "verify-output",
            "--workload",
            "int8-gemm-128",
            "--seed",
            SEED,
            "--job-id",
            "8",
            f.toString());
    assertThat(v.exitCode()).isEqualTo(1);
    assertThat(v.out()).startsWith("reject: ");
  }

  @Test
  void rejectsARootThatDiffersFromTheExpectedOne() {
    Path f = written();
    CliRun v = run("verify-output", f, "--root", "00".repeat(32));
    assertThat(v.exitCode()).isEqualTo(1);
    assertThat(v.out()).contains("differs from --root");
  }

  @Test
  void aFixedFreivaldsSeedGivesTheSameVerdict() {
    Path f = written();
    CliRun v = run("verify-output", f, "--freivalds-seed", "11".repeat(32), "--rounds", "1");
    assertThat(v.exitCode()).isZero();
    assertThat(v.out()).contains("1 Freivalds rounds").contains("2^-16");
  }

  @Test
  void aFileOfTheWrongSizeIsAnError() throws Exception {
    Path f = dir.resolve("short.bin");
    Files.write(f, new byte[100]);
    CliRun v = run("verify-output", f);
    assertThat(v.exitCode()).isEqualTo(1);
    assertThat(v.err()).contains("holds 100 bytes").contains("65536");
  }

  @Test
  void aShortSeedIsRefused() {
    CliRun v =
        CliRun.run(
            "verify-output",
            "--workload",
            "int8-gemm-128",
            "--seed",
            "abcd",
            "--job-id",
            "1",
            dir.resolve("x").toString());
    assertThat(v.exitCode()).isEqualTo(1);
    assertThat(v.err()).contains("--seed must be 32 bytes");
  }

  @Test
  void runWorkloadWritesAnFp32OutputAsFloatBitsAndVerifyOutputSaysItCannotCheckIt()
      throws Exception {
    Path f = dir.resolve("f.bin");
    CliRun w =
        CliRun.run(
            "run-workload",
            "--workload",
            "fp32-gemm-64",
            "--seed",
            SEED,
            "--job-id",
            "7",
            "--out",
            f.toString(),
            "--backend",
            "cpu",
            "-o",
            "json");
    assertThat(w.exitCode()).as(w.err()).isZero();
    float[] c =
        CpuGemm.multiply(
            io.peerz.attest.Fp32GemmInputs.generate(
                new Workload(Workload.Kind.FP32, 64), Hex.decode(SEED), 7));
    JsonNode j = Json.parse(w.out().getBytes(StandardCharsets.UTF_8), "run-workload");
    assertThat(j.at("/output_root").asText())
        .isEqualTo(Hex.encode(OutputCommitment.ofFloats(64, c).root()));
    java.nio.ByteBuffer expected =
        java.nio.ByteBuffer.allocate(4 * c.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    expected.asFloatBuffer().put(c);
    assertThat(Files.readAllBytes(f)).isEqualTo(expected.array());

    CliRun v =
        CliRun.run(
            "verify-output",
            "--workload",
            "fp32-gemm-64",
            "--seed",
            SEED,
            "--job-id",
            "7",
            f.toString());
    assertThat(v.exitCode()).isNotZero();
    assertThat(v.err()).contains("fp32-gemm-64 outputs have no whole-output check");
  }
}
