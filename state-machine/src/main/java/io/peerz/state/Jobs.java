package io.peerz.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.attest.Challenge;
import io.peerz.attest.DataWorkload;
import io.peerz.attest.InferenceCheck;
import io.peerz.attest.MatrixCommitment;
import io.peerz.attest.Verdict;
import io.peerz.attest.Verifier;
import io.peerz.attest.Workload;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.Reveal;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.proto.MsgCancelJob;
import io.peerz.ledger.proto.MsgCommitResult;
import io.peerz.ledger.proto.MsgRevealRows;
import io.peerz.ledger.proto.MsgSubmitJob;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.EpochWork;
import io.peerz.state.proto.Executor;
import io.peerz.state.proto.HardwareClassParam;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobAttempt;
import io.peerz.state.proto.JobKind;
import io.peerz.state.proto.JobStatus;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.NodeWork;
import io.peerz.state.proto.Pool;
import io.peerz.state.proto.PoolMember;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs: submit (budget escrowed), commit (a signed attestation of the output root), reveal (the
 * challenged rows, recomputed exactly), and the outcomes: payment and reputation on a verified
 * reveal; slashing, reputation loss and reassignment or refund on a wrong or missing one.
 */
final class Jobs {
  private static final Logger log = LoggerFactory.getLogger(Jobs.class);

  private Jobs() {}

  static long nextJobId(Store store) {
    Chain chain = store.chain();
    long id = Math.max(1, chain.getNextJobId());
    store.putChain(chain.toBuilder().setNextJobId(id + 1).build());
    return id;
  }

  static void submit(MsgContext c, MsgSubmitJob m) {
    Pool p = c.store().pool(m.getPoolId());
    if (p == null) {
      throw ErrorCode.POOL_NOT_FOUND.reject(
          "pool " + Long.toUnsignedString(m.getPoolId()) + " does not exist");
    }
    if (p.getClosed()) {
      throw ErrorCode.POOL_CLOSED.reject("pool " + p.getId() + " is closed");
    }
    String workload = Pools.workload(p);
    DataWorkload data = DataWorkload.parse(workload);
    Job.Builder job = Job.newBuilder();
    if (data == null) {
      if (m.getInputsCount() > 0) {
        throw ErrorCode.INVALID_INPUTS.reject(
            "pool "
                + p.getId()
                + " runs the seeded "
                + workload
                + ": give an input seed, no inputs");
      }
      byte[] seed = m.getInputSeed().toByteArray();
      if (seed.length != 32) {
        throw ErrorCode.INVALID_SEED.reject("input_seed must be 32 bytes, got " + seed.length);
      }
      job.setInputSeed(m.getInputSeed());
    } else {
      if (!m.getInputSeed().isEmpty()) {
        throw ErrorCode.INVALID_INPUTS.reject(
            "pool " + p.getId() + " runs " + workload + " on the buyer's matrices: give no seed");
      }
      DataJobs.addInputs(c, p, data, m, job);
    }
    long budget = MsgContext.amount(m.getMaxBudget(), "max_budget");
    if (budget < p.getPrice()) {
      throw ErrorCode.BUDGET_BELOW_PRICE.reject(
          "max_budget " + budget + " is below pool " + p.getId() + "'s price " + p.getPrice());
    }
    long open =
        c.store()
            .jobIdsUnder(
                Keys.jobsOfUser(p.getId(), c.signer()),
                Keys.end(Keys.jobsOfUser(p.getId(), c.signer())))
            .size();
    if (open >= p.getPerUser()) {
      throw ErrorCode.PER_USER_LIMIT.reject(
          "signer has "
              + open
              + " unfinished jobs in pool "
              + p.getId()
              + ", per_user is "
              + p.getPerUser());
    }
    Escrow.lock(c, c.signer(), budget, ErrorCode.JOB_INSUFFICIENT_FUNDS);
    long id = nextJobId(c.store());
    long queueDeadline = Math.addExact(c.height(), c.params().getQueueTimeoutBlocks());
    c.store()
        .putJob(
            job.setId(id)
                .setKind(JobKind.JOB_KIND_POOL)
                .setPoolId(p.getId())
                .setSubmitter(ByteString.copyFrom(c.signer()))
                .setWorkload(workload)
                .setMaxBudget(budget)
                .setEscrow(budget)
                .setStatus(JobStatus.JOB_STATUS_QUEUED)
                .setSubmittedHeight(c.height())
                .setQueueDeadlineHeight(queueDeadline)
                .build());
    c.store().put(Keys.jobQueued(id), Empty.getDefaultInstance());
    c.store().put(Keys.jobQueueDeadline(queueDeadline, id), Empty.getDefaultInstance());
    c.store().put(Keys.jobOfUser(p.getId(), c.signer(), id), Empty.getDefaultInstance());
    c.store()
        .putPool(
            p.toBuilder()
                .setOpenJobs(p.getOpenJobs() + 1)
                .setJobsSubmitted(p.getJobsSubmitted() + 1)
                .build());
    c.emit(
        "job_submitted",
        "job_id",
        Long.toString(id),
        "pool_id",
        Long.toString(p.getId()),
        "submitter",
        MsgContext.hex(c.signer()),
        "max_budget",
        Long.toString(budget),
        "queue_deadline_height",
        Long.toString(queueDeadline));
  }

  /** The submitter cancels its job while it is queued: the whole budget comes back. */
  static void cancel(MsgContext c, MsgCancelJob m) {
    Job job = existing(c, m.getJobId());
    requireSubmitter(c, job, "cancel");
    if (job.getStatus() != JobStatus.JOB_STATUS_QUEUED) {
      throw ErrorCode.WRONG_JOB_STATE.reject(
          "job "
              + job.getId()
              + " is "
              + status(job.getStatus())
              + (job.getExecutor().isEmpty()
                  ? ""
                  : " (executor " + MsgContext.hex(job.getExecutor().toByteArray()) + ")")
              + "; only a queued job can be cancelled");
    }
    Outcomes.giveUp(c, job.toBuilder().setVerification("cancelled by its submitter").build(), true);
  }

  static Job existing(MsgContext c, long id) {
    Job job = c.store().job(id);
    if (job == null) {
      throw ErrorCode.JOB_NOT_FOUND.reject("job " + Long.toUnsignedString(id) + " does not exist");
    }
    return job;
  }

  static void requireSubmitter(MsgContext c, Job job, String what) {
    if (!Arrays.equals(job.getSubmitter().toByteArray(), c.signer())) {
      throw ErrorCode.NOT_JOB_SUBMITTER.reject(
          "job "
              + job.getId()
              + " was submitted by "
              + (job.getSubmitter().isEmpty()
                  ? "the chain (a benchmark)"
                  : MsgContext.hex(job.getSubmitter().toByteArray()))
              + "; only its submitter may "
              + what
              + " it, signer is "
              + MsgContext.hex(c.signer()));
    }
  }

  /** The benchmark job of a new executor: free, assigned to it at once. */
  static void createBenchmark(MsgContext c, long id, Executor e, byte[] seed) {
    Job job =
        Job.newBuilder()
            .setId(id)
            .setKind(JobKind.JOB_KIND_BENCHMARK)
            .setWorkload(c.params().getBenchmarkWorkload())
            .setInputSeed(ByteString.copyFrom(seed))
            .setSubmittedHeight(c.height())
            .build();
    assign(c, job, e);
  }

  /** Assigns a job to an executor: commit due within job_timeout_blocks. */
  static void assign(MsgContext c, Job job, Executor e) {
    long deadline = Math.addExact(c.height(), c.params().getJobTimeoutBlocks());
    byte[] addr = e.getAddress().toByteArray();
    c.store().delete(Keys.jobQueued(job.getId()));
    if (job.getQueueDeadlineHeight() != 0) {
      c.store().delete(Keys.jobQueueDeadline(job.getQueueDeadlineHeight(), job.getId()));
    }
    c.store().put(Keys.jobDeadline(deadline, job.getId()), Empty.getDefaultInstance());
    c.store().put(Keys.jobOfExecutor(addr, job.getId()), Empty.getDefaultInstance());
    c.store()
        .putJob(
            job.toBuilder()
                .setStatus(JobStatus.JOB_STATUS_ASSIGNED)
                .setExecutor(e.getAddress())
                .setSubnetId(e.getSubnetId())
                .setNodeId(e.getNodeId())
                .setAssignedHeight(c.height())
                .setDeadlineHeight(deadline)
                .clearAttestation()
                .clearOutputRoot()
                .clearChallengeBlockHash()
                .clearChallengeRows()
                .clearChallengeCols()
                .clearOutputs()
                .setDataUrl(e.getDataUrl())
                .setQueueDeadlineHeight(0)
                .setCommitHeight(0)
                .setChallengeHeight(0)
                .setWorkedMillis(0)
                .build());
    if (job.getKind() == JobKind.JOB_KIND_POOL) {
      PoolMember member = c.store().member(job.getPoolId(), addr);
      c.store()
          .putMember(
              job.getPoolId(),
              member.toBuilder().setActiveJobs(member.getActiveJobs() + 1).build());
    }
    c.emit(
        "job_assigned",
        "job_id",
        Long.toString(job.getId()),
        "executor",
        MsgContext.hex(addr),
        "node_id",
        Long.toString(e.getNodeId()),
        "deadline_height",
        Long.toString(deadline));
  }

  static void commit(MsgContext c, MsgCommitResult m) {
    Job job = executorsJob(c, m.getJobId(), JobStatus.JOB_STATUS_ASSIGNED, "commit");
    SignedAttestation signed;
    try {
      signed = SignedAttestation.parseFrom(m.getSignedAttestation());
    } catch (InvalidProtocolBufferException e) {
      throw ErrorCode.MALFORMED_ATTESTATION.reject(
          "signed_attestation does not decode: " + e.getMessage());
    }
    Verdict v = Verifier.checkAttestation(signed);
    if (v instanceof Verdict.Invalid bad) {
      throw (bad.reason() == Verdict.Reason.BAD_SIGNATURE
              ? ErrorCode.ATTESTATION_BAD_SIGNATURE
              : ErrorCode.MALFORMED_ATTESTATION)
          .reject(bad.message());
    }
    Attestation att = ((Verdict.Valid) v).attestation();
    Executor e = c.store().executor(job.getExecutor().toByteArray());
    String mismatch = mismatch(c, job, e, att);
    if (mismatch != null) {
      throw ErrorCode.ATTESTATION_MISMATCH.reject("job " + job.getId() + ": " + mismatch);
    }
    long challengeHeight = Math.addExact(c.height(), 1);
    c.store().delete(Keys.jobDeadline(job.getDeadlineHeight(), job.getId()));
    c.store().put(Keys.jobChallenge(challengeHeight, job.getId()), Empty.getDefaultInstance());
    c.store()
        .putJob(
            job.toBuilder()
                .setStatus(JobStatus.JOB_STATUS_COMMITTED)
                .setAttestation(m.getSignedAttestation())
                .setOutputRoot(att.getOutputRoot())
                .clearOutputs()
                .addAllOutputs(att.getOutputsList())
                .setWorkedMillis(att.getWorkedMillis())
                .setCommitHeight(c.height())
                .setChallengeHeight(challengeHeight)
                .setDeadlineHeight(0)
                .build());
    c.emit(
        "job_committed",
        "job_id",
        Long.toString(job.getId()),
        "executor",
        MsgContext.hex(job.getExecutor().toByteArray()),
        "challenge_height",
        Long.toString(challengeHeight));
  }

  private static String mismatch(MsgContext c, Job job, Executor e, Attestation att) {
    if (att.getJobId() != job.getId()) {
      return "attestation is for job " + Long.toUnsignedString(att.getJobId());
    }
    if (!att.getExecutorPubKey().equals(e.getPubKey())) {
      return "attestation is signed by another executor key";
    }
    if (att.getSubnetId() != e.getSubnetId() || att.getNodeId() != e.getNodeId()) {
      return "attestation names node "
          + att.getSubnetId()
          + "/"
          + att.getNodeId()
          + ", the executor's is "
          + e.getSubnetId()
          + "/"
          + e.getNodeId();
    }
    if (!att.getWorkload().equals(job.getWorkload())) {
      return "workload is " + att.getWorkload() + ", the job's is " + job.getWorkload();
    }
    if (!att.getSeed().equals(job.getInputSeed())) {
      return "seed is not the job's input seed";
    }
    if (!att.getInputsList().equals(job.getInputsList())) {
      return "inputs are not the job's committed inputs (names, shapes and roots)";
    }
    CommittedModel model = DataJobs.model(c, job);
    if (model != null) {
      List<CommittedMatrix> want = InferenceCheck.outputShapes(model, job.getInputs(0));
      for (int i = 0; i < want.size(); i++) {
        if (i >= att.getOutputsCount()
            || !att.getOutputs(i).toBuilder().clearRoot().build().equals(want.get(i))) {
          return "outputs are not the pool's model's layers: expected "
              + want.size()
              + " outputs, output "
              + i
              + " being "
              + MatrixCommitment.describe(want.get(i));
        }
      }
      if (att.getOutputsCount() != want.size()) {
        return "outputs are " + att.getOutputsCount() + ", the model's layers give " + want.size();
      }
    }
    if (Long.compareUnsigned(att.getStartedHeight(), job.getAssignedHeight()) < 0
        || Long.compareUnsigned(att.getFinishedHeight(), c.height()) > 0) {
      return "heights ["
          + Long.toUnsignedString(att.getStartedHeight())
          + ", "
          + Long.toUnsignedString(att.getFinishedHeight())
          + "] are outside [assigned "
          + job.getAssignedHeight()
          + ", now "
          + c.height()
          + "]";
    }
    if (att.getWorkedMillis() <= 0) {
      return "worked_millis must be positive (and below 2^63)";
    }
    return null;
  }

  static void reveal(MsgContext c, MsgRevealRows m) {
    Job job = executorsJob(c, m.getJobId(), JobStatus.JOB_STATUS_CHALLENGED, "reveal");
    if (DataWorkload.parse(job.getWorkload()) != null) {
      throw ErrorCode.WRONG_WORKLOAD_MESSAGE.reject(
          "job " + job.getId() + " is a " + job.getWorkload() + " job: send reveal-entries");
    }
    Reveal reveal;
    try {
      reveal = Reveal.parseFrom(m.getReveal());
    } catch (InvalidProtocolBufferException e) {
      throw ErrorCode.MALFORMED_REVEAL.reject("reveal does not decode: " + e.getMessage());
    }
    SignedAttestation signed =
        Store.parse(job.getAttestation().toByteArray(), SignedAttestation::parseFrom);
    Verdict v = Verifier.verifyReveal(signed, challenge(c.params(), job), reveal);
    if (v instanceof Verdict.Invalid bad) {
      switch (bad.reason()) {
        case REVEAL_MISMATCH, CHALLENGE_MISMATCH ->
            throw ErrorCode.REVEAL_MISMATCH.reject(bad.message());
        default -> {
          // A row that is not the committed one, or not A x B: the work was not done.
          Outcomes.fail(c, job, "wrong_reveal", bad.reason() + ": " + bad.message(), true);
          return;
        }
      }
    }
    Outcomes.pass(c, job);
  }

  /** The job's challenge, re-derived from the stored block hash. */
  static Challenge challenge(io.peerz.state.proto.Params p, Job job) {
    Workload w = Workload.parse(job.getWorkload());
    return Challenge.derive(
        job.getChallengeBlockHash().toByteArray(), job.getId(), w, challengeRows(p, w));
  }

  static int challengeRows(io.peerz.state.proto.Params p, Workload w) {
    return (int) Math.min(p.getChallengeRows(), w.n());
  }

  static Job executorsJob(MsgContext c, long id, JobStatus wanted, String what) {
    Job job = existing(c, id);
    if (job.getExecutor().isEmpty()
        || !Arrays.equals(job.getExecutor().toByteArray(), c.signer())) {
      throw ErrorCode.NOT_JOB_EXECUTOR.reject(
          "job "
              + id
              + " is assigned to "
              + (job.getExecutor().isEmpty()
                  ? "no executor"
                  : MsgContext.hex(job.getExecutor().toByteArray()))
              + ", signer is "
              + MsgContext.hex(c.signer()));
    }
    if (job.getStatus() != wanted) {
      throw ErrorCode.WRONG_JOB_STATE.reject(
          "job "
              + id
              + " is "
              + status(job.getStatus())
              + "; "
              + what
              + " needs "
              + status(wanted));
    }
    return job;
  }

  static String status(JobStatus s) {
    return s.name().substring("JOB_STATUS_".length()).toLowerCase(java.util.Locale.ROOT);
  }

  /** What happens to a job when its attempt ends. */
  static final class Outcomes {
    private Outcomes() {}

    /**
     * A verified reveal. A data job's payment is held for the dispute window ({@link #hold});
     * anything else is settled at once.
     */
    static void pass(MsgContext c, Job job) {
      if (job.getKind() == JobKind.JOB_KIND_POOL && DataWorkload.parse(job.getWorkload()) != null) {
        hold(c, job);
        return;
      }
      settle(c, job, true);
    }

    /**
     * A data job's reveal verified: the executor's slot and the submitter's per-user count are
     * freed, the payment waits in escrow until the end of block verified + dispute_window_blocks.
     */
    static void hold(MsgContext c, Job job) {
      Store store = c.store();
      long payout = Math.addExact(c.height(), c.params().getDisputeWindowBlocks());
      releaseSlot(store, job);
      store.delete(Keys.jobOfUser(job.getPoolId(), job.getSubmitter().toByteArray(), job.getId()));
      store.put(Keys.jobPayout(payout, job.getId()), Empty.getDefaultInstance());
      store.putJob(
          job.toBuilder()
              .setStatus(JobStatus.JOB_STATUS_VERIFIED)
              .setVerifiedHeight(c.height())
              .setPayoutHeight(payout)
              .setDeadlineHeight(0)
              .setVerification(
                  "verified: "
                      + job.getChallengeRowsCount()
                      + " entries recomputed; paid at the end of block "
                      + payout
                      + " unless a dispute proves a wrong entry first")
              .build());
      c.emit(
          "job_verified",
          "job_id",
          Long.toString(job.getId()),
          "executor",
          MsgContext.hex(job.getExecutor().toByteArray()),
          "node_id",
          Long.toString(job.getNodeId()),
          "payout_height",
          Long.toString(payout));
    }

    /**
     * Efficiency (benchmark), points, payment, refund, reputation. {@code fresh}: the attempt ends
     * now (a seeded job), so its slot and per-user count are freed here; a held data job's were
     * freed at verification.
     */
    static void settle(MsgContext c, Job job, boolean fresh) {
      Store store = c.store();
      io.peerz.state.proto.Params p = c.params();
      byte[] addr = job.getExecutor().toByteArray();
      Executor e = store.executor(addr);
      HardwareClassParam cls = ComputePoints.hardwareClass(p, e.getHardwareClass());
      long expected = cls == null ? 1 : ComputePoints.expectedMillis(p, cls, job);
      // Worked time is the executor's claim: it counts at most the class's expected time.
      long counted = Math.min(job.getWorkedMillis(), expected);
      Executor.Builder eb = e.toBuilder();
      if (job.getKind() == JobKind.JOB_KIND_BENCHMARK) {
        eb.setBenchmarked(true)
            .setEfficiencyPpm(
                cls == null ? 1 : ComputePoints.efficiencyPpm(p, cls, job.getWorkedMillis()));
      }
      long efficiency = eb.getEfficiencyPpm();
      long points = cls == null ? 0 : ComputePoints.points(cls, efficiency, counted);
      long payment = 0;
      long refund = 0;
      Node node = store.node(job.getSubnetId(), job.getNodeId());
      byte[] payee = node != null ? node.getColdkey().toByteArray() : e.getColdkey().toByteArray();
      if (job.getKind() == JobKind.JOB_KIND_POOL) {
        Pool pool = store.pool(job.getPoolId());
        payment = Math.min(pool.getPrice(), job.getEscrow());
        refund = job.getEscrow() - payment;
        Escrow.release(store, c.bank(), payee, payment);
        Escrow.release(store, c.bank(), job.getSubmitter().toByteArray(), refund);
        store.putPool(
            pool.toBuilder()
                .setOpenJobs(pool.getOpenJobs() - 1)
                .setJobsVerified(pool.getJobsVerified() + 1)
                .build());
        if (fresh) {
          releaseSlot(store, job);
          store.delete(
              Keys.jobOfUser(job.getPoolId(), job.getSubmitter().toByteArray(), job.getId()));
        }
      }
      eb.setReputationPpm(
              Math.min(
                  MsgContext.PPM, Math.addExact(e.getReputationPpm(), p.getReputationGainPpm())))
          .setJobsVerified(e.getJobsVerified() + 1)
          .setEarnedTotal(Math.addExact(e.getEarnedTotal(), payment))
          .setVerifiedWorkedMillis(Math.addExact(e.getVerifiedWorkedMillis(), counted));
      store.putExecutor(eb.build());
      recordWork(c, job, payee, counted, points);
      store.delete(Keys.jobOfExecutor(addr, job.getId()));
      store.putJob(
          job.toBuilder()
              .setStatus(fresh ? JobStatus.JOB_STATUS_VERIFIED : JobStatus.JOB_STATUS_PAID)
              .setEscrow(0)
              .setCountedMillis(counted)
              .setPoints(points)
              .setPayment(payment)
              .setRefund(refund)
              .setFinishedHeight(c.height())
              .setVerification(
                  fresh
                      ? "verified: " + job.getChallengeRowsCount() + " rows recomputed"
                      : "paid: no wrong entry proven by the end of block " + job.getPayoutHeight())
              .addAttempts(attempt(c, job, "verified", 0, ""))
              .build());
      c.emit(
          fresh ? "job_verified" : "job_paid",
          "job_id",
          Long.toString(job.getId()),
          "executor",
          MsgContext.hex(addr),
          "node_id",
          Long.toString(job.getNodeId()),
          "payment",
          Long.toString(payment),
          "refund",
          Long.toString(refund),
          "points",
          Long.toString(points));
    }

    /**
     * An attempt that failed: {@code slash} takes slash_ppm of the node's stake (to the submitter
     * of a pool job, burned for a benchmark); reputation falls; the job is reassigned (the same
     * executor retries its benchmark) or, out of retries, refunded.
     */
    static void fail(MsgContext c, Job job, String outcome, String detail, boolean slash) {
      Store store = c.store();
      io.peerz.state.proto.Params p = c.params();
      byte[] addr = job.getExecutor().toByteArray();
      Executor e = store.executor(addr);
      long slashed = 0;
      if (slash) {
        slashed =
            slashNode(
                c,
                job,
                job.getKind() == JobKind.JOB_KIND_POOL ? job.getSubmitter().toByteArray() : null);
      }
      store.putExecutor(
          e.toBuilder()
              .setReputationPpm(Math.max(0, e.getReputationPpm() - p.getReputationLossPpm()))
              .setJobsFailed(e.getJobsFailed() + 1)
              .setSlashedTotal(Math.addExact(e.getSlashedTotal(), slashed))
              .build());
      store.delete(Keys.jobOfExecutor(addr, job.getId()));
      if (job.getDeadlineHeight() != 0) {
        store.delete(Keys.jobDeadline(job.getDeadlineHeight(), job.getId()));
      }
      if (job.getKind() == JobKind.JOB_KIND_POOL) {
        releaseSlot(store, job);
      }
      c.emit(
          slash ? "job_slashed" : "job_timed_out",
          "job_id",
          Long.toString(job.getId()),
          "executor",
          MsgContext.hex(addr),
          "node_id",
          Long.toString(job.getNodeId()),
          "reason",
          outcome,
          "slashed",
          Long.toString(slashed));
      log.info(
          "event=job_attempt_failed job_id={} executor={} reason={} slashed={}",
          job.getId(),
          MsgContext.hex(addr),
          outcome,
          slashed);
      Job failed =
          job.toBuilder()
              .addAttempts(attempt(c, job, outcome, slashed, detail))
              .setVerification(outcome + ": " + detail)
              .build();
      if (job.getRetries() < p.getJobMaxRetries()) {
        Job retry = failed.toBuilder().setRetries(job.getRetries() + 1).build();
        if (job.getKind() == JobKind.JOB_KIND_BENCHMARK) {
          assign(c, retry, store.executor(addr));
        } else {
          long queueDeadline = Math.addExact(c.height(), p.getQueueTimeoutBlocks());
          store.putJob(
              retry.toBuilder()
                  .setStatus(JobStatus.JOB_STATUS_QUEUED)
                  .clearExecutor()
                  .setSubnetId(0)
                  .setNodeId(0)
                  .setDeadlineHeight(0)
                  .setDataUrl("")
                  .setQueueDeadlineHeight(queueDeadline)
                  .build());
          store.put(Keys.jobQueued(job.getId()), Empty.getDefaultInstance());
          store.put(Keys.jobQueueDeadline(queueDeadline, job.getId()), Empty.getDefaultInstance());
        }
        return;
      }
      giveUp(c, failed, false);
    }

    /**
     * Ends a verified data job before its payout: a proven wrong entry ({@code outcome}
     * "wrong_entry", status disputed) or rows not posted by the availability deadline
     * ("unavailable", status refunded). slash_ppm of the node's stake and the whole budget go to
     * the submitter; no payment; reputation falls.
     */
    static void revoke(MsgContext c, Job job, String outcome, JobStatus status, String detail) {
      Store store = c.store();
      io.peerz.state.proto.Params p = c.params();
      byte[] addr = job.getExecutor().toByteArray();
      byte[] submitter = job.getSubmitter().toByteArray();
      long slashed = slashNode(c, job, submitter);
      Executor e = store.executor(addr);
      store.putExecutor(
          e.toBuilder()
              .setReputationPpm(Math.max(0, e.getReputationPpm() - p.getReputationLossPpm()))
              .setJobsFailed(e.getJobsFailed() + 1)
              .setSlashedTotal(Math.addExact(e.getSlashedTotal(), slashed))
              .build());
      Escrow.release(store, c.bank(), submitter, job.getEscrow());
      Pool pool = store.pool(job.getPoolId());
      store.putPool(pool.toBuilder().setOpenJobs(pool.getOpenJobs() - 1).build());
      store.delete(Keys.jobPayout(job.getPayoutHeight(), job.getId()));
      if (job.getAvailability().getDeadlineHeight() != 0) {
        store.delete(Keys.jobAvailability(job.getAvailability().getDeadlineHeight(), job.getId()));
      }
      store.delete(Keys.jobOfExecutor(addr, job.getId()));
      store.putJob(
          job.toBuilder()
              .setStatus(status)
              .setRefund(job.getEscrow())
              .setEscrow(0)
              .setFinishedHeight(c.height())
              .setVerification(outcome + ": " + detail)
              .addAttempts(attempt(c, job, outcome, slashed, detail))
              .build());
      c.emit(
          "job_slashed",
          "job_id",
          Long.toString(job.getId()),
          "executor",
          MsgContext.hex(addr),
          "node_id",
          Long.toString(job.getNodeId()),
          "reason",
          outcome,
          "slashed",
          Long.toString(slashed),
          "refund",
          Long.toString(job.getEscrow()));
      log.info(
          "event=job_revoked job_id={} executor={} reason={} slashed={}",
          job.getId(),
          MsgContext.hex(addr),
          outcome,
          slashed);
    }

    /**
     * An assigned data job whose inputs never arrived, as its executor reports: no slash, no
     * reputation change, the whole budget back to the submitter.
     */
    static void inputsMissing(MsgContext c, Job job, String detail) {
      Store store = c.store();
      byte[] addr = job.getExecutor().toByteArray();
      store.delete(Keys.jobOfExecutor(addr, job.getId()));
      store.delete(Keys.jobDeadline(job.getDeadlineHeight(), job.getId()));
      releaseSlot(store, job);
      giveUp(
          c,
          job.toBuilder()
              .setDeadlineHeight(0)
              .addAttempts(attempt(c, job, "inputs_missing", 0, detail))
              .setVerification("inputs_missing: " + detail)
              .build(),
          false);
    }

    /** slash_ppm of the job's node's stake to {@code to} (or burned when null); the amount. */
    private static long slashNode(MsgContext c, Job job, byte[] to) {
      Node node = c.store().node(job.getSubnetId(), job.getNodeId());
      if (node == null) {
        return 0;
      }
      long slashed = MsgContext.mulDiv(node.getStake(), c.params().getSlashPpm(), MsgContext.PPM);
      c.store().putNode(node.toBuilder().setStake(node.getStake() - slashed).build());
      if (to != null) {
        c.bank().credit(to, slashed);
      } else {
        c.bank().burned(slashed);
      }
      return slashed;
    }

    /**
     * Out of retries (or cancelled, queue timed out, inputs missing): a pool job's budget goes
     * back; a benchmark marks its executor failed. {@code cancelled} sets status cancelled rather
     * than refunded.
     */
    static void giveUp(MsgContext c, Job job, boolean cancelled) {
      Store store = c.store();
      if (job.getKind() == JobKind.JOB_KIND_BENCHMARK) {
        Executor e = store.executor(job.getExecutor().toByteArray());
        store.putExecutor(e.toBuilder().setBenchmarkFailed(true).build());
        store.putJob(
            job.toBuilder()
                .setStatus(JobStatus.JOB_STATUS_FAILED)
                .setFinishedHeight(c.height())
                .build());
        c.emit("job_failed", "job_id", Long.toString(job.getId()));
        return;
      }
      Escrow.release(store, c.bank(), job.getSubmitter().toByteArray(), job.getEscrow());
      Pool pool = store.pool(job.getPoolId());
      store.putPool(pool.toBuilder().setOpenJobs(pool.getOpenJobs() - 1).build());
      store.delete(Keys.jobQueued(job.getId()));
      if (job.getQueueDeadlineHeight() != 0) {
        store.delete(Keys.jobQueueDeadline(job.getQueueDeadlineHeight(), job.getId()));
      }
      store.delete(Keys.jobOfUser(job.getPoolId(), job.getSubmitter().toByteArray(), job.getId()));
      store.putJob(
          job.toBuilder()
              .setStatus(cancelled ? JobStatus.JOB_STATUS_CANCELLED : JobStatus.JOB_STATUS_REFUNDED)
              .setQueueDeadlineHeight(0)
              .setRefund(job.getEscrow())
              .setEscrow(0)
              .setFinishedHeight(c.height())
              .build());
      c.emit(
          cancelled ? "job_cancelled" : "job_refunded",
          "job_id",
          Long.toString(job.getId()),
          "refund",
          Long.toString(job.getEscrow()),
          "reason",
          job.getVerification());
    }

    static void releaseSlot(Store store, Job job) {
      PoolMember member = store.member(job.getPoolId(), job.getExecutor().toByteArray());
      if (member != null && member.getActiveJobs() > 0) {
        store.putMember(
            job.getPoolId(), member.toBuilder().setActiveJobs(member.getActiveJobs() - 1).build());
      }
    }

    private static JobAttempt attempt(
        MsgContext c, Job job, String outcome, long slashed, String detail) {
      return JobAttempt.newBuilder()
          .setExecutor(job.getExecutor())
          .setNodeId(job.getNodeId())
          .setOutcome(outcome)
          .setHeight(c.height())
          .setSlashed(slashed)
          .setDetail(detail.length() > 200 ? detail.substring(0, 200) : detail)
          .build();
    }

    /** Adds a verified job's time and points to its node's work in this epoch. */
    private static void recordWork(
        MsgContext c, Job job, byte[] coldkey, long counted, long points) {
      Store store = c.store();
      EpochWork w = store.epochWork(job.getSubnetId(), c.epoch());
      EpochWork.Builder b =
          w == null
              ? EpochWork.newBuilder().setSubnetId(job.getSubnetId()).setEpoch(c.epoch())
              : w.toBuilder();
      int at = -1;
      for (int i = 0; i < b.getNodesCount(); i++) {
        if (b.getNodes(i).getNodeId() == job.getNodeId()) {
          at = i;
        }
      }
      NodeWork.Builder nw =
          at < 0
              ? NodeWork.newBuilder()
                  .setNodeId(job.getNodeId())
                  .setColdkey(ByteString.copyFrom(coldkey))
              : b.getNodes(at).toBuilder();
      nw.setVerifiedMillis(Math.addExact(nw.getVerifiedMillis(), counted))
          .setJobs(nw.getJobs() + 1)
          .setPoints(Math.addExact(nw.getPoints(), points));
      if (at < 0) {
        // Kept in node id order so the epoch's payout order is the key order.
        int insert = 0;
        while (insert < b.getNodesCount() && b.getNodes(insert).getNodeId() < job.getNodeId()) {
          insert++;
        }
        java.util.List<NodeWork> nodes = new java.util.ArrayList<>(b.getNodesList());
        nodes.add(insert, nw.build());
        b.clearNodes().addAllNodes(nodes);
      } else {
        b.setNodes(at, nw);
      }
      b.setTotalPoints(Math.addExact(b.getTotalPoints(), points));
      store.putEpochWork(b.build());
    }
  }
}
