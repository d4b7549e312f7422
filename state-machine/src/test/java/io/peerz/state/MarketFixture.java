package io.peerz.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.attest.Attestations;
import io.peerz.attest.Challenge;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.Fp32GemmInputs;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.Workload;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.MsgActivateNode;
import io.peerz.ledger.proto.MsgActivateSubnet;
import io.peerz.ledger.proto.MsgCommitResult;
import io.peerz.ledger.proto.MsgCreatePool;
import io.peerz.ledger.proto.MsgJoinPool;
import io.peerz.ledger.proto.MsgRegisterExecutor;
import io.peerz.ledger.proto.MsgRevealRows;
import io.peerz.ledger.proto.MsgSubmitJob;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.Node;
import java.util.function.Consumer;

/**
 * A chain with subnet 1 active (nodes 1..3 of coldkeys c1..c3), an executor key per node, a pool
 * creator and a user; and executors that do the work honestly or skip rows.
 */
final class MarketFixture {
  static final String PARAMS =
      "{\"epoch_length\":40,\"job_timeout_blocks\":5,\"reveal_timeout_blocks\":3,"
          + "\"job_max_retries\":1,\"benchmark_workload\":\"int8-gemm-64\","
          + "\"emission_per_epoch\":100000}";

  final Ed25519KeyPair owner = TestChain.key("owner");
  final Ed25519KeyPair queen = TestChain.key("queen");
  final Ed25519KeyPair alice = TestChain.key("alice");
  final Ed25519KeyPair[] cold = {TestChain.key("c1"), TestChain.key("c2"), TestChain.key("c3")};
  final Ed25519KeyPair[] exec = {TestChain.key("e1"), TestChain.key("e2"), TestChain.key("e3")};
  final TestChain chain;

  MarketFixture() {
    this(PARAMS);
  }

  MarketFixture(String params) {
    chain =
        TestChain.funded(
            params, 100_000, owner, queen, alice, cold[0], cold[1], cold[2], exec[0], exec[1],
            exec[2]);
    chain.ok(owner, b -> b.setRegisterSubnet(Msgs.subnet("alpha", cold)));
    chain.block(
        chain.tx(cold[0], b -> b.setRegisterNode(Msgs.node(1, "n1"))),
        chain.tx(cold[1], b -> b.setRegisterNode(Msgs.node(1, "n2"))),
        chain.tx(cold[2], b -> b.setRegisterNode(Msgs.node(1, "n3"))));
    chain.block(
        chain.tx(cold[0], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))),
        chain.tx(cold[1], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))),
        chain.tx(cold[2], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))));
    chain.ok(owner, b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(1)));
  }

  static MsgRegisterExecutor.Builder registration(Ed25519KeyPair executor, String cls) {
    return MsgRegisterExecutor.newBuilder()
        .setSubnetId(1)
        .setExecutorPubKey(ByteString.copyFrom(executor.publicKey()))
        .setHardwareClass(cls);
  }

  /** Registers executor i (class cpu) for node i+1; returns its benchmark job id. */
  long register(int i) {
    chain.ok(cold[i], b -> b.setRegisterExecutor(registration(exec[i], "cpu")));
    return chain.query("/executor/" + hex(exec[i])).get("benchmark_job_id").asLong();
  }

  /** Registers executor i and passes its benchmark honestly. */
  void registerAndBenchmark(int i) {
    long job = register(i);
    commit(i, job, 0, 10);
    chain.block();
    reveal(i, job);
  }

  static MsgCreatePool.Builder pool(String model, long price) {
    return MsgCreatePool.newBuilder()
        .setTemplate("gpu")
        .setModel(model)
        .setHardwareClass("cpu")
        .setLimit(10)
        .setPerUser(2)
        .setPrice(price)
        .setDeposit(1000);
  }

  void createPool() {
    createPool("int8-gemm-64");
  }

  void createPool(String model) {
    chain.ok(queen, b -> b.setCreatePool(pool(model, 5)));
  }

  void join(int i, long slots) {
    chain.ok(
        cold[i],
        b ->
            b.setJoinPool(
                MsgJoinPool.newBuilder()
                    .setPoolId(1)
                    .setSlots(slots)
                    .setExecutor(TestChain.addrBytes(exec[i]))));
  }

  static MsgSubmitJob.Builder submission(long pool, int seed, long budget) {
    byte[] s = new byte[32];
    s[31] = (byte) seed;
    return MsgSubmitJob.newBuilder()
        .setPoolId(pool)
        .setInputSeed(ByteString.copyFrom(s))
        .setMaxBudget(budget);
  }

  /** Submits a job to pool 1 as alice; returns its id. */
  long submit(int seed) {
    var r = chain.ok(alice, b -> b.setSubmitJob(submission(1, seed, 40)));
    return Long.parseLong(EpochFlowTest.attr(r.getEventsList(), "job_submitted", "job_id"));
  }

  Job job(long id) {
    return Store.readOnly(chain.state).job(id);
  }

  Node node(int i) {
    return Store.readOnly(chain.state).node(1, i + 1);
  }

  JsonNode jobJson(long id) {
    return chain.query("/job/" + id);
  }

  /**
   * The output an executor commits: exact, or with {@code skipPpm} of the rows left zero. An fp32
   * job's output is the float bits of a product summed with k descending, the reverse of the
   * verifier's order, so only the tolerance lets it pass.
   */
  static int[] output(Job job, int skipPpm) {
    Workload w = Workload.parse(job.getWorkload());
    byte[] seed = job.getInputSeed().toByteArray();
    if (w.isFloat()) {
      float[] c = reversedProduct(Fp32GemmInputs.generate(w, seed, job.getId()));
      for (int row : CpuGemm.skippedRows(w.n(), skipPpm, job.getId())) {
        java.util.Arrays.fill(c, row * w.n(), (row + 1) * w.n(), 0f);
      }
      return OutputCommitment.floatBits(c);
    }
    GemmInputs in = GemmInputs.generate(w, seed, job.getId());
    return skipPpm == 0 ? CpuGemm.multiply(in) : CpuGemm.computeFaulty(in, skipPpm, job.getId());
  }

  private static float[] reversedProduct(Fp32GemmInputs in) {
    int n = in.n();
    float[] a = in.a();
    float[] b = in.b();
    float[] c = new float[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0;
        for (int k = n - 1; k >= 0; k--) {
          s += a[i * n + k] * b[k * n + j];
        }
        c[i * n + j] = s;
      }
    }
    return c;
  }

  SignedAttestation attestation(int i, Job job, int skipPpm, long workedMillis) {
    int n = Workload.parse(job.getWorkload()).n();
    OutputCommitment commitment = OutputCommitment.of(n, output(job, skipPpm));
    Attestation a =
        Attestation.newBuilder()
            .setJobId(job.getId())
            .setExecutorPubKey(ByteString.copyFrom(exec[i].publicKey()))
            .setSubnetId(job.getSubnetId())
            .setNodeId(job.getNodeId())
            .setWorkload(job.getWorkload())
            .setSeed(job.getInputSeed())
            .setOutputRoot(ByteString.copyFrom(commitment.root()))
            .setStartedHeight(job.getAssignedHeight())
            .setFinishedHeight(chain.height)
            .setWorkedMillis(workedMillis)
            .build();
    return Attestations.sign(a, exec[i]);
  }

  void commit(int i, long jobId, int skipPpm, long workedMillis) {
    SignedAttestation signed = attestation(i, job(jobId), skipPpm, workedMillis);
    chain.ok(exec[i], commitMsg(jobId, signed.toByteString()));
  }

  static Consumer<io.peerz.ledger.proto.TxBody.Builder> commitMsg(long id, ByteString signed) {
    return b ->
        b.setCommitResult(
            MsgCommitResult.newBuilder().setJobId(id).setSignedAttestation(signed).build());
  }

  /** Reveals the challenged rows of the output executor i committed (recomputed the same way). */
  io.peerz.ledger.proto.TxResult reveal(int i, long jobId) {
    return reveal(i, jobId, 0);
  }

  io.peerz.ledger.proto.TxResult reveal(int i, long jobId, int skipPpm) {
    Job job = job(jobId);
    int n = Workload.parse(job.getWorkload()).n();
    Challenge ch =
        Challenge.derive(
            job.getChallengeBlockHash().toByteArray(),
            job.getId(),
            Workload.parse(job.getWorkload()),
            job.getChallengeRowsCount());
    var reveal = OutputCommitment.of(n, output(job, skipPpm)).reveal(ch);
    return chain.ok(
        exec[i],
        b ->
            b.setRevealRows(
                MsgRevealRows.newBuilder().setJobId(jobId).setReveal(reveal.toByteString())));
  }

  /** Commits, lets the challenge block pass and reveals: one whole honest or faulty attempt. */
  io.peerz.ledger.proto.TxResult work(int i, long jobId, int skipPpm) {
    commit(i, jobId, skipPpm, 10);
    chain.block();
    return reveal(i, jobId, skipPpm);
  }

  /** Which executor index a job is assigned to, or -1. */
  int assignee(long jobId) {
    Job j = job(jobId);
    for (int i = 0; i < exec.length; i++) {
      if (j.getExecutor().equals(TestChain.addrBytes(exec[i]))) {
        return i;
      }
    }
    return -1;
  }

  static String hex(Ed25519KeyPair k) {
    return "0x" + Hex.encode(k.address().bytes());
  }
}
