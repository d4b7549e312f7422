package io.peerz.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.Hex;
import io.peerz.state.proto.EpochWork;
import io.peerz.state.proto.Executor;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobAttempt;
import io.peerz.state.proto.NodeWork;
import io.peerz.state.proto.Pool;
import io.peerz.state.proto.PoolMember;
import java.util.Base64;
import java.util.Locale;

/** The market's query JSON: integers as strings, addresses 0x.., hashes and seeds upper hex. */
final class MarketJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MarketJson() {}

  static ObjectNode pool(Store store, Pool p) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", s(p.getId()));
    o.put("creator", MsgContext.hex(p.getCreator().toByteArray()));
    o.put("template", word(p.getTemplate().name(), "POOL_TEMPLATE_"));
    o.put("model", p.getModel());
    o.put("workload", Pools.workload(p));
    o.put("hardware_class", p.getHardwareClass());
    o.put("limit", s(p.getLimit()));
    o.put("per_user", s(p.getPerUser()));
    o.put("price", s(p.getPrice()));
    o.put("deposit", s(p.getDeposit()));
    o.put("slots_joined", s(p.getSlotsJoined()));
    o.put("open_jobs", s(p.getOpenJobs()));
    o.put("jobs_submitted", s(p.getJobsSubmitted()));
    o.put("jobs_verified", s(p.getJobsVerified()));
    o.put("closed", p.getClosed());
    o.put("created_height", s(p.getCreatedHeight()));
    if (p.hasModelCommitment()) {
      ObjectNode model = o.putObject("model_commitment");
      model.put("root", Hex.encodeUpper(p.getModelCommitment().getRoot().toByteArray()));
      model.put("url", p.getModelUrl());
      model.put("file_bytes", s(p.getModelFileBytes()));
      model.put("layers", p.getModelCommitment().getLayersCount());
      // The whole commitment as the chain holds it, for executors and buyers' checks.
      model.put("bytes", Base64.getEncoder().encodeToString(p.getModelCommitment().toByteArray()));
    }
    ArrayNode members = o.putArray("members");
    for (PoolMember m : store.members(p.getId())) {
      members
          .addObject()
          .put("executor", MsgContext.hex(m.getExecutor().toByteArray()))
          .put("slots", s(m.getSlots()))
          .put("active_jobs", s(m.getActiveJobs()));
    }
    return o;
  }

  static ObjectNode job(Store store, Job j) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", s(j.getId()));
    o.put("kind", word(j.getKind().name(), "JOB_KIND_"));
    o.put("status", Jobs.status(j.getStatus()));
    o.put("pool_id", s(j.getPoolId()));
    o.put("submitter", j.getSubmitter().isEmpty() ? "" : hex(j.getSubmitter().toByteArray()));
    o.put("workload", j.getWorkload());
    o.put("input_seed", Hex.encodeUpper(j.getInputSeed().toByteArray()));
    o.put("max_budget", s(j.getMaxBudget()));
    o.put("escrow", s(j.getEscrow()));
    o.put("executor", j.getExecutor().isEmpty() ? "" : hex(j.getExecutor().toByteArray()));
    o.put("subnet_id", s(j.getSubnetId()));
    o.put("node_id", s(j.getNodeId()));
    o.put("submitted_height", s(j.getSubmittedHeight()));
    o.put("assigned_height", s(j.getAssignedHeight()));
    o.put("deadline_height", s(j.getDeadlineHeight()));
    o.put("retries", s(j.getRetries()));
    o.put("commit_height", s(j.getCommitHeight()));
    o.put("challenge_height", s(j.getChallengeHeight()));
    o.put("challenge_block_hash", Hex.encodeUpper(j.getChallengeBlockHash().toByteArray()));
    ArrayNode rows = o.putArray("challenge_rows");
    j.getChallengeRowsList().forEach(r -> rows.add(r.longValue()));
    if (!j.getAttestation().isEmpty()) {
      o.set("attestation", attestation(j));
    }
    o.put("output_root", Hex.encodeUpper(j.getOutputRoot().toByteArray()));
    o.put("worked_millis", s(j.getWorkedMillis()));
    o.put("counted_millis", s(j.getCountedMillis()));
    o.put("points", s(j.getPoints()));
    o.put("verification", j.getVerification());
    o.put("payment", s(j.getPayment()));
    o.put("refund", s(j.getRefund()));
    o.put("finished_height", s(j.getFinishedHeight()));
    if (j.getInputsCount() > 0) {
      ArrayNode inputs = o.putArray("inputs");
      for (int i = 0; i < j.getInputsCount(); i++) {
        ObjectNode in = matrix(j.getInputs(i));
        in.put("file_bytes", s(j.getInputFileBytes(i)));
        in.put("url", j.getInputUrls(i));
        inputs.add(in);
      }
      ArrayNode outputs = o.putArray("outputs");
      j.getOutputsList().forEach(m -> outputs.add(matrix(m)));
      ArrayNode cols = o.putArray("challenge_cols");
      j.getChallengeColsList().forEach(col -> cols.add(col.longValue()));
      o.put("data_url", j.getDataUrl());
      o.put("verified_height", s(j.getVerifiedHeight()));
      o.put("payout_height", s(j.getPayoutHeight()));
      o.put("availability_requests", s(j.getAvailabilityRequests()));
      if (j.hasAvailability()) {
        ObjectNode a = o.putObject("availability");
        a.put("output", j.getAvailability().getOutput());
        ArrayNode ar = a.putArray("rows");
        j.getAvailability().getRowsList().forEach(r -> ar.add(r.longValue()));
        a.put("requested_height", s(j.getAvailability().getRequestedHeight()));
        a.put("deadline_height", s(j.getAvailability().getDeadlineHeight()));
        a.put("answered_height", s(j.getAvailability().getAnsweredHeight()));
      }
    }
    o.put("queue_deadline_height", s(j.getQueueDeadlineHeight()));
    ArrayNode attempts = o.putArray("attempts");
    for (JobAttempt a : j.getAttemptsList()) {
      attempts
          .addObject()
          .put("executor", hex(a.getExecutor().toByteArray()))
          .put("node_id", s(a.getNodeId()))
          .put("outcome", a.getOutcome())
          .put("height", s(a.getHeight()))
          .put("slashed", s(a.getSlashed()))
          .put("detail", a.getDetail());
    }
    return o;
  }

  private static ObjectNode attestation(Job j) {
    ObjectNode o = JSON.createObjectNode();
    SignedAttestation signed =
        Store.parse(j.getAttestation().toByteArray(), SignedAttestation::parseFrom);
    Attestation a = Store.parse(signed.getAttestation().toByteArray(), Attestation::parseFrom);
    o.put("job_id", s(a.getJobId()));
    o.put("executor_pub_key", Hex.encodeUpper(a.getExecutorPubKey().toByteArray()));
    o.put("subnet_id", s(a.getSubnetId()));
    o.put("node_id", s(a.getNodeId()));
    o.put("workload", a.getWorkload());
    o.put("output_root", Hex.encodeUpper(a.getOutputRoot().toByteArray()));
    o.put("started_height", s(a.getStartedHeight()));
    o.put("finished_height", s(a.getFinishedHeight()));
    o.put("worked_millis", s(a.getWorkedMillis()));
    o.put("signature", Hex.encodeUpper(signed.getSignature().toByteArray()));
    return o;
  }

  static ObjectNode matrix(io.peerz.attest.proto.CommittedMatrix m) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", m.getName());
    o.put("rows", s(Integer.toUnsignedLong(m.getRows())));
    o.put("cols", s(Integer.toUnsignedLong(m.getCols())));
    o.put(
        "dtype",
        m.getElementType() == io.peerz.attest.proto.ElementType.ELEMENT_TYPE_INT32
            ? "int32"
            : "int8");
    o.put(
        "layout",
        m.getLayout() == io.peerz.attest.proto.MatrixLayout.MATRIX_LAYOUT_COLUMNS
            ? "columns"
            : "rows");
    o.put("root", Hex.encodeUpper(m.getRoot().toByteArray()));
    return o;
  }

  static ObjectNode executor(Store store, Executor e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("address", hex(e.getAddress().toByteArray()));
    o.put("pub_key", Hex.encodeUpper(e.getPubKey().toByteArray()));
    o.put("subnet_id", s(e.getSubnetId()));
    o.put("node_id", s(e.getNodeId()));
    o.put("coldkey", hex(e.getColdkey().toByteArray()));
    o.put("hardware_class", e.getHardwareClass());
    o.put("registered_height", s(e.getRegisteredHeight()));
    o.put("benchmarked", e.getBenchmarked());
    o.put("benchmark_failed", e.getBenchmarkFailed());
    o.put("benchmark_job_id", s(e.getBenchmarkJobId()));
    o.put("efficiency_ppm", s(e.getEfficiencyPpm()));
    o.put("reputation_ppm", s(e.getReputationPpm()));
    o.put("jobs_verified", s(e.getJobsVerified()));
    o.put("jobs_failed", s(e.getJobsFailed()));
    o.put("slashed_total", s(e.getSlashedTotal()));
    o.put("earned_total", s(e.getEarnedTotal()));
    o.put("verified_worked_millis", s(e.getVerifiedWorkedMillis()));
    o.put("data_url", e.getDataUrl());
    var node = store.node(e.getSubnetId(), e.getNodeId());
    o.put("node_stake", s(node == null ? 0 : node.getStake()));
    return o;
  }

  static ObjectNode work(long subnetId, long epoch, EpochWork w) {
    ObjectNode o = JSON.createObjectNode();
    o.put("subnet_id", s(subnetId));
    o.put("epoch", s(epoch));
    EpochWork v = w == null ? EpochWork.getDefaultInstance() : w;
    o.put("total_points", s(v.getTotalPoints()));
    o.put("settled", v.getSettled());
    o.put("emission", s(v.getEmission()));
    o.put("paid", s(v.getPaid()));
    o.put("remainder", s(v.getRemainder()));
    ArrayNode nodes = o.putArray("nodes");
    for (NodeWork n : v.getNodesList()) {
      nodes
          .addObject()
          .put("node_id", s(n.getNodeId()))
          .put("coldkey", hex(n.getColdkey().toByteArray()))
          .put("verified_millis", s(n.getVerifiedMillis()))
          .put("jobs", s(n.getJobs()))
          .put("points", s(n.getPoints()))
          .put("reward", s(n.getReward()));
    }
    return o;
  }

  private static String word(String enumName, String prefix) {
    return enumName.substring(prefix.length()).toLowerCase(Locale.ROOT);
  }

  private static String hex(byte[] b) {
    return MsgContext.hex(b);
  }

  private static String s(long v) {
    return Long.toString(v);
  }
}
