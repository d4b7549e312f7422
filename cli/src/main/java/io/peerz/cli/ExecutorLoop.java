package io.peerz.cli;

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
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgCommitResult;
import io.peerz.ledger.proto.MsgRevealRows;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The executor daemon's loop: polls the executor's open jobs over JSON-RPC; for an assigned job
 * regenerates the inputs from the seed, multiplies through {@link Gemm}, commits a signed
 * attestation of the output root; for a challenged one reveals the sampled rows with their proofs.
 * Every tx is recorded in {@link ExecutorState} before it is sent.
 */
final class ExecutorLoop {
  /** The matrix product seam: the CPU reference by default, a GPU backend when plugged in. */
  @FunctionalInterface
  interface Gemm {
    int[] multiply(int n, byte[] a, byte[] b);

    /** The fp32-gemm product; the CPU reference unless the backend has its own. */
    default float[] multiplyFloat(int n, float[] a, float[] b) {
      return CpuGemm.multiplyFloat(n, a, b);
    }
  }

  private final RpcClient rpc;
  private final Ed25519KeyPair key;
  private final String address;
  private final Gemm gemm;
  private final int skipPpm;
  private final ExecutorState state;
  private final PrintWriter out;
  private final Duration poll;
  private final Duration txTimeout;
  private final Map<Long, int[]> outputs = new HashMap<>();
  private final Map<Long, String> lastSeen = new HashMap<>();
  private final Map<Long, Long> lastSent = new HashMap<>();
  private String chainId;

  ExecutorLoop(
      RpcClient rpc,
      Ed25519KeyPair key,
      Gemm gemm,
      int skipPpm,
      ExecutorState state,
      PrintWriter out,
      Duration poll,
      Duration txTimeout) {
    this.rpc = rpc;
    this.key = key;
    this.address = key.address().toString();
    this.gemm = gemm;
    this.skipPpm = skipPpm;
    this.state = state;
    this.out = out;
    this.poll = poll;
    this.txTimeout = txTimeout;
  }

  /** Runs until {@code stop} says so; node outages are reported and retried. */
  void run(BooleanSupplier stop) throws InterruptedException {
    say(
        "executor "
            + address
            + " following "
            + rpc.endpoint()
            + (skipPpm > 0 ? " (faulty: skips " + skipPpm / 10_000.0 + "% of rows)" : ""));
    warmUp();
    String waiting = null;
    while (!stop.getAsBoolean()) {
      try {
        step();
        waiting = null;
      } catch (CliException e) {
        if (!e.getMessage().equals(waiting)) {
          say("waiting: " + e.getMessage());
          waiting = e.getMessage();
        }
      }
      Thread.sleep(poll.toMillis()); // the daemon's polling interval
    }
  }

  /**
   * A few products before the first job, so the benchmark (which sets the executor's efficiency)
   * measures compiled code rather than the JIT's warm-up.
   */
  private void warmUp() {
    Workload w = new Workload(256);
    GemmInputs in = GemmInputs.generate(w, new byte[32], 0);
    long t0 = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      gemm.multiply(w.n(), in.a(), in.b());
    }
    say("warmed up: 5 x " + w.name() + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  /** One pass over the executor's open jobs. */
  void step() {
    if (chainId == null) {
      chainId = NodeFacts.chainId(rpc);
    }
    RpcClient.QueryAnswer a = rpc.abciQuery("/executor/" + address + "/jobs");
    if (!a.ok()) {
      throw new CliException("executor not registered yet (" + a.log() + ")");
    }
    JsonNode list = Json.parse(a.value(), "/executor/jobs").path("jobs");
    List<Long> open = new ArrayList<>();
    for (JsonNode job : list) {
      long id = job.path("id").asLong();
      open.add(id);
      String status = job.path("status").asText();
      String seen = status + "@" + job.path("assigned_height").asText();
      // A job seen in a new state, or one whose last tx has had txTimeout to land and did not.
      boolean changed = !seen.equals(lastSeen.put(id, seen)) || overdue(id);
      switch (status) {
        case "assigned" -> assigned(job, changed);
        case "challenged" -> {
          if (changed) {
            challenged(job);
          }
        }
        default -> {}
      }
    }
    for (long id : state.jobIds()) {
      if (!open.contains(id)) {
        finished(id);
      }
    }
  }

  private void assigned(JsonNode job, boolean changed) {
    long id = job.path("id").asLong();
    long assignedAt = job.path("assigned_height").asLong();
    ExecutorState.Entry known = state.get(id);
    if (known != null
        && known.assignedHeight() == assignedAt
        && !known.signedAttestationHex().isEmpty()) {
      if (!changed) {
        return; // our commit is on its way
      }
      say("job " + id + ": resending the recorded commit (after a restart, or not yet in a block)");
      sendCommit(id, known.signedAttestationHex());
      return;
    }
    Workload w = Workload.parse(job.path("workload").asText());
    boolean benchmark = job.path("kind").asText().equals("benchmark");
    byte[] seed = Hex.decode(job.path("input_seed").asText());
    long started = Math.max(assignedAt, latestHeight());
    say(
        "job "
            + id
            + ": "
            + (benchmark ? "benchmark " : "")
            + w.name()
            + " assigned at height "
            + assignedAt
            + ", computing...");
    long t0 = System.nanoTime();
    int[] c = compute(w, seed, id, !benchmark);
    long millis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
    OutputCommitment commitment = OutputCommitment.of(w.n(), c);
    outputs.put(id, c);
    long finished = Math.max(started, latestHeight());
    Attestation att =
        Attestation.newBuilder()
            .setJobId(id)
            .setExecutorPubKey(ByteString.copyFrom(key.publicKey()))
            .setSubnetId(job.path("subnet_id").asLong())
            .setNodeId(job.path("node_id").asLong())
            .setWorkload(w.name())
            .setSeed(ByteString.copyFrom(seed))
            .setOutputRoot(ByteString.copyFrom(commitment.root()))
            .setStartedHeight(started)
            .setFinishedHeight(finished)
            .setWorkedMillis(millis)
            .build();
    String signedHex = Hex.encode(Attestations.sign(att, key).toByteArray());
    say(
        "job "
            + id
            + ": 100% in "
            + millis
            + " ms, output root "
            + Hex.encodeUpper(commitment.root()).substring(0, 16)
            + "...");
    state.put(new ExecutorState.Entry(id, assignedAt, "commit", signedHex));
    sendCommit(id, signedHex);
  }

  private void sendCommit(long id, String signedHex) {
    lastSent.put(id, System.nanoTime());
    send(
        "job " + id + ": commit",
        b ->
            b.setCommitResult(
                MsgCommitResult.newBuilder()
                    .setJobId(id)
                    .setSignedAttestation(ByteString.copyFrom(Hex.decode(signedHex)))));
  }

  private void challenged(JsonNode job) {
    long id = job.path("id").asLong();
    Workload w = Workload.parse(job.path("workload").asText());
    int[] c = outputs.get(id);
    if (c == null) {
      // After a restart: the output is a pure function of (seed, job id, faultiness).
      boolean benchmark = job.path("kind").asText().equals("benchmark");
      c = compute(w, Hex.decode(job.path("input_seed").asText()), id, !benchmark);
      outputs.put(id, c);
    }
    byte[] blockHash = Hex.decode(job.path("challenge_block_hash").asText());
    Challenge ch = Challenge.derive(blockHash, id, w, job.path("challenge_rows").size());
    var reveal = OutputCommitment.of(w.n(), c).reveal(ch);
    ExecutorState.Entry known = state.get(id);
    state.put(
        new ExecutorState.Entry(
            id,
            job.path("assigned_height").asLong(),
            "reveal",
            known == null ? "" : known.signedAttestationHex()));
    say("job " + id + ": challenged on " + ch.rows().length + " rows, revealing");
    lastSent.put(id, System.nanoTime());
    send(
        "job " + id + ": reveal",
        b ->
            b.setRevealRows(
                MsgRevealRows.newBuilder().setJobId(id).setReveal(reveal.toByteString())));
  }

  private boolean overdue(long id) {
    Long sent = lastSent.get(id);
    return sent != null && System.nanoTime() - sent > txTimeout.toNanos();
  }

  private void finished(long id) {
    RpcClient.QueryAnswer a = rpc.abciQuery("/job/" + id);
    if (a.ok()) {
      JsonNode j = Json.parse(a.value(), "/job/" + id);
      List<JsonNode> attempts = new ArrayList<>();
      j.path("attempts").forEach(attempts::add);
      String mine = "";
      for (JsonNode at : attempts) {
        if (at.path("executor").asText().equalsIgnoreCase(address)) {
          mine = at.path("outcome").asText() + " (slashed " + at.path("slashed").asText() + ")";
        }
      }
      say(
          "job "
              + id
              + ": "
              + mine
              + "; job is "
              + j.path("status").asText()
              + ", payment "
              + j.path("payment").asText());
    }
    outputs.remove(id);
    lastSeen.remove(id);
    lastSent.remove(id);
    state.remove(id);
  }

  /** The output as committed: int32 values, or an fp32 job's float bits (0 is 0.0f either way). */
  private int[] compute(Workload w, byte[] seed, long jobId, boolean mayCheat) {
    int[] c;
    if (w.isFloat()) {
      Fp32GemmInputs in = Fp32GemmInputs.generate(w, seed, jobId);
      c = OutputCommitment.floatBits(gemm.multiplyFloat(w.n(), in.a(), in.b()));
    } else {
      GemmInputs in = GemmInputs.generate(w, seed, jobId);
      c = gemm.multiply(w.n(), in.a(), in.b());
    }
    if (mayCheat && skipPpm > 0) {
      // The faulty executor leaves the rows CpuGemm.computeFaulty would skip as zeros.
      for (int row : CpuGemm.skippedRows(w.n(), skipPpm, jobId)) {
        java.util.Arrays.fill(c, row * w.n(), (row + 1) * w.n(), 0);
      }
    }
    return c;
  }

  private long latestHeight() {
    return rpc.status().path("sync_info").path("latest_block_height").asLong(0);
  }

  private void send(String what, java.util.function.Consumer<TxBody.Builder> msg) {
    long fee = NodeFacts.minFee(rpc);
    long nonce = NodeFacts.nonce(rpc, address);
    TxBody.Builder body = TxSubcommand.body(chainId, key.publicKey(), nonce, fee, "");
    msg.accept(body);
    Tx tx = Transactions.sign(body.build(), key);
    byte[] bytes = tx.toByteArray();
    byte[] hash = Transactions.hash(bytes);
    RpcClient.Broadcast check = rpc.broadcastTxSync(bytes);
    if (check.code() != 0) {
      say(what + " rejected by the mempool: code " + check.code() + " " + check.log());
      return;
    }
    long deadline = System.nanoTime() + txTimeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      var found = rpc.tx(hash);
      if (found.isPresent()) {
        JsonNode r = found.get().path("tx_result");
        int code = r.path("code").asInt(0);
        say(
            what
                + " in block "
                + found.get().path("height").asText()
                + (code == 0
                    ? ""
                    : ": code "
                        + code
                        + " ("
                        + r.path("codespace").asText()
                        + ") "
                        + r.path("log").asText()));
        return;
      }
      try {
        Thread.sleep(200); // waiting for the tx's block
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    say(what + ": not in a block after " + txTimeout.toSeconds() + "s; will check again");
  }

  private void say(String line) {
    out.println(line);
    out.flush();
  }

  /** The default backend: the CPU reference. */
  static Gemm cpu() {
    return CpuGemm::multiply;
  }
}
