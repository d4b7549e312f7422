package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.attest.Challenge;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.Fp32GemmInputs;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.Verdict;
import io.peerz.attest.Verifier;
import io.peerz.attest.Workload;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.Reveal;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorLoopTest {
  static final Workload W = new Workload(64);
  static final byte[] SEED = Sha256.hash(new byte[] {42});

  @TempDir Path dir;
  FakeExecutorNode node;
  final Ed25519KeyPair key = Ed25519KeyPair.fromSeed(Sha256.hash(new byte[] {7}));
  final StringWriter log = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    node = new FakeExecutorNode();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  ExecutorLoop loop(ExecutorLoop.Gemm gemm, int skipPpm) {
    return new ExecutorLoop(
        new RpcClient(URI.create(node.url()), Duration.ofSeconds(5)),
        key,
        gemm,
        skipPpm,
        new ExecutorState(dir.resolve("state.json")),
        new PrintWriter(log, true),
        Duration.ofMillis(10),
        Duration.ofSeconds(5));
  }

  static String job(String status, String kind, String blockHash, int rows) {
    return job(status, kind, blockHash, rows, "int8-gemm-64");
  }

  static String job(String status, String kind, String blockHash, int rows, String workload) {
    StringBuilder r = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      r.append(i == 0 ? "" : ",").append(i);
    }
    return "{\"jobs\":[{\"id\":\"7\",\"kind\":\""
        + kind
        + "\",\"status\":\""
        + status
        + "\",\"workload\":\""
        + workload
        + "\",\"input_seed\":\""
        + Hex.encodeUpper(SEED)
        + "\",\"assigned_height\":\"9\",\"subnet_id\":\"1\",\"node_id\":\"2\","
        + "\"challenge_block_hash\":\""
        + blockHash
        + "\",\"challenge_rows\":["
        + r
        + "]}]}";
  }

  TxBody lastBody() throws Exception {
    return Transactions.decode(node.broadcast.get(node.broadcast.size() - 1)).body();
  }

  @Test
  void commitsASignedAttestationOfTheExactOutputAndRecordsItFirst() throws Exception {
    node.jobsJson = job("assigned", "pool", "", 0);
    loop(ExecutorLoop.cpu(), 0).step();
    TxBody body = lastBody();
    assertThat(body.getSignerPubKey().toByteArray()).isEqualTo(key.publicKey());
    SignedAttestation signed =
        SignedAttestation.parseFrom(body.getCommitResult().getSignedAttestation());
    Verdict v = Verifier.checkAttestation(signed);
    assertThat(v.isValid()).isTrue();
    Attestation a = ((Verdict.Valid) v).attestation();
    assertThat(a.getJobId()).isEqualTo(7);
    assertThat(a.getNodeId()).isEqualTo(2);
    assertThat(a.getStartedHeight()).isGreaterThanOrEqualTo(9);
    assertThat(a.getWorkedMillis()).isPositive();
    int[] c = CpuGemm.multiply(GemmInputs.generate(W, SEED, 7));
    assertThat(a.getOutputRoot().toByteArray()).isEqualTo(OutputCommitment.of(64, c).root());
    assertThat(Files.readString(dir.resolve("state.json")))
        .contains("\"7\"")
        .contains(Hex.encode(signed.toByteArray()));
  }

  @Test
  void aRestartedExecutorResendsItsRecordedCommitWithoutRecomputing() throws Exception {
    node.jobsJson = job("assigned", "pool", "", 0);
    loop(ExecutorLoop.cpu(), 0).step();
    byte[] first = lastBody().getCommitResult().getSignedAttestation().toByteArray();
    ExecutorLoop restarted =
        loop(
            (n, a, b) -> {
              throw new AssertionError("a recorded commit is resent, not recomputed");
            },
            0);
    restarted.step();
    assertThat(node.broadcast).hasSize(2);
    assertThat(lastBody().getCommitResult().getSignedAttestation().toByteArray()).isEqualTo(first);
    // Asked again while the commit is pending, it does not send a third time.
    restarted.step();
    assertThat(node.broadcast).hasSize(2);
  }

  @Test
  void revealsTheChallengedRowsSoTheyVerifyAndAFaultyOneIsCaught() throws Exception {
    byte[] blockHash = Sha256.hash(new byte[] {1});
    for (int skip : new int[] {0, 1_000_000}) {
      node.broadcast.clear();
      node.jobsJson = job("assigned", "pool", "", 0);
      ExecutorLoop l = loop(ExecutorLoop.cpu(), skip);
      l.step();
      SignedAttestation signed =
          SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation());
      node.jobsJson = job("challenged", "pool", Hex.encodeUpper(blockHash), 16);
      l.step();
      Reveal reveal = Reveal.parseFrom(lastBody().getRevealRows().getReveal());
      Verdict v = Verifier.verifyReveal(signed, Challenge.derive(blockHash, 7, W, 16), reveal);
      if (skip == 0) {
        assertThat(v.isValid()).as(v.toString()).isTrue();
      } else {
        assertThat(v).isInstanceOf(Verdict.Invalid.class);
        assertThat(((Verdict.Invalid) v).reason()).isEqualTo(Verdict.Reason.WRONG_ROW);
      }
      node.jobsJson = "{\"jobs\":[]}";
      l.step();
      assertThat(Files.readString(dir.resolve("state.json"))).doesNotContain("\"7\"");
    }
  }

  @Test
  void aFaultyExecutorComputesItsBenchmarkHonestly() throws Exception {
    node.jobsJson = job("assigned", "benchmark", "", 0);
    loop(ExecutorLoop.cpu(), 1_000_000).step();
    Attestation a =
        Attestation.parseFrom(
            SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation())
                .getAttestation());
    int[] c = CpuGemm.multiply(GemmInputs.generate(W, SEED, 7));
    assertThat(a.getOutputRoot().toByteArray()).isEqualTo(OutputCommitment.of(64, c).root());
  }

  @Test
  void anFp32JobCommitsTheFloatBitsAndItsRevealPassesTheToleranceUnlessFaulty() throws Exception {
    Workload w = new Workload(Workload.Kind.FP32, 64);
    byte[] blockHash = Sha256.hash(new byte[] {2});
    for (int skip : new int[] {0, 1_000_000}) {
      node.broadcast.clear();
      node.jobsJson = job("assigned", "pool", "", 0, "fp32-gemm-64");
      ExecutorLoop l = loop(ExecutorLoop.cpu(), skip);
      l.step();
      SignedAttestation signed =
          SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation());
      Attestation a = Attestation.parseFrom(signed.getAttestation());
      assertThat(a.getWorkload()).isEqualTo("fp32-gemm-64");
      if (skip == 0) {
        float[] c = CpuGemm.multiply(Fp32GemmInputs.generate(w, SEED, 7));
        assertThat(a.getOutputRoot().toByteArray())
            .isEqualTo(OutputCommitment.ofFloats(64, c).root());
      }
      node.jobsJson = job("challenged", "pool", Hex.encodeUpper(blockHash), 16, "fp32-gemm-64");
      l.step();
      Reveal reveal = Reveal.parseFrom(lastBody().getRevealRows().getReveal());
      Verdict v = Verifier.verifyReveal(signed, Challenge.derive(blockHash, 7, w, 16), reveal);
      if (skip == 0) {
        assertThat(v.isValid()).as(v.toString()).isTrue();
      } else {
        assertThat(((Verdict.Invalid) v).reason()).isEqualTo(Verdict.Reason.WRONG_ROW);
      }
      node.jobsJson = "{\"jobs\":[]}";
      l.step();
    }
  }
}
