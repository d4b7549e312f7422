package io.peerz.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.peerz.attest.Challenge;
import io.peerz.attest.Workload;
import io.peerz.ledger.Sha256;
import io.peerz.state.proto.Executor;
import io.peerz.state.proto.HardwareClassParam;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobAttempt;
import io.peerz.state.proto.JobStatus;
import io.peerz.state.proto.Node;
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
    assign(c);
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
      Workload w = Workload.parse(job.getWorkload());
      Challenge ch = Challenge.derive(hash, id, w, Jobs.challengeRows(c.params(), w));
      long deadline = Math.addExact(c.height(), c.params().getRevealTimeoutBlocks());
      Job.Builder b =
          job.toBuilder()
              .setStatus(JobStatus.JOB_STATUS_CHALLENGED)
              .setChallengeBlockHash(ByteString.copyFrom(hash))
              .setDeadlineHeight(deadline)
              .clearChallengeRows();
      for (int row : ch.rows()) {
        b.addChallengeRows(row);
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
          Integer.toString(ch.rows().length),
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
        Jobs.Outcomes.giveUp(c, job.toBuilder().setVerification("escrow below price").build());
        continue;
      }
      Executor best = pick(c, job, pool);
      if (best != null) {
        Jobs.assign(c, job, best);
        assigned++;
      }
    }
  }

  /** The best member for the job in the documented order, or null. */
  static Executor pick(MsgContext c, Job job, Pool pool) {
    Executor best = null;
    long[] bestKey = null;
    for (PoolMember m : c.store().members(pool.getId())) {
      if (m.getActiveJobs() >= m.getSlots()) {
        continue;
      }
      Executor e = c.store().executor(m.getExecutor().toByteArray());
      if (e == null || !e.getBenchmarked() || e.getBenchmarkFailed() || !Pools.meets(c, e, pool)) {
        continue;
      }
      Node n = c.store().node(e.getSubnetId(), e.getNodeId());
      if (n == null || n.getDeactivated() || failedBefore(job, e)) {
        continue;
      }
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
