package io.peerz.state;

import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.attest.DataWorkload;
import io.peerz.attest.EntryChallenge;
import io.peerz.attest.EntryCheck;
import io.peerz.attest.InferenceCheck;
import io.peerz.attest.MatrixCommitment;
import io.peerz.attest.NpyFile;
import io.peerz.attest.Verdict;
import io.peerz.attest.Verifier;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.MatrixVector;
import io.peerz.attest.proto.PostedRows;
import io.peerz.attest.proto.RevealedEntry;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.proto.JobInput;
import io.peerz.ledger.proto.MsgDisputeEntry;
import io.peerz.ledger.proto.MsgPostRows;
import io.peerz.ledger.proto.MsgReportMissingInputs;
import io.peerz.ledger.proto.MsgRequestRows;
import io.peerz.ledger.proto.MsgRevealEntries;
import io.peerz.state.proto.AvailabilityRequest;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobStatus;
import io.peerz.state.proto.Params;
import io.peerz.state.proto.Pool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of data jobs (the buyer's own matrices, docs/attestation.md "Data jobs"): committed
 * inputs and their limits, the entry reveal, the one-entry dispute inside the dispute window,
 * availability requests and their answers, and inputs that never arrived.
 */
final class DataJobs {
  private DataJobs() {}

  /** Bytes a .npy header may add to the body: the magic, version, length and the dict. */
  static final long MAX_NPY_OVERHEAD = 12 + NpyFile.MAX_HEADER_BYTES;

  /** Checks a submission's inputs against the workload and the params and adds them to the job. */
  static void addInputs(
      MsgContext c,
      Pool pool,
      DataWorkload data,
      io.peerz.ledger.proto.MsgSubmitJob m,
      Job.Builder job) {
    Params p = c.params();
    List<CommittedMatrix> inputs = new ArrayList<>();
    List<String> names = data.inputNames();
    if (m.getInputsCount() != names.size()) {
      throw ErrorCode.INVALID_INPUTS.reject(
          data
              + " takes "
              + names.size()
              + " inputs ("
              + String.join(", ", names)
              + "), got "
              + m.getInputsCount());
    }
    for (JobInput in : m.getInputsList()) {
      long rows = in.getRows();
      long cols = in.getCols();
      if (rows == 0 || cols == 0) {
        throw ErrorCode.INVALID_INPUTS.reject(
            "input "
                + in.getName()
                + " is "
                + Long.toUnsignedString(rows)
                + " x "
                + Long.toUnsignedString(cols)
                + ": both dimensions must be positive");
      }
      if (Long.compareUnsigned(rows, p.getMaxMatrixDim()) > 0
          || Long.compareUnsigned(cols, p.getMaxMatrixDim()) > 0) {
        throw ErrorCode.JOB_TOO_LARGE.reject(
            "input "
                + in.getName()
                + " is "
                + Long.toUnsignedString(rows)
                + " x "
                + Long.toUnsignedString(cols)
                + ", above params.max_matrix_dim "
                + p.getMaxMatrixDim());
      }
      long body = rows * cols;
      if (body > p.getMaxInputBytes()) {
        throw ErrorCode.JOB_TOO_LARGE.reject(
            "input "
                + in.getName()
                + " holds "
                + body
                + " bytes, above params.max_input_bytes "
                + p.getMaxInputBytes());
      }
      long file = in.getFileBytes();
      if (Long.compareUnsigned(file, body + 10) <= 0
          || Long.compareUnsigned(file, body + MAX_NPY_OVERHEAD) > 0) {
        throw ErrorCode.INVALID_INPUTS.reject(
            "input "
                + in.getName()
                + "'s file_bytes "
                + Long.toUnsignedString(file)
                + " cannot be a .npy file of "
                + body
                + " int8 entries (a header of 11.."
                + MAX_NPY_OVERHEAD
                + " bytes plus the body)");
      }
      if (!in.getUrl().isEmpty() && !ExecutorRegistry.isHttpUrl(in.getUrl())) {
        throw ErrorCode.INVALID_INPUT_URL.reject(
            "input "
                + in.getName()
                + "'s url is not http(s)://... of printable ASCII up to 200"
                + " bytes");
      }
      inputs.add(
          data.inputShape(in.getName(), (int) rows, (int) cols).toBuilder()
              .setRoot(in.getRoot())
              .build());
    }
    String bad = data.checkInputs(inputs);
    if (bad == null && data.usesModel()) {
      bad = InferenceCheck.checkInput(pool.getModelCommitment(), inputs.get(0));
    }
    if (bad != null) {
      throw ErrorCode.INVALID_INPUTS.reject(bad);
    }
    long reveal =
        data.usesModel()
            ? inferenceRevealBytes(p, pool.getModelCommitment(), inputs.get(0))
            : revealBytes(p, inputs, data.outputShapes(inputs).get(0));
    if (reveal > p.getMaxTxBytes()) {
      throw ErrorCode.JOB_TOO_LARGE.reject(
          "the reveal of "
              + p.getChallengeEntries()
              + " sampled entries of this job would be"
              + " about "
              + reveal
              + " bytes, above params.max_tx_bytes "
              + p.getMaxTxBytes()
              + ": use fewer columns (n) or a smaller inner dimension (k)");
    }
    job.addAllInputs(inputs);
    if (data.usesModel()) {
      job.setMultiplyAdds(InferenceCheck.multiplyAdds(pool.getModelCommitment(), inputs.get(0)));
    }
    for (JobInput in : m.getInputsList()) {
      job.addInputUrls(in.getUrl()).addInputFileBytes(in.getFileBytes());
    }
  }

  /**
   * An upper bound on an entry reveal's tx: per entry a row of the output (4n), a row of A and a
   * column of B (k each), three proofs of at most 34 bytes per level, and framing.
   */
  static long revealBytes(Params p, List<CommittedMatrix> inputs, CommittedMatrix out) {
    long k = Integer.toUnsignedLong(inputs.get(0).getCols());
    long n = Integer.toUnsignedLong(out.getCols());
    long m = Integer.toUnsignedLong(out.getRows());
    long depth = 64 - Long.numberOfLeadingZeros(Math.max(m, n));
    long perEntry = 4 * n + 2 * k + 3 * 34 * (depth + 1) + 64;
    long entries = Math.min(p.getChallengeEntries(), m * n);
    return entries * perEntry + 512;
  }

  /**
   * An upper bound on an mlp-int8 entry reveal's tx: per activation the layer's output row (out)
   * and accumulator row (4 out), its input row and weight column (in each), bias, multiplier and
   * shift (4 each), seven proofs of at most 34 bytes per level, and framing; the widest layer.
   */
  static long inferenceRevealBytes(Params p, CommittedModel model, CommittedMatrix x) {
    long rows = Integer.toUnsignedLong(x.getRows());
    long perEntry = 0;
    long all = 0;
    for (int l = 0; l < model.getLayersCount(); l++) {
      long in = 0;
      long out = 0;
      for (CommittedMatrix t : model.getTensorsList()) {
        if (t.getName().equals("layers." + l + ".weight")) {
          in = Integer.toUnsignedLong(t.getRows());
          out = Integer.toUnsignedLong(t.getCols());
        }
      }
      long depth = 64 - Long.numberOfLeadingZeros(Math.max(rows, Math.max(in, out)));
      perEntry = Math.max(perEntry, 5 * out + 2 * in + 12 + 7 * 34 * (depth + 1) + 96);
      all += out;
    }
    long entries = Math.min(p.getChallengeEntries(), rows * all);
    return entries * perEntry + 512;
  }

  /** The matrix a job's entry challenge samples: C for gemm-int8, every activation for mlp-int8. */
  static CommittedMatrix challengeShape(Job job) {
    DataWorkload data = DataWorkload.parse(job.getWorkload());
    return data.usesModel()
        ? InferenceCheck.challengeShape(job.getOutputsList())
        : job.getOutputs(0);
  }

  /** The job's entry challenge, re-derived from its stored block hash and entry count. */
  static EntryChallenge challenge(Job job) {
    return EntryChallenge.derive(
        job.getChallengeBlockHash().toByteArray(),
        job.getId(),
        challengeShape(job),
        job.getChallengeRowsCount());
  }

  /** The pool's model of an mlp-int8 job; null for other workloads. */
  static CommittedModel model(MsgContext c, Job job) {
    DataWorkload data = DataWorkload.parse(job.getWorkload());
    if (data == null || !data.usesModel()) {
      return null;
    }
    return c.store().pool(job.getPoolId()).getModelCommitment();
  }

  /** How many entries a challenge of this job samples. */
  static int challengeEntries(Params p, Job job) {
    CommittedMatrix out = challengeShape(job);
    long all = Integer.toUnsignedLong(out.getRows()) * Integer.toUnsignedLong(out.getCols());
    return (int) Math.min(p.getChallengeEntries(), all);
  }

  /** The executor's answer to the entry challenge, recomputed exactly. */
  static void reveal(MsgContext c, MsgRevealEntries m) {
    Job job = Jobs.executorsJob(c, m.getJobId(), JobStatus.JOB_STATUS_CHALLENGED, "reveal");
    if (DataWorkload.parse(job.getWorkload()) == null) {
      throw ErrorCode.WRONG_WORKLOAD_MESSAGE.reject(
          "job " + job.getId() + " is a seeded " + job.getWorkload() + " job: send reveal-rows");
    }
    EntryReveal reveal;
    try {
      reveal = EntryReveal.parseFrom(m.getReveal());
    } catch (InvalidProtocolBufferException e) {
      throw ErrorCode.MALFORMED_ENTRIES.reject("reveal does not decode: " + e.getMessage());
    }
    SignedAttestation signed =
        Store.parse(job.getAttestation().toByteArray(), SignedAttestation::parseFrom);
    Verdict v = Verifier.verifyEntryReveal(signed, challenge(job), reveal, model(c, job));
    if (v instanceof Verdict.Invalid bad) {
      switch (bad.reason()) {
        case REVEAL_MISMATCH, CHALLENGE_MISMATCH ->
            throw ErrorCode.REVEAL_MISMATCH.reject(bad.message());
        default -> {
          // A vector that is not committed, or an entry that is not its dot product.
          Jobs.Outcomes.fail(c, job, "wrong_reveal", bad.reason() + ": " + bad.message(), true);
          return;
        }
      }
    }
    Jobs.Outcomes.pass(c, job);
  }

  /** The submitter proves one wrong entry of a verified job, inside its dispute window. */
  static void dispute(MsgContext c, MsgDisputeEntry m) {
    Job job = Jobs.existing(c, m.getJobId());
    Jobs.requireSubmitter(c, job, "dispute");
    verifiedDataJob(job, "a dispute");
    if (c.fee() < c.params().getDisputeFee()) {
      throw ErrorCode.DISPUTE_FEE_TOO_LOW.reject(
          "a dispute pays a fee of at least params.dispute_fee "
              + c.params().getDisputeFee()
              + ", this tx paid "
              + c.fee()
              + " (kept)");
    }
    RevealedEntry entry;
    try {
      entry = RevealedEntry.parseFrom(m.getEntry());
    } catch (InvalidProtocolBufferException e) {
      throw ErrorCode.MALFORMED_ENTRIES.reject("entry does not decode: " + e.getMessage());
    }
    Attestation att =
        Verifier.decode(
            Store.parse(job.getAttestation().toByteArray(), SignedAttestation::parseFrom));
    CommittedModel model = model(c, job);
    EntryCheck check = Verifier.checkEntry(att, entry, model);
    if (check instanceof EntryCheck.Unproven u) {
      throw ErrorCode.DISPUTE_UNPROVEN.reject("job " + job.getId() + ": " + u.message());
    }
    if (model != null && check instanceof EntryCheck.Correct ok) {
      throw ErrorCode.DISPUTE_ENTRY_CORRECT.reject(
          String.format(
              "job %d: layers.%d.outputs[%d][%d] = %d and its accumulator are exactly what the"
                  + " committed input row, weights, bias and requantization give; the executor"
                  + " computed it right and the dispute's fee %d is kept",
              job.getId(), entry.getLayer(), ok.row(), ok.col(), ok.value(), c.fee()));
    }
    if (check instanceof EntryCheck.Correct ok) {
      throw ErrorCode.DISPUTE_ENTRY_CORRECT.reject(
          String.format(
              "job %d: c[%d][%d] = %d is exactly the dot product of row %d of a and column %d"
                  + " of b; the executor computed it right and the dispute's fee %d is kept",
              job.getId(), ok.row(), ok.col(), ok.value(), ok.row(), ok.col(), c.fee()));
    }
    EntryCheck.Wrong w = (EntryCheck.Wrong) check;
    String detail =
        model != null
            ? InferenceCheck.explain(model, entry, w)
            : String.format(
                "c[%d][%d] is %d, row %d of a times column %d of b is %d",
                w.row(), w.col(), w.claimed(), w.row(), w.col(), w.computed());
    Jobs.Outcomes.revoke(c, job, "wrong_entry", JobStatus.JOB_STATUS_DISPUTED, detail);
    c.emit(
        "job_disputed",
        "job_id",
        Long.toString(job.getId()),
        "row",
        Integer.toString(w.row()),
        "col",
        Integer.toString(w.col()));
  }

  /** The submitter asks the executor to post rows of an output within the availability timeout. */
  static void requestRows(MsgContext c, MsgRequestRows m) {
    Params p = c.params();
    Job job = Jobs.existing(c, m.getJobId());
    Jobs.requireSubmitter(c, job, "request rows of");
    verifiedDataJob(job, "an availability request");
    CommittedMatrix out = output(job, m.getOutput());
    AvailabilityRequest open = job.getAvailability();
    if (open.getDeadlineHeight() != 0 && open.getAnsweredHeight() == 0) {
      throw ErrorCode.INVALID_ROWS_REQUEST.reject(
          "job "
              + job.getId()
              + " has an unanswered request until height "
              + open.getDeadlineHeight());
    }
    if (job.getAvailabilityRequests() >= p.getAvailabilityMaxRequests()) {
      throw ErrorCode.INVALID_ROWS_REQUEST.reject(
          "job "
              + job.getId()
              + " had "
              + job.getAvailabilityRequests()
              + " requests, params.availability_max_requests");
    }
    if (m.getRowsCount() == 0 || m.getRowsCount() > p.getAvailabilityMaxRows()) {
      throw ErrorCode.INVALID_ROWS_REQUEST.reject(
          "ask for 1.." + p.getAvailabilityMaxRows() + " rows, got " + m.getRowsCount());
    }
    Set<Integer> seen = new HashSet<>();
    for (int row : m.getRowsList()) {
      if (Integer.toUnsignedLong(row) >= Integer.toUnsignedLong(out.getRows())) {
        throw ErrorCode.ROWS_OUT_OF_RANGE.reject(
            "row "
                + Integer.toUnsignedLong(row)
                + " is outside 0.."
                + (Integer.toUnsignedLong(out.getRows()) - 1)
                + " of "
                + MatrixCommitment.describe(out));
      }
      if (!seen.add(row)) {
        throw ErrorCode.INVALID_ROWS_REQUEST.reject("row " + row + " is asked for twice");
      }
    }
    long deadline = Math.addExact(c.height(), p.getAvailabilityTimeoutBlocks());
    long payout = Math.max(job.getPayoutHeight(), deadline);
    c.store().delete(Keys.jobPayout(job.getPayoutHeight(), job.getId()));
    c.store().put(Keys.jobPayout(payout, job.getId()), Empty.getDefaultInstance());
    c.store().put(Keys.jobAvailability(deadline, job.getId()), Empty.getDefaultInstance());
    c.store()
        .putJob(
            job.toBuilder()
                .setPayoutHeight(payout)
                .setAvailabilityRequests(job.getAvailabilityRequests() + 1)
                .setAvailability(
                    AvailabilityRequest.newBuilder()
                        .setOutput(out.getName())
                        .addAllRows(m.getRowsList())
                        .setRequestedHeight(c.height())
                        .setDeadlineHeight(deadline))
                .build());
    c.emit(
        "rows_requested",
        "job_id",
        Long.toString(job.getId()),
        "executor",
        MsgContext.hex(job.getExecutor().toByteArray()),
        "rows",
        Integer.toString(m.getRowsCount()),
        "deadline_height",
        Long.toString(deadline));
  }

  /** The executor posts the requested rows with their proofs against the output's root. */
  static void postRows(MsgContext c, MsgPostRows m) {
    Job job = Jobs.executorsJob(c, m.getJobId(), JobStatus.JOB_STATUS_VERIFIED, "post rows");
    AvailabilityRequest req = job.getAvailability();
    if (req.getDeadlineHeight() == 0 || req.getAnsweredHeight() != 0) {
      throw ErrorCode.WRONG_JOB_STATE.reject(
          "job " + job.getId() + " has no unanswered availability request");
    }
    PostedRows posted;
    try {
      posted = PostedRows.parseFrom(m.getRows());
    } catch (InvalidProtocolBufferException e) {
      throw ErrorCode.MALFORMED_ENTRIES.reject("rows do not decode: " + e.getMessage());
    }
    CommittedMatrix out = output(job, req.getOutput());
    if (posted.getJobId() != job.getId()
        || !(posted.getOutput().isEmpty() || posted.getOutput().equals(out.getName()))
        || posted.getRowsCount() != req.getRowsCount()) {
      throw ErrorCode.POSTED_ROWS_INVALID.reject(
          "job "
              + job.getId()
              + " asked for rows "
              + req.getRowsList()
              + " of "
              + out.getName()
              + ", the post holds "
              + posted.getRowsCount()
              + " rows of job "
              + posted.getJobId());
    }
    for (int i = 0; i < posted.getRowsCount(); i++) {
      MatrixVector row = posted.getRows(i);
      if (row.getIndex() != req.getRows(i)) {
        throw ErrorCode.POSTED_ROWS_INVALID.reject(
            "posted row "
                + i
                + " is row "
                + Integer.toUnsignedLong(row.getIndex())
                + ", the request asks for row "
                + req.getRows(i));
      }
      String bad = MatrixCommitment.check(out, row);
      if (bad != null) {
        throw ErrorCode.POSTED_ROWS_INVALID.reject(bad);
      }
    }
    c.store().delete(Keys.jobAvailability(req.getDeadlineHeight(), job.getId()));
    c.store()
        .putJob(
            job.toBuilder().setAvailability(req.toBuilder().setAnsweredHeight(c.height())).build());
    c.emit(
        "rows_posted",
        "job_id",
        Long.toString(job.getId()),
        "rows",
        Integer.toString(posted.getRowsCount()));
  }

  /** The executor reports inputs that never arrived: the job fails, no slash, budget refunded. */
  static void reportMissingInputs(MsgContext c, MsgReportMissingInputs m) {
    Job job =
        Jobs.executorsJob(c, m.getJobId(), JobStatus.JOB_STATUS_ASSIGNED, "report missing inputs");
    if (DataWorkload.parse(job.getWorkload()) == null) {
      throw ErrorCode.WRONG_WORKLOAD_MESSAGE.reject(
          "job " + job.getId() + " is seeded: its inputs come from its seed, never missing");
    }
    long from = missingInputsFrom(c.params(), job);
    if (c.height() < from) {
      throw ErrorCode.INPUTS_NOT_OVERDUE.reject(
          "job "
              + job.getId()
              + " was assigned at height "
              + job.getAssignedHeight()
              + "; its inputs may arrive until height "
              + (from - 1)
              + ", report from "
              + from);
    }
    String detail = m.getDetail().length() > 160 ? m.getDetail().substring(0, 160) : m.getDetail();
    Jobs.Outcomes.inputsMissing(c, job, detail.isEmpty() ? "the executor got no inputs" : detail);
  }

  /**
   * The first height at which the executor may report missing inputs: input_timeout_blocks after
   * assignment, or the last block before the commit deadline when that comes earlier.
   */
  static long missingInputsFrom(Params p, Job job) {
    long wait = Math.min(p.getInputTimeoutBlocks(), Math.max(0, p.getJobTimeoutBlocks() - 1));
    return job.getAssignedHeight() + wait;
  }

  private static void verifiedDataJob(Job job, String what) {
    if (DataWorkload.parse(job.getWorkload()) == null) {
      throw ErrorCode.WRONG_WORKLOAD_MESSAGE.reject(
          "job "
              + job.getId()
              + " is a seeded "
              + job.getWorkload()
              + " job; "
              + what
              + " is for data jobs (anyone can recompute a seeded job)");
    }
    if (job.getStatus() != JobStatus.JOB_STATUS_VERIFIED) {
      throw ErrorCode.WRONG_JOB_STATE.reject(
          "job "
              + job.getId()
              + " is "
              + Jobs.status(job.getStatus())
              + "; "
              + what
              + " needs a verified job inside its dispute window (until its payout)");
    }
  }

  private static CommittedMatrix output(Job job, String name) {
    for (CommittedMatrix o : job.getOutputsList()) {
      if (name.isEmpty() || o.getName().equals(name)) {
        return o;
      }
    }
    throw ErrorCode.ROWS_OUT_OF_RANGE.reject(
        "job " + job.getId() + " has no output named '" + name + "'");
  }
}
