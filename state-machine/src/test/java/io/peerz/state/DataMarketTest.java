package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.attest.Attestations;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.EntryChallenge;
import io.peerz.attest.GemmCommitments;
import io.peerz.attest.Int32Matrix;
import io.peerz.attest.Int8Matrix;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.RevealedEntry;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.proto.JobInput;
import io.peerz.ledger.proto.MsgCancelJob;
import io.peerz.ledger.proto.MsgCommitResult;
import io.peerz.ledger.proto.MsgCreatePool;
import io.peerz.ledger.proto.MsgDisputeEntry;
import io.peerz.ledger.proto.MsgJoinPool;
import io.peerz.ledger.proto.MsgPostRows;
import io.peerz.ledger.proto.MsgReportMissingInputs;
import io.peerz.ledger.proto.MsgRequestRows;
import io.peerz.ledger.proto.MsgRevealEntries;
import io.peerz.ledger.proto.MsgRevealRows;
import io.peerz.ledger.proto.MsgSetDataUrl;
import io.peerz.ledger.proto.MsgSubmitJob;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobStatus;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Data jobs on the chain: the buyer's committed matrices, entry challenges, the held payment and
 * its dispute window, one-entry disputes, availability requests, missing inputs, cancel, the queue
 * timeout and job-fit.
 */
class DataMarketTest {
  static final String PARAMS =
      "{\"epoch_length\":40,\"job_timeout_blocks\":5,\"reveal_timeout_blocks\":3,"
          + "\"job_max_retries\":1,\"benchmark_workload\":\"int8-gemm-64\","
          + "\"emission_per_epoch\":100000,\"dispute_window_blocks\":12,\"dispute_fee\":1,"
          + "\"availability_timeout_blocks\":6,\"output_retention_blocks\":20,"
          + "\"input_timeout_blocks\":2,\"queue_timeout_blocks\":6,\"challenge_entries\":8}";
  static final int M = 24;
  static final int K = 40;
  static final int N = 16;

  // Not final: a test of other params builds its own (JUnit makes an instance per test).
  MarketFixture f = new MarketFixture(PARAMS);
  TestChain chain = f.chain;
  final Int8Matrix a = random(M, K, 1);
  final Int8Matrix b = random(K, N, 2);
  final Int32Matrix c = new Int32Matrix(M, N, CpuGemm.multiply(M, K, N, a.data(), b.data()));
  final GemmCommitments honest = GemmCommitments.of(a, b, c);

  static Int8Matrix random(int rows, int cols, long seed) {
    byte[] d = new byte[rows * cols];
    new SplittableRandom(seed).nextBytes(d);
    return new Int8Matrix(rows, cols, d);
  }

  /** Executors 0 and 1 benchmarked, with data endpoints, in a gemm-int8 pool (1 slot each). */
  void market() {
    for (int i = 0; i < 2; i++) {
      f.registerAndBenchmark(i);
      int e = i;
      chain.ok(
          f.exec[i],
          tx -> tx.setSetDataUrl(MsgSetDataUrl.newBuilder().setDataUrl("http://127.0.0.1:90" + e)));
    }
    chain.ok(f.queen, tx -> tx.setCreatePool(gemmPool()));
    f.join(0, 1);
    f.join(1, 1);
  }

  static MsgCreatePool.Builder gemmPool() {
    return MarketFixture.pool("", 5).setWorkload("gemm-int8");
  }

  MsgSubmitJob.Builder submission(List<CommittedMatrix> inputs) {
    MsgSubmitJob.Builder m = MsgSubmitJob.newBuilder().setPoolId(1).setMaxBudget(40);
    for (CommittedMatrix in : inputs) {
      m.addInputs(
          JobInput.newBuilder()
              .setName(in.getName())
              .setRows(in.getRows())
              .setCols(in.getCols())
              .setRoot(in.getRoot())
              .setFileBytes(128L + (long) in.getRows() * in.getCols()));
    }
    return m;
  }

  long submit() {
    TxResult r = chain.ok(f.alice, tx -> tx.setSubmitJob(submission(honest.inputs())));
    return Long.parseLong(EpochFlowTest.attr(r.getEventsList(), "job_submitted", "job_id"));
  }

  SignedAttestation attestation(int i, Job job, GemmCommitments g) {
    Attestation att =
        Attestation.newBuilder()
            .setJobId(job.getId())
            .setExecutorPubKey(ByteString.copyFrom(f.exec[i].publicKey()))
            .setSubnetId(job.getSubnetId())
            .setNodeId(job.getNodeId())
            .setWorkload("gemm-int8")
            .addAllInputs(g.inputs())
            .addAllOutputs(g.outputs())
            .setStartedHeight(job.getAssignedHeight())
            .setFinishedHeight(chain.height)
            .setWorkedMillis(10)
            .build();
    return Attestations.sign(att, f.exec[i]);
  }

  void commit(int i, long id, GemmCommitments g) {
    SignedAttestation s = attestation(i, f.job(id), g);
    chain.ok(
        f.exec[i],
        tx ->
            tx.setCommitResult(
                MsgCommitResult.newBuilder().setJobId(id).setSignedAttestation(s.toByteString())));
  }

  EntryChallenge challenge(long id) {
    Job j = f.job(id);
    return EntryChallenge.derive(
        j.getChallengeBlockHash().toByteArray(), id, j.getOutputs(0), j.getChallengeRowsCount());
  }

  TxResult reveal(int i, long id, GemmCommitments g) {
    var reveal = g.reveal(challenge(id));
    return chain.run(
        f.exec[i],
        tx ->
            tx.setRevealEntries(
                MsgRevealEntries.newBuilder().setJobId(id).setReveal(reveal.toByteString())));
  }

  /** Commits {@code g}'s output, lets the challenge block pass and reveals. */
  TxResult work(int i, long id, GemmCommitments g) {
    commit(i, id, g);
    chain.block();
    return reveal(i, id, g);
  }

  /** A cheater's output: entry (row, col) of C off by one. */
  GemmCommitments corrupted(int row, int col) {
    int[] bad = c.data().clone();
    bad[row * N + col] += 1;
    return GemmCommitments.of(a, b, new Int32Matrix(M, N, bad));
  }

  long earned(int i) {
    return Store.readOnly(chain.state).executor(TestChain.addr(f.exec[i])).getEarnedTotal();
  }

  MsgDisputeEntry.Builder dispute(long id, RevealedEntry e) {
    return MsgDisputeEntry.newBuilder().setJobId(id).setEntry(e.toByteString());
  }

  @Test
  void anHonestJobIsVerifiedFromSampledEntriesAndPaidAtTheEndOfItsDisputeWindow() {
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    assertThat(who).isBetween(0, 1);
    Job assigned = f.job(id);
    assertThat(assigned.getStatus()).isEqualTo(JobStatus.JOB_STATUS_ASSIGNED);
    assertThat(assigned.getDataUrl()).isEqualTo("http://127.0.0.1:90" + who);
    assertThat(assigned.getInputsList()).isEqualTo(honest.inputs());
    long payeeBefore = chain.balance(f.cold[who]);
    long aliceBefore = chain.balance(f.alice);
    TxResult r = work(who, id, honest);
    assertThat(r.getCode()).as(r.getLog()).isZero();
    Job verified = f.job(id);
    assertThat(verified.getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
    assertThat(verified.getChallengeRowsCount()).isEqualTo(8);
    assertThat(verified.getChallengeColsCount()).isEqualTo(8);
    assertThat(verified.getOutputsList()).isEqualTo(honest.outputs());
    assertThat(verified.getEscrow()).isEqualTo(40);
    assertThat(verified.getPayoutHeight()).isEqualTo(chain.height + 12);
    // Held: nothing paid yet, the executor's slot is free already.
    assertThat(chain.balance(f.cold[who])).isEqualTo(payeeBefore);
    chain.advanceTo(verified.getPayoutHeight() - 1);
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
    chain.block();
    Job paid = f.job(id);
    assertThat(paid.getStatus()).isEqualTo(JobStatus.JOB_STATUS_PAID);
    assertThat(paid.getPayment()).isEqualTo(5);
    assertThat(paid.getRefund()).isEqualTo(35);
    assertThat(chain.balance(f.cold[who])).isEqualTo(payeeBefore + 5);
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore + 35);
    assertThat(paid.getPoints()).isPositive();
    JsonNode q = f.jobJson(id);
    assertThat(q.get("status").asText()).isEqualTo("paid");
    assertThat(q.get("inputs").get(1).get("layout").asText()).isEqualTo("columns");
    assertThat(q.get("outputs").get(0).get("dtype").asText()).isEqualTo("int32");
    // A reveal replayed after verification is refused; reveal-rows never fits a data job.
    var reveal = honest.reveal(challenge(id));
    chain.rejects(
        f.exec[who],
        tx ->
            tx.setRevealEntries(
                MsgRevealEntries.newBuilder().setJobId(id).setReveal(reveal.toByteString())),
        ErrorCode.WRONG_JOB_STATE);
  }

  /** The challenge the entry committed in the next block will get (TestChain's block hashes). */
  EntryChallenge nextChallenge(long id) {
    long commitHeight = chain.height + 1;
    return EntryChallenge.derive(
        io.peerz.ledger.Sha256.hash(Keys.u64(commitHeight + 1)), id, honest.outputs().get(0), 8);
  }

  /** An entry of C the next challenge of job {@code id} does not sample. */
  int[] unsampled(long id) {
    EntryChallenge ch = nextChallenge(id);
    for (int r = 0; r < M; r++) {
      for (int col = 0; col < N; col++) {
        boolean hit = false;
        for (int s = 0; s < ch.size(); s++) {
          hit |= ch.rows()[s] == r && ch.cols()[s] == col;
        }
        if (!hit) {
          return new int[] {r, col};
        }
      }
    }
    throw new AssertionError("every entry sampled");
  }

  @Test
  void aSampledWrongEntryIsSlashedAtRevealAndTheJobReassigned() {
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    EntryChallenge ch = nextChallenge(id);
    GemmCommitments cheat = corrupted(ch.rows()[3], ch.cols()[3]);
    long stake = f.node(who).getStake();
    long aliceBefore = chain.balance(f.alice);
    commit(who, id, cheat);
    chain.block();
    assertThat(challenge(id)).isEqualTo(ch);
    TxResult r = reveal(who, id, cheat);
    assertThat(r.getCode()).as(r.getLog()).isZero();
    assertThat(EpochFlowTest.attr(r.getEventsList(), "job_slashed", "reason"))
        .isEqualTo("wrong_reveal");
    long slashed = stake - f.node(who).getStake();
    assertThat(slashed).isEqualTo(stake / 10);
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore + slashed);
    assertThat(f.job(id).getAttempts(0).getDetail()).contains("WRONG_ENTRY");
    // Requeued and, at the end of the same block, given to the executor that has not failed it.
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_ASSIGNED);
    assertThat(f.assignee(id)).isEqualTo(1 - who);
  }

  @Test
  void aProvenWrongEntrySlashesRefundsAndCancelsThePaymentACorrectOneCostsTheFee() {
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    int[] e = unsampled(id);
    GemmCommitments cheat = corrupted(e[0], e[1]);
    assertThat(work(who, id, cheat).getCode()).isZero();
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
    // A correct entry: rejected, the fee kept, nothing else changes.
    TxResult correct =
        chain.rejects(
            f.alice,
            tx -> tx.setDisputeEntry(dispute(id, cheat.entry((e[0] + 1) % M, e[1]))),
            ErrorCode.DISPUTE_ENTRY_CORRECT);
    assertThat(correct.getLog()).contains("computed it right");
    // Vectors that do not prove (the honest C's row against the cheater's root), a stranger.
    chain.rejects(
        f.alice,
        tx -> tx.setDisputeEntry(dispute(id, honest.entry(e[0], e[1]))),
        ErrorCode.DISPUTE_UNPROVEN);
    chain.rejects(
        f.queen,
        tx -> tx.setDisputeEntry(dispute(id, cheat.entry(e[0], e[1]))),
        ErrorCode.NOT_JOB_SUBMITTER);
    chain.rejects(
        f.alice,
        tx ->
            tx.setDisputeEntry(
                MsgDisputeEntry.newBuilder()
                    .setJobId(id)
                    .setEntry(ByteString.copyFromUtf8("junk"))),
        ErrorCode.MALFORMED_ENTRIES);
    long stake = f.node(who).getStake();
    long aliceBefore = chain.balance(f.alice);
    long earnedBefore = earned(who);
    TxResult proven =
        chain.ok(f.alice, tx -> tx.setDisputeEntry(dispute(id, cheat.entry(e[0], e[1]))));
    assertThat(EpochFlowTest.attr(proven.getEventsList(), "job_disputed", "row"))
        .isEqualTo(Integer.toString(e[0]));
    Job disputed = f.job(id);
    assertThat(disputed.getStatus()).isEqualTo(JobStatus.JOB_STATUS_DISPUTED);
    assertThat(disputed.getRefund()).isEqualTo(40);
    assertThat(disputed.getPayment()).isZero();
    long slashed = stake - f.node(who).getStake();
    assertThat(slashed).isPositive();
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore - 1 + 40 + slashed);
    chain.advanceTo(disputed.getPayoutHeight() + 2);
    assertThat(earned(who)).isEqualTo(earnedBefore);
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_DISPUTED);
    assertThat(Store.readOnly(chain.state).escrow()).isEqualTo(1000);
    // Once the job is over, no second dispute.
    chain.rejects(
        f.alice,
        tx -> tx.setDisputeEntry(dispute(id, cheat.entry(e[0], e[1]))),
        ErrorCode.WRONG_JOB_STATE);
  }

  @Test
  void aDisputeBelowTheDisputeFeeIsRefusedAndKeepsItsFee() {
    MarketFixture g = new MarketFixture(PARAMS.replace("\"dispute_fee\":1", "\"dispute_fee\":7"));
    TestChain ch = g.chain;
    long before = ch.balance(g.alice);
    TxResult r =
        ch.block(
                TestChain.tx(
                    g.alice,
                    ch.account(g.alice).getNonce(),
                    3,
                    tx -> tx.setDisputeEntry(dispute(1, honest.entry(0, 0)))))
            .txResults()
            .get(0);
    // Job 1 does not exist here: the checks before the fee's run first.
    assertThat(r.getCodespace() + "/" + r.getCode()).isEqualTo("job/5");
    assertThat(ch.balance(g.alice)).isEqualTo(before - 3);

    // A verified job on that chain: a dispute paying 3 of the 7 is refused and keeps its fee.
    f = g;
    chain = ch;
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    int[] e = unsampled(id);
    GemmCommitments cheat = corrupted(e[0], e[1]);
    assertThat(work(who, id, cheat).getCode()).isZero();
    TxResult low =
        chain.rejects(
            f.alice,
            tx -> tx.setDisputeEntry(dispute(id, cheat.entry(e[0], e[1]))),
            ErrorCode.DISPUTE_FEE_TOO_LOW);
    assertThat(low.getLog()).contains("params.dispute_fee 7");
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
  }

  @Test
  void availabilityRequestsMustBeAnsweredWithProvenRowsOrTheExecutorIsSlashed() {
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    assertThat(work(who, id, honest).getCode()).isZero();
    chain.rejects(
        f.alice,
        tx -> tx.setRequestRows(MsgRequestRows.newBuilder().setJobId(id).addRows(M)),
        ErrorCode.ROWS_OUT_OF_RANGE);
    chain.rejects(
        f.alice,
        tx -> tx.setRequestRows(MsgRequestRows.newBuilder().setJobId(id).addRows(1).addRows(1)),
        ErrorCode.INVALID_ROWS_REQUEST);
    chain.rejects(
        f.alice,
        tx -> {
          MsgRequestRows.Builder m = MsgRequestRows.newBuilder().setJobId(id);
          for (int r = 0; r < 9; r++) {
            m.addRows(r);
          }
          tx.setRequestRows(m);
        },
        ErrorCode.INVALID_ROWS_REQUEST);
    chain.rejects(
        f.alice,
        tx -> tx.setRequestRows(MsgRequestRows.newBuilder().setJobId(id).setOutput("z").addRows(1)),
        ErrorCode.ROWS_OUT_OF_RANGE);
    chain.ok(
        f.alice,
        tx -> tx.setRequestRows(MsgRequestRows.newBuilder().setJobId(id).addRows(5).addRows(2)));
    chain.rejects(
        f.alice,
        tx -> tx.setRequestRows(MsgRequestRows.newBuilder().setJobId(id).addRows(3)),
        ErrorCode.INVALID_ROWS_REQUEST);
    // The wrong rows, or rows of another output's root, are refused; the right ones answer.
    chain.rejects(
        f.exec[who],
        tx ->
            tx.setPostRows(
                MsgPostRows.newBuilder()
                    .setJobId(id)
                    .setRows(honest.rows(id, List.of(2, 5)).toByteString())),
        ErrorCode.POSTED_ROWS_INVALID);
    chain.rejects(
        f.exec[who],
        tx ->
            tx.setPostRows(
                MsgPostRows.newBuilder()
                    .setJobId(id)
                    .setRows(corrupted(5, 0).rows(id, List.of(5, 2)).toByteString())),
        ErrorCode.POSTED_ROWS_INVALID);
    chain.ok(
        f.exec[who],
        tx ->
            tx.setPostRows(
                MsgPostRows.newBuilder()
                    .setJobId(id)
                    .setRows(honest.rows(id, List.of(5, 2)).toByteString())));
    assertThat(f.job(id).getAvailability().getAnsweredHeight()).isEqualTo(chain.height);
    // A second request goes unanswered: at its deadline the executor is slashed, alice refunded.
    chain.ok(f.alice, tx -> tx.setRequestRows(MsgRequestRows.newBuilder().setJobId(id).addRows(7)));
    long deadline = f.job(id).getAvailability().getDeadlineHeight();
    assertThat(f.job(id).getPayoutHeight()).isGreaterThanOrEqualTo(deadline);
    long stake = f.node(who).getStake();
    long aliceBefore = chain.balance(f.alice);
    long earnedBefore = earned(who);
    chain.advanceTo(deadline);
    Job j = f.job(id);
    assertThat(j.getStatus()).isEqualTo(JobStatus.JOB_STATUS_REFUNDED);
    assertThat(j.getAttempts(j.getAttemptsCount() - 1).getOutcome()).isEqualTo("unavailable");
    long slashed = stake - f.node(who).getStake();
    assertThat(slashed).isPositive();
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore + 40 + slashed);
    chain.advanceTo(deadline + 5);
    assertThat(earned(who)).isEqualTo(earnedBefore);
  }

  @Test
  void missingInputsFailTheJobWithoutSlashOnlyAfterTheInputTimeout() {
    market();
    long id = submit();
    int who = f.assignee(id);
    long stake = f.node(who).getStake();
    long aliceBefore = chain.balance(f.alice);
    TxResult early =
        chain.rejects(
            f.exec[who],
            tx -> tx.setReportMissingInputs(MsgReportMissingInputs.newBuilder().setJobId(id)),
            ErrorCode.INPUTS_NOT_OVERDUE);
    assertThat(early.getLog()).contains("report from");
    chain.rejects(
        f.alice,
        tx -> tx.setReportMissingInputs(MsgReportMissingInputs.newBuilder().setJobId(id)),
        ErrorCode.NOT_JOB_EXECUTOR);
    chain.ok(
        f.exec[who],
        tx ->
            tx.setReportMissingInputs(
                MsgReportMissingInputs.newBuilder().setJobId(id).setDetail("no upload")));
    Job j = f.job(id);
    assertThat(j.getStatus()).isEqualTo(JobStatus.JOB_STATUS_REFUNDED);
    assertThat(j.getVerification()).isEqualTo("inputs_missing: no upload");
    assertThat(f.node(who).getStake()).isEqualTo(stake);
    // The whole budget back; alice paid the fee of her own (refused) report.
    assertThat(chain.balance(f.alice)).isEqualTo(aliceBefore - 1 + 40);
    assertThat(Store.readOnly(chain.state).member(1, TestChain.addr(f.exec[who])).getActiveJobs())
        .isZero();
  }

  @Test
  void aQueuedJobCanBeCancelledByItsSubmitterOnlyAndTimesOutOtherwise() {
    f.registerAndBenchmark(0);
    chain.ok(f.queen, tx -> tx.setCreatePool(gemmPool()));
    // Executor 0 joined but announced no data endpoint: nobody can take the job.
    f.join(0, 1);
    long id = submit();
    chain.block();
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_QUEUED);
    JsonNode fit = chain.query("/job-fit/" + id);
    assertThat(fit.get("executors").get(0).get("fit").asText()).isEqualTo("data_endpoint");
    assertThat(fit.get("summary").asText()).contains("no executor can take it");
    chain.rejects(
        f.queen,
        tx -> tx.setCancelJob(MsgCancelJob.newBuilder().setJobId(id)),
        ErrorCode.NOT_JOB_SUBMITTER);
    long before = chain.balance(f.alice);
    TxResult r = chain.ok(f.alice, tx -> tx.setCancelJob(MsgCancelJob.newBuilder().setJobId(id)));
    assertThat(EpochFlowTest.attr(r.getEventsList(), "job_cancelled", "refund")).isEqualTo("40");
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_CANCELLED);
    assertThat(chain.balance(f.alice)).isEqualTo(before - 1 + 40);
    chain.rejects(
        f.alice,
        tx -> tx.setCancelJob(MsgCancelJob.newBuilder().setJobId(id)),
        ErrorCode.WRONG_JOB_STATE);
    // Another job waits out the queue timeout and is refunded by the chain itself.
    long second = submit();
    long deadline = f.job(second).getQueueDeadlineHeight();
    assertThat(deadline).isEqualTo(chain.height + 6);
    chain.advanceTo(deadline - 1);
    assertThat(f.job(second).getStatus()).isEqualTo(JobStatus.JOB_STATUS_QUEUED);
    long held = chain.balance(f.alice);
    chain.block();
    assertThat(f.job(second).getStatus()).isEqualTo(JobStatus.JOB_STATUS_REFUNDED);
    assertThat(f.job(second).getVerification()).startsWith("queue_timeout");
    assertThat(chain.balance(f.alice)).isEqualTo(held + 40);
  }

  @Test
  void jobFitNamesTheRuleThatKeepsEachExecutorFromTheJob() {
    market();
    f.register(2);
    f.join(2, 1);
    long id = submit();
    // The job went to one executor at the end of its block: job-fit shows why each other member
    // would or would not have been able to take it now.
    JsonNode fit = chain.query("/job-fit/" + id);
    assertThat(fit.get("status").asText()).isEqualTo("assigned");
    java.util.Map<String, String> rules = new java.util.TreeMap<>();
    fit.get("executors").forEach(e -> rules.put(e.get("executor").asText(), e.get("fit").asText()));
    int busy = f.assignee(id);
    assertThat(rules.get(MarketFixture.hex(f.exec[busy]))).isEqualTo("slots");
    assertThat(rules.get(MarketFixture.hex(f.exec[1 - busy]))).isEqualTo("eligible");
    assertThat(rules.get(MarketFixture.hex(f.exec[2]))).isEqualTo("benchmark");
    assertThat(fit.get("summary").asText()).contains("not waiting for an executor");
  }

  @Test
  void submissionsThatAreNotWhatThePoolTakesAreRefused() {
    market();
    List<CommittedMatrix> in = honest.inputs();
    chain.rejects(
        f.alice, tx -> tx.setSubmitJob(submission(List.of(in.get(0)))), ErrorCode.INVALID_INPUTS);
    chain.rejects(
        f.alice,
        tx -> tx.setSubmitJob(submission(List.of(in.get(1), in.get(0)))),
        ErrorCode.INVALID_INPUTS);
    chain.rejects(
        f.alice,
        tx ->
            tx.setSubmitJob(
                submission(List.of(in.get(0), in.get(1).toBuilder().setRows(K + 1).build()))),
        ErrorCode.INVALID_INPUTS);
    chain.rejects(
        f.alice,
        tx -> tx.setSubmitJob(submission(in).setInputSeed(ByteString.copyFrom(new byte[32]))),
        ErrorCode.INVALID_INPUTS);
    chain.rejects(
        f.alice,
        tx -> {
          MsgSubmitJob.Builder m = submission(in);
          m.setInputs(0, m.getInputs(0).toBuilder().setRoot(ByteString.copyFrom(new byte[31])));
          tx.setSubmitJob(m);
        },
        ErrorCode.INVALID_INPUTS);
    chain.rejects(
        f.alice,
        tx -> {
          MsgSubmitJob.Builder m = submission(in);
          m.setInputs(0, m.getInputs(0).toBuilder().setFileBytes(M * K));
          tx.setSubmitJob(m);
        },
        ErrorCode.INVALID_INPUTS);
    chain.rejects(
        f.alice,
        tx -> {
          MsgSubmitJob.Builder m = submission(in);
          m.setInputs(1, m.getInputs(1).toBuilder().setUrl("ftp://example.org/b.npy"));
          tx.setSubmitJob(m);
        },
        ErrorCode.INVALID_INPUT_URL);
    chain.rejects(
        f.alice,
        tx -> {
          MsgSubmitJob.Builder m = submission(in);
          m.setInputs(0, m.getInputs(0).toBuilder().setRows(8193).setFileBytes(8193L * K + 128));
          tx.setSubmitJob(m);
        },
        ErrorCode.JOB_TOO_LARGE);
    // 4 x 8192 and 8192 x 8192 would be in range, but 8 entries of 32 KiB rows and 8 KiB columns
    // fit the tx; 8192 x 8192 x 8192 has 64 MiB inputs, at the params' limit; above it refused.
    MarketFixture small =
        new MarketFixture(
            PARAMS.replace(
                "\"challenge_entries\":8", "\"challenge_entries\":8,\"max_input_bytes\":500"));
    small.chain.ok(small.queen, tx -> tx.setCreatePool(gemmPool()));
    small.chain.rejects(
        small.alice, tx -> tx.setSubmitJob(submission(in)), ErrorCode.JOB_TOO_LARGE);
    MarketFixture tight =
        new MarketFixture(
            PARAMS.replace(
                "\"challenge_entries\":8", "\"challenge_entries\":8,\"max_tx_bytes\":4000"));
    tight.chain.ok(tight.queen, tx -> tx.setCreatePool(gemmPool()));
    TxResult big =
        tight.chain.rejects(
            tight.alice, tx -> tx.setSubmitJob(submission(in)), ErrorCode.JOB_TOO_LARGE);
    assertThat(big.getLog()).contains("max_tx_bytes");
  }

  @Test
  void poolsNameTheirWorkloadAndDataMessagesFitOnlyDataJobs() {
    chain.rejects(
        f.queen,
        tx -> tx.setCreatePool(gemmPool().setModel("int8-gemm-64")),
        ErrorCode.INVALID_MODEL);
    chain.rejects(
        f.queen,
        tx -> tx.setCreatePool(MarketFixture.pool("", 5).setWorkload("gemm-fp64")),
        ErrorCode.INVALID_MODEL);
    chain.ok(f.queen, tx -> tx.setCreatePool(gemmPool()));
    assertThat(chain.query("/pool/1").get("workload").asText()).isEqualTo("gemm-int8");
    chain.ok(f.queen, tx -> tx.setCreatePool(MarketFixture.pool("int8-gemm-64", 5)));
    assertThat(chain.query("/pool/2").get("workload").asText()).isEqualTo("int8-gemm-64");
    // A seeded job: entry messages, disputes and availability do not apply.
    f.registerAndBenchmark(0);
    chain.rejects(
        f.exec[0],
        tx -> tx.setSetDataUrl(MsgSetDataUrl.newBuilder().setDataUrl("http:// spaces")),
        ErrorCode.INVALID_DATA_URL);
    chain.rejects(
        f.alice,
        tx -> tx.setSetDataUrl(MsgSetDataUrl.newBuilder().setDataUrl("http://127.0.0.1:1")),
        ErrorCode.EXECUTOR_NOT_FOUND);
    chain.rejects(
        f.alice,
        tx ->
            tx.setSubmitJob(
                MarketFixture.submission(2, 1, 40)
                    .addAllInputs(submission(honest.inputs()).getInputsList())),
        ErrorCode.INVALID_INPUTS);
    chain.ok(
        f.cold[0],
        tx ->
            tx.setJoinPool(
                MsgJoinPool.newBuilder()
                    .setPoolId(2)
                    .setSlots(1)
                    .setExecutor(TestChain.addrBytes(f.exec[0]))));
    var r = chain.ok(f.alice, tx -> tx.setSubmitJob(MarketFixture.submission(2, 1, 40)));
    long id = Long.parseLong(EpochFlowTest.attr(r.getEventsList(), "job_submitted", "job_id"));
    chain.rejects(
        f.alice,
        tx -> tx.setRequestRows(MsgRequestRows.newBuilder().setJobId(id).addRows(0)),
        ErrorCode.WRONG_WORKLOAD_MESSAGE);
    chain.block();
    f.commit(0, id, 0, 10);
    chain.block();
    chain.rejects(
        f.exec[0],
        tx ->
            tx.setRevealEntries(
                MsgRevealEntries.newBuilder().setJobId(id).setReveal(ByteString.EMPTY)),
        ErrorCode.WRONG_WORKLOAD_MESSAGE);
  }

  @Test
  void aCommitMustAttestTheJobsOwnInputs() {
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    GemmCommitments other = GemmCommitments.of(random(M, K, 9), b, c);
    SignedAttestation s = attestation(who, f.job(id), other);
    chain.rejects(
        f.exec[who],
        tx ->
            tx.setCommitResult(
                MsgCommitResult.newBuilder().setJobId(id).setSignedAttestation(s.toByteString())),
        ErrorCode.ATTESTATION_MISMATCH);
    // Rows reveal on a data job is the wrong message.
    commit(who, id, honest);
    chain.block();
    chain.rejects(
        f.exec[who],
        tx -> tx.setRevealRows(MsgRevealRows.newBuilder().setJobId(id)),
        ErrorCode.WRONG_WORKLOAD_MESSAGE);
    // Entries of another challenge are refused and may be resent.
    var wrong = honest.reveal(EntryChallenge.derive(new byte[32], id, honest.outputs().get(0), 8));
    chain.rejects(
        f.exec[who],
        tx ->
            tx.setRevealEntries(
                MsgRevealEntries.newBuilder().setJobId(id).setReveal(wrong.toByteString())),
        ErrorCode.REVEAL_MISMATCH);
    assertThat(reveal(who, id, honest).getCode()).isZero();
  }

  @Test
  void replayingADataJobsBlocksFromGenesisGivesTheSameChangeSets() {
    market();
    long id = submit();
    int who = f.assignee(id);
    int[] e = unsampled(id);
    GemmCommitments cheat = corrupted(e[0], e[1]);
    assertThat(work(who, id, cheat).getCode()).isZero();
    chain.ok(f.alice, tx -> tx.setRequestRows(MsgRequestRows.newBuilder().setJobId(id).addRows(1)));
    chain.ok(
        f.exec[who],
        tx ->
            tx.setPostRows(
                MsgPostRows.newBuilder()
                    .setJobId(id)
                    .setRows(cheat.rows(id, List.of(1)).toByteString())));
    chain.ok(f.alice, tx -> tx.setDisputeEntry(dispute(id, cheat.entry(e[0], e[1]))));
    long second = submit();
    chain.advanceTo(chain.height + 3);
    assertThat(f.job(second).getStatus()).isEqualTo(JobStatus.JOB_STATUS_ASSIGNED);
    MarketFixture g = new MarketFixture(PARAMS);
    for (int i = g.chain.blocks.size(); i < chain.blocks.size(); i++) {
      g.chain.block(chain.blocks.get(i).toArray(byte[][]::new));
    }
    assertThat(ReplayDeterminismTest.fingerprint(g.chain.outcomes))
        .isEqualTo(ReplayDeterminismTest.fingerprint(chain.outcomes));
    assertThat(hex(g.chain.state.entries)).isEqualTo(hex(chain.state.entries));
  }

  private static java.util.List<String> hex(java.util.Map<byte[], byte[]> entries) {
    List<String> out = new java.util.ArrayList<>();
    entries.forEach((k, v) -> out.add(MsgContext.hex(k) + "=" + MsgContext.hex(v)));
    return out;
  }
}
