package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.attest.Attestations;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.proto.MsgClosePool;
import io.peerz.ledger.proto.MsgJoinPool;
import io.peerz.ledger.proto.MsgLeavePool;
import io.peerz.ledger.proto.MsgRevealRows;
import io.peerz.state.proto.Executor;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobStatus;
import org.junit.jupiter.api.Test;

class MarketTest {
  final MarketFixture f = new MarketFixture();
  final TestChain chain = f.chain;

  Executor executor(int i) {
    return Store.readOnly(chain.state).executor(TestChain.addr(f.exec[i]));
  }

  long escrow() {
    return Store.readOnly(chain.state).escrow();
  }

  @Test
  void aNewExecutorGetsABenchmarkJobThatSetsItsEfficiency() {
    long job = f.register(0);
    Job j = f.job(job);
    assertThat(j.getStatus()).isEqualTo(JobStatus.JOB_STATUS_ASSIGNED);
    assertThat(j.getWorkload()).isEqualTo("int8-gemm-64");
    assertThat(executor(0).getBenchmarked()).isFalse();
    // The fixture benchmarks with int8-gemm-64, on which the cpu class expects 50 ms: 25 ms
    // reported is an efficiency of 2x.
    f.commit(0, job, 0, 25);
    chain.block();
    assertThat(f.job(job).getStatus()).isEqualTo(JobStatus.JOB_STATUS_CHALLENGED);
    assertThat(f.job(job).getChallengeRowsCount()).isEqualTo(16);
    var r = f.reveal(0, job);
    assertThat(EpochFlowTest.attr(r.getEventsList(), "job_verified", "job_id"))
        .isEqualTo(Long.toString(job));
    Executor e = executor(0);
    assertThat(e.getBenchmarked()).isTrue();
    assertThat(e.getEfficiencyPpm()).isEqualTo(2_000_000);
    assertThat(e.getReputationPpm()).isEqualTo(510_000);
    assertThat(f.job(job).getCountedMillis()).isEqualTo(25);
    JsonNode q = f.jobJson(job);
    assertThat(q.get("status").asText()).isEqualTo("verified");
    assertThat(q.get("kind").asText()).isEqualTo("benchmark");
    assertThat(q.get("attestation").get("worked_millis").asText()).isEqualTo("25");
  }

  @Test
  void registerExecutorRejectsBadInputs() {
    chain.rejects(
        f.cold[0],
        b ->
            b.setRegisterExecutor(
                MarketFixture.registration(f.exec[0], "cpu")
                    .setExecutorPubKey(ByteString.copyFrom(new byte[31]))),
        ErrorCode.INVALID_EXECUTOR_KEY);
    chain.rejects(
        f.cold[0],
        b -> b.setRegisterExecutor(MarketFixture.registration(f.exec[0], "tpu")),
        ErrorCode.UNKNOWN_HARDWARE_CLASS);
    chain.rejects(
        f.cold[0],
        b -> b.setRegisterExecutor(MarketFixture.registration(f.cold[0], "cpu")),
        ErrorCode.EXECUTOR_IS_ACCOUNT_KEY);
    chain.rejects(
        f.alice,
        b -> b.setRegisterExecutor(MarketFixture.registration(f.exec[0], "cpu")),
        ErrorCode.NODE_NOT_FOUND);
    f.register(0);
    chain.rejects(
        f.cold[1],
        b -> b.setRegisterExecutor(MarketFixture.registration(f.exec[0], "cpu")),
        ErrorCode.EXECUTOR_TAKEN);
  }

  @Test
  void createPoolEscrowsTheDepositAndRejectsBadPools() {
    long before = chain.balance(f.queen);
    f.createPool();
    assertThat(chain.balance(f.queen)).isEqualTo(before - 1000 - 1);
    assertThat(escrow()).isEqualTo(1000);
    JsonNode p = chain.query("/pool/1");
    assertThat(p.get("template").asText()).isEqualTo("gpu");
    assertThat(p.get("model").asText()).isEqualTo("int8-gemm-64");
    assertThat(chain.query("/supply").get("market_escrow").asText()).isEqualTo("1000");
    chain.rejects(
        f.queen,
        b -> b.setCreatePool(MarketFixture.pool("int8-gemm-64", 5).setTemplate("vm")),
        ErrorCode.INVALID_TEMPLATE);
    chain.rejects(
        f.queen,
        b -> b.setCreatePool(MarketFixture.pool("mistral-7b", 5)),
        ErrorCode.INVALID_MODEL);
    chain.rejects(
        f.queen,
        b -> b.setCreatePool(MarketFixture.pool("int8-gemm-64", 5).setHardwareClass("tpu")),
        ErrorCode.POOL_UNKNOWN_HARDWARE_CLASS);
    chain.rejects(
        f.queen,
        b -> b.setCreatePool(MarketFixture.pool("int8-gemm-64", 5).setLimit(0)),
        ErrorCode.INVALID_LIMIT);
    chain.rejects(
        f.queen,
        b -> b.setCreatePool(MarketFixture.pool("int8-gemm-64", 5).setPerUser(11)),
        ErrorCode.INVALID_PER_USER);
    chain.rejects(
        f.queen,
        b -> b.setCreatePool(MarketFixture.pool("int8-gemm-64", 0)),
        ErrorCode.INVALID_PRICE);
    chain.rejects(
        f.queen,
        b -> b.setCreatePool(MarketFixture.pool("int8-gemm-64", 5).setDeposit(10_000_000)),
        ErrorCode.DEPOSIT_INSUFFICIENT_FUNDS);
  }

  @Test
  void joinLeaveAndCloseCheckMembershipOwnershipAndCapacity() {
    f.createPool();
    f.register(0);
    f.register(1);
    MsgJoinPool.Builder join =
        MsgJoinPool.newBuilder()
            .setPoolId(1)
            .setSlots(4)
            .setExecutor(TestChain.addrBytes(f.exec[0]));
    chain.rejects(
        f.cold[0], b -> b.setJoinPool(join.clone().setPoolId(9)), ErrorCode.POOL_NOT_FOUND);
    chain.rejects(
        f.cold[0],
        b -> b.setJoinPool(join.clone().setExecutor(TestChain.addrBytes(f.alice))),
        ErrorCode.EXECUTOR_NOT_FOUND);
    chain.rejects(f.cold[1], b -> b.setJoinPool(join.clone()), ErrorCode.NOT_EXECUTOR_OWNER);
    chain.rejects(f.cold[0], b -> b.setJoinPool(join.clone().setSlots(0)), ErrorCode.INVALID_SLOTS);
    chain.rejects(f.cold[0], b -> b.setJoinPool(join.clone().setSlots(11)), ErrorCode.POOL_FULL);
    // An empty executor means the signer's only executor.
    chain.ok(f.cold[0], b -> b.setJoinPool(join.clone().clearExecutor()));
    chain.rejects(f.cold[0], b -> b.setJoinPool(join.clone()), ErrorCode.ALREADY_MEMBER);
    chain.rejects(
        f.cold[1],
        b -> b.setJoinPool(join.clone().setSlots(7).setExecutor(TestChain.addrBytes(f.exec[1]))),
        ErrorCode.POOL_FULL);
    chain.ok(
        f.queen,
        b -> b.setCreatePool(MarketFixture.pool("int8-gemm-64", 5).setHardwareClass("gpu-24gb")));
    chain.rejects(
        f.cold[0],
        b -> b.setJoinPool(join.clone().setPoolId(2)),
        ErrorCode.HARDWARE_BELOW_REQUIREMENT);
    MsgLeavePool.Builder leave =
        MsgLeavePool.newBuilder().setPoolId(1).setExecutor(TestChain.addrBytes(f.exec[1]));
    chain.rejects(f.cold[1], b -> b.setLeavePool(leave), ErrorCode.NOT_MEMBER);
    chain.rejects(
        f.cold[0],
        b -> b.setClosePool(MsgClosePool.newBuilder().setPoolId(1)),
        ErrorCode.NOT_POOL_CREATOR);
    chain.ok(
        f.cold[0],
        b ->
            b.setLeavePool(
                MsgLeavePool.newBuilder()
                    .setPoolId(1)
                    .setExecutor(TestChain.addrBytes(f.exec[0]))));
    assertThat(chain.query("/pool/1").get("slots_joined").asText()).isEqualTo("0");
    long before = chain.balance(f.queen);
    chain.ok(f.queen, b -> b.setClosePool(MsgClosePool.newBuilder().setPoolId(1)));
    assertThat(chain.balance(f.queen)).isEqualTo(before - 1 + 1000);
    chain.rejects(
        f.alice, b -> b.setSubmitJob(MarketFixture.submission(1, 1, 40)), ErrorCode.POOL_CLOSED);
  }

  @Test
  void aBusyMemberCannotLeaveAndAPoolWithOpenJobsCannotClose() {
    f.createPool();
    f.registerAndBenchmark(0);
    f.join(0, 2);
    long job = f.submit(1);
    assertThat(f.assignee(job)).isZero();
    chain.rejects(
        f.cold[0],
        b ->
            b.setLeavePool(
                MsgLeavePool.newBuilder().setPoolId(1).setExecutor(TestChain.addrBytes(f.exec[0]))),
        ErrorCode.MEMBER_BUSY);
    chain.rejects(
        f.queen,
        b -> b.setClosePool(MsgClosePool.newBuilder().setPoolId(1)),
        ErrorCode.POOL_HAS_OPEN_JOBS);
  }

  @Test
  void submitJobChecksSeedBudgetFundsAndThePerUserLimit() {
    f.createPool();
    chain.rejects(
        f.alice,
        b ->
            b.setSubmitJob(
                MarketFixture.submission(1, 1, 40).setInputSeed(ByteString.copyFrom(new byte[5]))),
        ErrorCode.INVALID_SEED);
    chain.rejects(
        f.alice,
        b -> b.setSubmitJob(MarketFixture.submission(1, 1, 4)),
        ErrorCode.BUDGET_BELOW_PRICE);
    chain.rejects(
        f.alice,
        b -> b.setSubmitJob(MarketFixture.submission(1, 1, 1_000_000)),
        ErrorCode.JOB_INSUFFICIENT_FUNDS);
    chain.rejects(
        f.alice, b -> b.setSubmitJob(MarketFixture.submission(7, 1, 40)), ErrorCode.POOL_NOT_FOUND);
    f.submit(1);
    f.submit(2);
    chain.rejects(
        f.alice, b -> b.setSubmitJob(MarketFixture.submission(1, 3, 40)), ErrorCode.PER_USER_LIMIT);
    assertThat(escrow()).isEqualTo(1000 + 2 * 40);
    // Nobody has joined: the jobs wait in the queue.
    assertThat(chain.query("/job/1").get("status").asText()).isEqualTo("queued");
  }

  @Test
  void anHonestJobIsVerifiedAndPaysTheNodeColdkeyFromEscrow() {
    f.createPool();
    f.registerAndBenchmark(0);
    f.join(0, 2);
    long aliceBefore = chain.balance(f.alice);
    long job = f.submit(7);
    assertThat(f.job(job).getStatus()).isEqualTo(JobStatus.JOB_STATUS_ASSIGNED);
    long coldBefore = chain.balance(f.cold[0]);
    f.work(0, job, 0);
    Job j = f.job(job);
    assertThat(j.getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
    assertThat(j.getPayment()).isEqualTo(5);
    assertThat(j.getRefund()).isEqualTo(35);
    assertThat(chain.balance(f.cold[0])).isEqualTo(coldBefore + 5);
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore - 1 - 5);
    assertThat(escrow()).isEqualTo(1000);
    JsonNode q = f.jobJson(job);
    assertThat(q.get("executor").asText()).isEqualTo(MarketFixture.hex(f.exec[0]));
    assertThat(q.get("verification").asText()).startsWith("verified");
    assertThat(chain.query("/pool/1").get("jobs_verified").asText()).isEqualTo("1");
    assertThat(chain.query("/executor/" + MarketFixture.hex(f.exec[0]) + "/jobs").get("jobs"))
        .isEmpty();
  }

  @Test
  void commitAndRevealRejectWhatDoesNotDescribeTheJob() throws Exception {
    // A long commit window: every rejection below costs a block.
    MarketFixture f =
        new MarketFixture(
            MarketFixture.PARAMS.replace("\"job_timeout_blocks\":5", "\"job_timeout_blocks\":40"));
    TestChain chain = f.chain;
    f.createPool();
    f.registerAndBenchmark(0);
    f.registerAndBenchmark(1);
    f.join(0, 1);
    long job = f.submit(3);
    assertThat(f.assignee(job)).isZero();
    SignedAttestation good = f.attestation(0, f.job(job), 0, 10);
    chain.rejects(
        f.exec[0], MarketFixture.commitMsg(99, good.toByteString()), ErrorCode.JOB_NOT_FOUND);
    chain.rejects(
        f.exec[1], MarketFixture.commitMsg(job, good.toByteString()), ErrorCode.NOT_JOB_EXECUTOR);
    chain.rejects(
        f.exec[0],
        MarketFixture.commitMsg(job, ByteString.copyFromUtf8("not a proto")),
        ErrorCode.MALFORMED_ATTESTATION);
    chain.rejects(
        f.exec[0],
        MarketFixture.commitMsg(
            job,
            good.toBuilder()
                .setSignature(ByteString.copyFrom(new byte[64]))
                .build()
                .toByteString()),
        ErrorCode.ATTESTATION_BAD_SIGNATURE);
    Attestation att = Attestation.parseFrom(good.getAttestation());
    for (Attestation bad :
        new Attestation[] {
          att.toBuilder().setJobId(job + 1).build(),
          att.toBuilder().setNodeId(2).build(),
          att.toBuilder().setWorkload("int8-gemm-128").build(),
          att.toBuilder().setSeed(ByteString.copyFrom(new byte[32])).build(),
          att.toBuilder().setFinishedHeight(chain.height + 1000).build(),
          att.toBuilder().setWorkedMillis(0).build()
        }) {
      chain.rejects(
          f.exec[0],
          MarketFixture.commitMsg(job, Attestations.sign(bad, f.exec[0]).toByteString()),
          ErrorCode.ATTESTATION_MISMATCH);
    }
    chain.rejects(
        f.exec[0],
        b -> b.setRevealRows(MsgRevealRows.newBuilder().setJobId(job)),
        ErrorCode.WRONG_JOB_STATE);
    f.commit(0, job, 0, 10);
    chain.block();
    chain.rejects(
        f.exec[0],
        b ->
            b.setRevealRows(
                MsgRevealRows.newBuilder()
                    .setJobId(job)
                    .setReveal(ByteString.copyFrom(new byte[] {(byte) 0xff}))),
        ErrorCode.MALFORMED_REVEAL);
    chain.rejects(
        f.exec[0],
        b ->
            b.setRevealRows(
                MsgRevealRows.newBuilder()
                    .setJobId(job)
                    .setReveal(
                        io.peerz.attest.proto.Reveal.newBuilder()
                            .setJobId(job)
                            .build()
                            .toByteString())),
        ErrorCode.REVEAL_MISMATCH);
    // The rejections changed nothing: the honest reveal still verifies.
    f.reveal(0, job);
    assertThat(f.job(job).getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
  }

  @Test
  void aWrongRevealIsSlashedToTheSubmitterAndTheJobGoesToAnotherExecutor() {
    f.createPool();
    f.registerAndBenchmark(0);
    f.registerAndBenchmark(1);
    f.join(0, 1);
    f.join(1, 1);
    long job = f.submit(9);
    int first = f.assignee(job);
    int second = 1 - first;
    long stake = f.node(first).getStake();
    long aliceBefore = chain.balance(f.alice);
    long supply = Store.readOnly(chain.state).supply().getTotal();
    var r = f.work(first, job, 500_000);
    assertThat(EpochFlowTest.attr(r.getEventsList(), "job_slashed", "reason"))
        .isEqualTo("wrong_reveal");
    assertThat(f.node(first).getStake()).isEqualTo(stake - stake / 10);
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore + stake / 10);
    assertThat(Store.readOnly(chain.state).supply().getTotal()).isEqualTo(supply);
    assertThat(executor(first).getReputationPpm()).isEqualTo(510_000 - 100_000);
    assertThat(executor(first).getSlashedTotal()).isEqualTo(stake / 10);
    Job j = f.job(job);
    assertThat(j.getAttempts(0).getOutcome()).isEqualTo("wrong_reveal");
    assertThat(j.getAttempts(0).getDetail()).contains("WRONG_ROW");
    assertThat(j.getRetries()).isEqualTo(1);
    // Reassigned at the end of the same block, never to the executor that failed it.
    assertThat(f.assignee(job)).isEqualTo(second);
    f.work(second, job, 0);
    assertThat(f.job(job).getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
  }

  @Test
  void noCommitTimesOutAndOutOfRetriesTheBudgetIsRefunded() {
    f.createPool();
    f.registerAndBenchmark(0);
    f.registerAndBenchmark(1);
    f.join(0, 1);
    f.join(1, 1);
    long aliceBefore = chain.balance(f.alice);
    long job = f.submit(4);
    int first = f.assignee(job);
    long deadline = f.job(job).getDeadlineHeight();
    chain.advanceTo(deadline);
    Job j = f.job(job);
    assertThat(j.getAttempts(0).getOutcome()).isEqualTo("timeout");
    assertThat(j.getAttempts(0).getSlashed()).isZero();
    assertThat(f.assignee(job)).isEqualTo(1 - first);
    assertThat(executor(first).getReputationPpm()).isEqualTo(410_000);
    chain.advanceTo(f.job(job).getDeadlineHeight());
    j = f.job(job);
    assertThat(j.getStatus()).isEqualTo(JobStatus.JOB_STATUS_REFUNDED);
    assertThat(j.getRefund()).isEqualTo(40);
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore - 1);
    assertThat(escrow()).isEqualTo(1000);
    assertThat(chain.query("/pool/1").get("open_jobs").asText()).isEqualTo("0");
  }

  @Test
  void noRevealBeforeTheDeadlineIsSlashed() {
    f.createPool();
    f.registerAndBenchmark(0);
    f.join(0, 1);
    long job = f.submit(5);
    long stake = f.node(0).getStake();
    f.commit(0, job, 0, 10);
    chain.block();
    chain.advanceTo(f.job(job).getDeadlineHeight());
    Job j = f.job(job);
    assertThat(j.getAttempts(0).getOutcome()).isEqualTo("no_reveal");
    assertThat(f.node(0).getStake()).isEqualTo(stake - stake / 10);
    // The only member failed it already: the job waits for another executor.
    assertThat(j.getStatus()).isEqualTo(JobStatus.JOB_STATUS_QUEUED);
  }

  @Test
  void aFailedBenchmarkIsRetriedThenTheExecutorIsNeverScheduled() {
    f.createPool();
    long bench = f.register(0);
    long stake = f.node(0).getStake();
    long burned = Store.readOnly(chain.state).supply().getBurned();
    f.work(0, bench, 500_000);
    // Benchmark slashes are burned (no submitter to compensate).
    assertThat(Store.readOnly(chain.state).supply().getBurned()).isEqualTo(burned + stake / 10);
    assertThat(f.job(bench).getStatus()).isEqualTo(JobStatus.JOB_STATUS_ASSIGNED);
    assertThat(f.assignee(bench)).isZero();
    chain.advanceTo(f.job(bench).getDeadlineHeight());
    assertThat(f.job(bench).getStatus()).isEqualTo(JobStatus.JOB_STATUS_FAILED);
    assertThat(executor(0).getBenchmarkFailed()).isTrue();
    f.join(0, 1);
    long job = f.submit(1);
    chain.block();
    assertThat(f.job(job).getStatus()).isEqualTo(JobStatus.JOB_STATUS_QUEUED);
  }

  @Test
  void schedulingPrefersScoreThenReputationThenFreeSlotsThenAddress() {
    f.createPool();
    // Executor 0 reports 50 ms (efficiency 1x), 1 and 2 report 25 ms (2x).
    long b0 = f.register(0);
    f.commit(0, b0, 0, 50);
    chain.block();
    f.reveal(0, b0);
    for (int i = 1; i <= 2; i++) {
      long b = f.register(i);
      f.commit(i, b, 0, 25);
      chain.block();
      f.reveal(i, b);
    }
    f.join(0, 3);
    f.join(1, 1);
    f.join(2, 2);
    // Score (reputations are equal): 1 and 2 beat 0. Free slots: 2 (two) beats 1 (one).
    long j1 = f.submit(1);
    assertThat(f.assignee(j1)).isEqualTo(2);
    // Now 1 and 2 both have one free slot: the lower address wins.
    long j2 = f.submit(2);
    int lower =
        java.util.Arrays.compareUnsigned(TestChain.addr(f.exec[1]), TestChain.addr(f.exec[2])) < 0
            ? 1
            : 2;
    assertThat(f.assignee(j2)).isEqualTo(lower);
    chain.ok(f.queen, b -> b.setSubmitJob(MarketFixture.submission(1, 3, 40)));
    long j3 = j2 + 1;
    assertThat(f.assignee(j3)).isEqualTo(3 - lower);
    chain.ok(f.queen, b -> b.setSubmitJob(MarketFixture.submission(1, 4, 40)));
    // 1 and 2 are full: executor 0 takes the rest.
    assertThat(f.assignee(j3 + 1)).isZero();
  }

  @Test
  void reputationWeighsInTheScoreSoAFailingExecutorComesLast() {
    f.createPool();
    // Executor 0 is a little faster than executor 1 (45 ms vs 50 ms), then fails a job.
    long b0 = f.register(0);
    f.commit(0, b0, 0, 45);
    chain.block();
    f.reveal(0, b0);
    long b1 = f.register(1);
    f.commit(1, b1, 0, 50);
    chain.block();
    f.reveal(1, b1);
    f.join(0, 2);
    f.join(1, 2);
    long j1 = f.submit(1);
    assertThat(f.assignee(j1)).isZero();
    f.work(0, j1, 1_000_000);
    // 20000 x 1.111 x 0.41 = 9111 is now below executor 1's 20000 x 1 x 0.51 = 10200.
    assertThat(f.assignee(j1)).isEqualTo(1);
    long j2 = f.submit(2);
    assertThat(f.assignee(j2)).isEqualTo(1);
  }

  @Test
  void verifiedWorkEarnsComputePointsAndAShareOfTheEpochEmission() {
    f.createPool();
    f.registerAndBenchmark(0);
    f.registerAndBenchmark(1);
    f.join(0, 2);
    f.join(1, 2);
    long j1 = f.submit(1);
    long j2 = f.submit(2);
    f.work(f.assignee(j1), j1, 0);
    f.work(f.assignee(j2), j2, 0);
    long epoch = chain.epoch();
    JsonNode work = chain.query("/work/1/" + epoch);
    // Two nodes with a benchmark and a job each.
    assertThat(work.get("nodes")).hasSize(2);
    long points = work.get("total_points").asLong();
    assertThat(points).isPositive();
    long before0 = chain.balance(f.cold[0]);
    long before2 = chain.balance(f.cold[2]);
    chain.advanceToEpoch(epoch + 1);
    JsonNode scores = chain.query("/scores/1/" + epoch);
    JsonNode compute = scores.get("compute");
    assertThat(compute.get("settled").asBoolean()).isTrue();
    // One active subnet: its share is the whole emission, half of it by compute points.
    assertThat(compute.get("emission").asLong()).isEqualTo(50_000);
    long paid = 0;
    for (JsonNode n : compute.get("nodes")) {
      assertThat(n.get("reward").asLong()).isPositive();
      paid += n.get("reward").asLong();
    }
    assertThat(paid + compute.get("remainder").asLong()).isEqualTo(50_000);
    assertThat(chain.balance(f.cold[0])).isGreaterThan(before0);
    // Node 3 did no work: no compute reward (and no score round ran this epoch).
    assertThat(chain.balance(f.cold[2])).isEqualTo(before2);
  }

  @Test
  void aColdkeyWithTwoExecutorsMustNameOne() {
    f.createPool();
    f.register(0);
    chain.ok(f.cold[0], b -> b.setRegisterExecutor(MarketFixture.registration(f.exec[1], "cpu")));
    chain.rejects(
        f.cold[0],
        b -> b.setJoinPool(MsgJoinPool.newBuilder().setPoolId(1).setSlots(1)),
        ErrorCode.AMBIGUOUS_EXECUTOR);
    assertThat(executor(1).getNodeId()).isEqualTo(1);
  }

  @Test
  void marketQueriesListPoolsExecutorsAndOpenJobs() {
    f.createPool();
    long bench = f.register(0);
    f.register(1);
    assertThat(chain.query("/pools").get("pools")).hasSize(1);
    JsonNode executors = chain.query("/executors/1").get("executors");
    assertThat(executors).hasSize(2);
    assertThat(executors.get(0).get("hardware_class").asText()).isEqualTo("cpu");
    JsonNode open = chain.query("/executor/" + MarketFixture.hex(f.exec[0]) + "/jobs");
    assertThat(open.get("jobs")).hasSize(1);
    assertThat(open.get("jobs").get(0).get("id").asLong()).isEqualTo(bench);
    assertThat(open.get("jobs").get(0).get("status").asText()).isEqualTo("assigned");
    assertThat(chain.rawQuery("/job/99").code()).isEqualTo(ErrorCode.NOT_FOUND.code);
    assertThat(chain.rawQuery("/pool/99").code()).isEqualTo(ErrorCode.NOT_FOUND.code);
    assertThat(chain.rawQuery("/executor/" + MarketFixture.hex(f.alice)).code())
        .isEqualTo(ErrorCode.NOT_FOUND.code);
    assertThat(chain.rawQuery("/executor/" + MarketFixture.hex(f.exec[0]) + "/x").code())
        .isEqualTo(ErrorCode.UNKNOWN_PATH.code);
    assertThat(chain.rawQuery("/scores/1/0").code()).isEqualTo(ErrorCode.NOT_FOUND.code);
  }

  @Test
  void pointsFollowTheComputeHordeFormula() {
    // cpu: relative value 20000 ppm; efficiency 2x from a 25 ms benchmark (50 ms expected).
    long bench = f.register(0);
    f.commit(0, bench, 0, 25);
    chain.block();
    f.reveal(0, bench);
    Job j = f.job(bench);
    assertThat(j.getPoints()).isEqualTo(20_000L * 2_000_000L * 25 / 1_000_000_000L);
    // A pool job reporting more time than the class needs counts only the expected 50 ms.
    f.createPool();
    f.join(0, 1);
    long job = f.submit(1);
    f.commit(0, job, 0, 5_000);
    chain.block();
    f.reveal(0, job);
    assertThat(f.job(job).getCountedMillis()).isEqualTo(50);
    JsonNode work = chain.query("/work/1/" + chain.epoch());
    assertThat(work.get("nodes").get(0).get("verified_millis").asLong()).isEqualTo(75);
  }
}
