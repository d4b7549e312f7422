package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.attest.Challenge;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.Workload;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobStatus;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** fp32-gemm pools: the same commit, challenge and reveal, with the rows checked to a tolerance. */
class Fp32MarketTest {
  final MarketFixture f = new MarketFixture();
  final TestChain chain = f.chain;

  @Test
  void anHonestFp32JobSummedInAnotherOrderIsVerifiedAndPaid() {
    f.createPool("fp32-gemm-64");
    assertThat(chain.query("/pool/1").get("model").asText()).isEqualTo("fp32-gemm-64");
    f.registerAndBenchmark(0);
    f.join(0, 2);
    long job = f.submit(7);
    Job assigned = f.job(job);
    assertThat(assigned.getWorkload()).isEqualTo("fp32-gemm-64");
    // The fixture's executor sums with k descending: not the verifier's bits, within tolerance.
    assertThat(MarketFixture.output(assigned, 0))
        .isNotEqualTo(
            io.peerz.attest.OutputCommitment.floatBits(
                CpuGemm.multiply(
                    io.peerz.attest.Fp32GemmInputs.generate(
                        Workload.parse(assigned.getWorkload()),
                        assigned.getInputSeed().toByteArray(),
                        job))));
    long coldBefore = chain.balance(f.cold[0]);
    f.work(0, job, 0);
    Job j = f.job(job);
    assertThat(j.getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
    assertThat(j.getPayment()).isEqualTo(5);
    assertThat(chain.balance(f.cold[0])).isEqualTo(coldBefore + 5);
    assertThat(f.jobJson(job).get("verification").asText()).startsWith("verified");
  }

  @Test
  void anFp32CheaterWhoseZeroedRowIsSampledIsSlashedAndTheJobReassigned() {
    f.createPool("fp32-gemm-64");
    f.registerAndBenchmark(0);
    f.registerAndBenchmark(1);
    f.join(0, 1);
    f.join(1, 1);
    long job = f.submit(9);
    int first = f.assignee(job);
    int second = 1 - first;
    long stake = f.node(first).getStake();
    long aliceBefore = chain.balance(f.alice);
    f.commit(first, job, 500_000, 10);
    chain.block();
    // Precondition: 16 of 64 rows sampled against 32 zeroed ones, so a zeroed row is among them.
    Job challenged = f.job(job);
    int[] skipped = CpuGemm.skippedRows(64, 500_000, job);
    Challenge ch =
        Challenge.derive(
            challenged.getChallengeBlockHash().toByteArray(),
            job,
            Workload.parse(challenged.getWorkload()),
            challenged.getChallengeRowsCount());
    assertThat(Arrays.stream(ch.rows()).anyMatch(r -> Arrays.binarySearch(skipped, r) >= 0))
        .isTrue();
    var r = f.reveal(first, job, 500_000);
    assertThat(EpochFlowTest.attr(r.getEventsList(), "job_slashed", "reason"))
        .isEqualTo("wrong_reveal");
    assertThat(f.node(first).getStake()).isEqualTo(stake - stake / 10);
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore + stake / 10);
    Job j = f.job(job);
    assertThat(j.getAttempts(0).getDetail()).contains("WRONG_ROW").contains("within a tolerance");
    assertThat(f.assignee(job)).isEqualTo(second);
    f.work(second, job, 0);
    assertThat(f.job(job).getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
  }

  @Test
  void benchmarkJobsStayInt8() {
    assertThatThrownBy(
            () -> new TestChain("{\"params\":{\"benchmark_workload\":\"fp32-gemm-256\"}}"))
        .hasMessageContaining("benchmark_workload must be an int8-gemm-<n> workload");
  }
}
