package io.peerz.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.peerz.attest.Challenge;
import io.peerz.attest.DataWorkload;
import io.peerz.attest.EntryChallenge;
import io.peerz.attest.Workload;
import io.peerz.ledger.Sha256;
import io.peerz.state.proto.Executor;
import io.peerz.state.proto.HardwareClassParam;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobAttempt;
import io.peerz.state.proto.JobStatus;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.Params;
import io.peerz.state.proto.Pool;
import io.peerz.state.proto.PoolMember;
import java.util.Arrays;
import java.util.List;

/**
 * End of block for the market, in this order: challenge the jobs committed in the previous block
 * (rows from this block's hash), end the attempts whose deadline is this block (no commit: timeout;
 * no reveal: slash), then assign queued jobs in id order.
 *
 * <p>Assignment order: among the pool's members that can take the job (benchmarked, class meets the
 * pool's, a free slot, node present and not deactivated, not failed on this job before, and the
 * job's escrow covers the pool's price), the best by (1) score = relative value x efficiency x
 * reputation (ppm each, / 10^12), higher first, so an executor whose failures drove its reputation
 * to 0 comes last, (2) reputation, higher first, (3) free slots, more first, (4) executor address,
 * lower first (unsigned bytes). A job no member can take stays queued.
 */
final class JobScheduler {
  /** Most jobs assigned per block, so a flood of submissions cannot stretch a block. */
  static final int MAX_ASSIGNMENTS_PER_BLOCK = 256;

  private JobScheduler() {}

  static void endBlock(MsgContext c, byte[] blockHash) {
    challenge(c, blockHash);
    deadlines(c);
    availabilityDeadlines(c);
    payouts(c);
    queueTimeouts(c);
    assign(c);
  }

  /** Unanswered availability requests whose deadline is this block: slash and refund. */
  private static void availabilityDeadlines(MsgContext c) {
    byte[] to = Keys.concat(Keys.JOB_AVAILABILITY, Keys.u64(c.height() + 1));
    for (long id : c.store().jobIdsUnder(Keys.JOB_AVAILABILITY, to)) {
      Job job = c.store().job(id);
      c.store().delete(Keys.jobAvailability(job.getAvailability().getDeadlineHeight(), id));
      if (job.getStatus() == JobStatus.JOB_STATUS_VERIFIED
          && job.getAvailability().getAnsweredHeight() == 0) {
        Jobs.Outcomes.revoke(
            c,
            job,
            "unavailable",
            JobStatus.JOB_STATUS_REFUNDED,
            "rows "
                + job.getAvailability().getRowsList()
                + " of "
                + job.getAvailability().getOutput()
                + " not posted by height "
                + job.getAvailability().getDeadlineHeight());
      }
    }
  }

  /** Verified data jobs whose dispute window ends with this block: the executor is paid. */
  private static void payouts(MsgContext c) {
    byte[] to = Keys.concat(Keys.JOB_PAYOUT, Keys.u64(c.height() + 1));
    for (long id : c.store().jobIdsUnder(Keys.JOB_PAYOUT, to)) {
      Job job = c.store().job(id);
      c.store().delete(Keys.jobPayout(job.getPayoutHeight(), id));
      if (job.getStatus() == JobStatus.JOB_STATUS_VERIFIED) {
        c.store().delete(Keys.jobOfExecutor(job.getExecutor().toByteArray(), id));
        Jobs.Outcomes.settle(c, job, false);
      }
    }
  }

  /** Jobs queued since queue_timeout_blocks: refunded, so no budget waits forever. */
  private static void queueTimeouts(MsgContext c) {
    byte[] to = Keys.concat(Keys.JOB_QUEUE_DEADLINE, Keys.u64(c.height() + 1));
    for (long id : c.store().jobIdsUnder(Keys.JOB_QUEUE_DEADLINE, to)) {
      Job job = c.store().job(id);
      if (job.getStatus() == JobStatus.JOB_STATUS_QUEUED) {
        Jobs.Outcomes.giveUp(
            c,
            job.toBuilder()
                .setVerification(
                    "queue_timeout: no executor took it by height "
                        + job.getQueueDeadlineHeight()
                        + " (query job-fit for why)")
                .build(),
            false);
      } else {
        c.store().delete(Keys.jobQueueDeadline(job.getQueueDeadlineHeight(), id));
      }
    }
  }

  private static void challenge(MsgContext c, byte[] blockHash) {
    byte[] hash = blockHash != null && blockHash.length == 32 ? blockHash : Sha256.hash(blockHash);
    byte[] from = Keys.JOB_CHALLENGE;
    byte[] to = Keys.concat(Keys.JOB_CHALLENGE, Keys.u64(c.height() + 1));
    for (long id : c.store().jobIdsUnder(from, to)) {
      Job job = c.store().job(id);
      byte[] key = Keys.jobChallenge(job.getChallengeHeight(), id);
      c.store().delete(key);
      if (job.getStatus() != JobStatus.JOB_STATUS_COMMITTED) {
        continue;
      }
      long deadline = Math.addExact(c.height(), c.params().getRevealTimeoutBlocks());
      Job.Builder b =
          job.toBuilder()
              .setStatus(JobStatus.JOB_STATUS_CHALLENGED)
              .setChallengeBlockHash(ByteString.copyFrom(hash))
              .setDeadlineHeight(deadline)
              .clearChallengeRows()
              .clearChallengeCols();
      int sampled;
      if (DataWorkload.parse(job.getWorkload()) != null) {
        EntryChallenge ch =
            EntryChallenge.derive(
                hash, id, DataJobs.challengeShape(job), DataJobs.challengeEntries(c.params(), job));
        for (int s = 0; s < ch.size(); s++) {
          b.addChallengeRows(ch.rows()[s]).addChallengeCols(ch.cols()[s]);
        }
        sampled = ch.size();
      } else {
        Workload w = Workload.parse(job.getWorkload());
        Challenge ch = Challenge.derive(hash, id, w, Jobs.challengeRows(c.params(), w));
        for (int row : ch.rows()) {
          b.addChallengeRows(row);
        }
        sampled = ch.rows().length;
      }
      c.store().putJob(b.build());
      c.store().put(Keys.jobDeadline(deadline, id), Empty.getDefaultInstance());
      c.emit(
          "job_challenged",
          "job_id",
          Long.toString(id),
          "executor",
          MsgContext.hex(job.getExecutor().toByteArray()),
          "rows",
          Integer.toString(sampled),
          "reveal_deadline_height",
          Long.toString(deadline));
    }
  }

  private static void deadlines(MsgContext c) {
    byte[] from = Keys.JOB_DEADLINE;
    byte[] to = Keys.concat(Keys.JOB_DEADLINE, Keys.u64(c.height() + 1));
    for (long id : c.store().jobIdsUnder(from, to)) {
      Job job = c.store().job(id);
      switch (job.getStatus()) {
        case JOB_STATUS_ASSIGNED ->
            Jobs.Outcomes.fail(
                c, job, "timeout", "no commit by height " + job.getDeadlineHeight(), false);
        case JOB_STATUS_CHALLENGED ->
            Jobs.Outcomes.fail(
                c, job, "no_reveal", "no reveal by height " + job.getDeadlineHeight(), true);
        default -> c.store().delete(Keys.jobDeadline(job.getDeadlineHeight(), id));
      }
    }
  }

  private static void assign(MsgContext c) {
    int assigned = 0;
    for (long id : c.store().jobIdsUnder(Keys.JOB_QUEUE, Keys.end(Keys.JOB_QUEUE))) {
      if (assigned >= MAX_ASSIGNMENTS_PER_BLOCK) {
        return;
      }
      Job job = c.store().job(id);
      Pool pool = c.store().pool(job.getPoolId());
      if (job.getEscrow() < pool.getPrice()) {
        // The guardrail: a job its escrow cannot pay never starts.
        Jobs.Outcomes.giveUp(
            c, job.toBuilder().setVerification("escrow below price").build(), false);
        continue;
      }
      Executor best = pick(c, job, pool);
      if (best != null) {
        Jobs.assign(c, job, best);
        assigned++;
      }
    }
  }

  /** Why an executor cannot take a job: the rule and the specifics. */
  record Exclusion(String rule, String detail) {}

  /**
   * Null when member {@code m}'s executor can take {@code job} now, else the first rule that keeps
   * it from the job, in this order: benchmark, class, node, reputation, failed this job before,
   * data endpoint, free slots. The scheduler and the job-fit query both use it.
   */
  static Exclusion exclusion(Store store, Params p, Job job, Pool pool, PoolMember m) {
    Executor e = store.executor(m.getExecutor().toByteArray());
    if (e == null) {
      return new Exclusion("registration", "the executor is no longer registered");
    }
    if (e.getBenchmarkFailed()) {
      return new Exclusion("benchmark", "its benchmark job failed for good");
    }
    if (!e.getBenchmarked()) {
      return new Exclusion(
          "benchmark", "its benchmark job " + e.getBenchmarkJobId() + " is not verified yet");
    }
    if (!Pools.meets(p, e, pool)) {
      return new Exclusion(
          "class",
          "class "
              + e.getHardwareClass()
              + " has less VRAM than the pool's "
              + pool.getHardwareClass());
    }
    Node n = store.node(e.getSubnetId(), e.getNodeId());
    if (n == null || n.getDeactivated()) {
      return new Exclusion(
          "node",
          "its node "
              + e.getSubnetId()
              + "/"
              + e.getNodeId()
              + (n == null ? " is gone" : " is deactivated"));
    }
    if (e.getReputationPpm() < p.getMinReputationPpm()) {
      return new Exclusion(
          "reputation",
          "reputation "
              + e.getReputationPpm()
              + " ppm is below params.min_reputation_ppm "
              + p.getMinReputationPpm());
    }
    if (failedBefore(job, e)) {
      return new Exclusion("failed_before", "it already failed this job");
    }
    if (DataWorkload.parse(job.getWorkload()) != null && e.getDataUrl().isEmpty()) {
      return new Exclusion(
          "data_endpoint", "it announced no data endpoint (peerz server sets it when it starts)");
    }
    if (m.getActiveJobs() >= m.getSlots()) {
      return new Exclusion(
          "slots", "all its " + m.getSlots() + " slots in pool " + pool.getId() + " are busy");
    }
    return null;
  }

  /** The best member for the job in the documented order, or null. */
  static Executor pick(MsgContext c, Job job, Pool pool) {
    Executor best = null;
    long[] bestKey = null;
    for (PoolMember m : c.store().members(pool.getId())) {
      if (exclusion(c.store(), c.params(), job, pool, m) != null) {
        continue;
      }
      Executor e = c.store().executor(m.getExecutor().toByteArray());
      HardwareClassParam cls = ComputePoints.hardwareClass(c.params(), e.getHardwareClass());
      long[] key = {
        MsgContext.mulDiv(
            ComputePoints.score(cls, e.getEfficiencyPpm()), e.getReputationPpm(), MsgContext.PPM),
        e.getReputationPpm(),
        m.getSlots() - m.getActiveJobs()
      };
      if (best == null || better(key, e, bestKey, best)) {
        best = e;
        bestKey = key;
      }
    }
    return best;
  }

  private static boolean better(long[] key, Executor e, long[] bestKey, Executor best) {
    for (int i = 0; i < key.length; i++) {
      if (key[i] != bestKey[i]) {
        return key[i] > bestKey[i];
      }
    }
    return Arrays.compareUnsigned(e.getAddress().toByteArray(), best.getAddress().toByteArray())
        < 0;
  }

  private static boolean failedBefore(Job job, Executor e) {
    List<JobAttempt> attempts = job.getAttemptsList();
    for (JobAttempt a : attempts) {
      if (a.getExecutor().equals(e.getAddress())) {
        return true;
      }
    }
    return false;
  }
}
