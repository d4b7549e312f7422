package io.peerz.gpu.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.attest.Attestations;
import io.peerz.attest.Challenge;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.DataWorkload;
import io.peerz.attest.EntryChallenge;
import io.peerz.attest.Fp32GemmInputs;
import io.peerz.attest.GemmCommitments;
import io.peerz.attest.GemmInputs;
import io.peerz.attest.InferenceCheck;
import io.peerz.attest.InferenceCommitments;
import io.peerz.attest.Int32Matrix;
import io.peerz.attest.Int8Matrix;
import io.peerz.attest.MatrixCommitment;
import io.peerz.attest.ModelCommitment;
import io.peerz.attest.ModelFormatException;
import io.peerz.attest.NpyFile;
import io.peerz.attest.NpyFormatException;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.QuantizedLayer;
import io.peerz.attest.QuantizedMlp;
import io.peerz.attest.RowProof;
import io.peerz.attest.Workload;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.ElementType;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.MatrixLayout;
import io.peerz.gpu.GemmBackend;
import io.peerz.gpu.data.DataClient;
import io.peerz.gpu.data.DataRejectedException;
import io.peerz.gpu.data.DataServer;
import io.peerz.gpu.data.DataTransferException;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgCommitResult;
import io.peerz.ledger.proto.MsgPostRows;
import io.peerz.ledger.proto.MsgReportMissingInputs;
import io.peerz.ledger.proto.MsgRevealEntries;
import io.peerz.ledger.proto.MsgRevealRows;
import io.peerz.ledger.proto.MsgSetDataUrl;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor daemon ({@code peerz server}): polls the executor's open jobs; for a seeded job it
 * regenerates the inputs, for a data job it takes the buyer's uploads (or fetches the job's URLs)
 * through its data endpoint and checks them against the committed roots; it multiplies through its
 * {@link GemmBackend}, commits a signed attestation, answers challenges (rows or entries), serves a
 * data job's output for the retention window, answers availability requests, and reports inputs
 * that never arrived. Every tx is recorded in {@link ExecutorState} before it leaves, and a data
 * job's files live under {@code workDir/jobs/<id>}, so a restart loses no work.
 *
 * <p>One thread, the polling loop, owns the state, the node and every tx. Products run on workers
 * ({@code Parts.compute}), at most {@code Parts.slots} at once, and hand their commitments back to
 * the loop, which signs and sends them; so a long job (a large gemm-int8, an mlp-int8 batch) never
 * delays the loop's answers for other jobs: reveals, availability posts, missing-input reports.
 */
public final class ExecutorDaemon {
  private static final Logger log = LoggerFactory.getLogger(ExecutorDaemon.class);

  private final NodeClient node;
  private final Ed25519KeyPair key;
  private final String address;
  private final GemmBackend gemm;
  private final GemmBackend floats;
  private final Faults faults;
  private final ExecutorState state;
  private final Path workDir;
  private final DataServer data;
  private final URI publicUrl;
  private final DataClient client;
  private final ExecutorService fetches;
  private final ExecutorService compute;
  private final int slots;
  private final PrintWriter out;
  private final Duration poll;
  private final Duration txTimeout;
  private final ExecutorMetrics metrics;
  private final Map<Long, OutputCommitment> seededOutputs = new HashMap<>();
  private final Map<Long, Computation> computing = new HashMap<>();
  private final Map<Long, GemmCommitments> commitments = new HashMap<>();
  private final Map<Long, InferenceCommitments> inferences = new HashMap<>();
  private final Map<String, CompletableFuture<PoolModel>> models = new HashMap<>();
  private final Map<Long, List<CompletableFuture<Path>>> inputs = new HashMap<>();
  private final Set<Long> published = new HashSet<>();
  private final Map<String, String> lastSeen = new HashMap<>();
  private final Map<String, Long> lastSent = new HashMap<>();
  private String chainId;
  private JsonNode params;

  /**
   * The daemon's parts; {@code data} serves data jobs (null: data jobs are not taken); {@code
   * fetches} runs input and model downloads; {@code compute} runs the products, at most {@code
   * slots} at once (it needs that many threads; the chain assigns an executor at most the slots it
   * joined pools with, so more would never be used).
   */
  public record Parts(
      NodeClient node,
      Ed25519KeyPair key,
      GemmBackend gemm,
      GemmBackend floats,
      Faults faults,
      ExecutorState state,
      Path workDir,
      DataServer data,
      URI publicUrl,
      DataClient client,
      ExecutorService fetches,
      ExecutorService compute,
      int slots,
      PrintWriter out,
      Duration poll,
      Duration txTimeout,
      ExecutorMetrics metrics) {
    /** Checks the parts that have rules. */
    public Parts {
      if (slots < 1) {
        throw new IllegalArgumentException("compute slots must be at least 1, got " + slots);
      }
    }
  }

  public ExecutorDaemon(Parts p) {
    this.node = p.node();
    this.key = p.key();
    this.address = p.key().address().toString();
    this.gemm = p.gemm();
    this.floats = p.floats();
    this.faults = p.faults();
    this.state = p.state();
    this.workDir = p.workDir();
    this.data = p.data();
    this.publicUrl = p.publicUrl();
    this.client = p.client();
    this.fetches = p.fetches();
    this.compute = p.compute();
    this.slots = p.slots();
    this.out = p.out();
    this.poll = p.poll();
    this.txTimeout = p.txTimeout();
    this.metrics = p.metrics();
  }

  /** Runs until {@code stop} says so; node outages are reported and retried. */
  public void run(BooleanSupplier stop) throws InterruptedException {
    say(
        "executor "
            + address
            + " following "
            + node.endpoint()
            + (data == null ? "" : ", data endpoint " + publicUrl)
            + (faults.any() ? " (faulty: " + faults.describe() + ")" : ""));
    warmUp();
    String waiting = null;
    while (!stop.getAsBoolean()) {
      try {
        step();
        waiting = null;
      } catch (NodeClient.NodeUnavailableException e) {
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
  public void step() {
    if (chainId == null) {
      chainId = node.chainId();
    }
    Optional<JsonNode> me = node.query("/executor/" + address);
    if (me.isEmpty()) {
      throw new NodeClient.NodeUnavailableException(
          "executor " + address + " is not registered yet (tx register-executor)");
    }
    announce(me.get());
    JsonNode list =
        node.query("/executor/" + address + "/jobs")
            .orElseThrow(() -> new NodeClient.NodeUnavailableException("no job list yet"))
            .path("jobs");
    long height = list.isMissingNode() ? 0 : node.latestHeight();
    List<Long> open = new ArrayList<>();
    for (JsonNode job : list) {
      long id = job.path("id").asLong();
      open.add(id);
      String status = job.path("status").asText();
      String seen = status + "@" + job.path("assigned_height").asText();
      String key = Long.toString(id);
      boolean changed = !seen.equals(lastSeen.put(key, seen)) || overdue(key);
      boolean dataJob = job.has("inputs");
      switch (status) {
        case "assigned" -> {
          if (dataJob) {
            dataAssigned(job, changed, height);
          } else {
            assigned(job, changed);
          }
        }
        case "challenged" -> {
          if (changed || computing.containsKey(id)) {
            if (dataJob) {
              dataChallenged(job);
            } else {
              challenged(job);
            }
          }
        }
        case "verified" -> {
          if (dataJob) {
            dataVerified(job);
          }
        }
        default -> {}
      }
    }
    // A result for a job that is no longer open is dropped; a running one is left to finish, and
    // its job's files stay until it has.
    computing
        .entrySet()
        .removeIf(c -> !open.contains(c.getKey()) && c.getValue().result().isDone());
    for (long id : state.jobIds()) {
      ExecutorState.Entry e = state.get(id);
      if (computing.containsKey(id)) {
        continue;
      }
      if (!open.contains(id) && e.retainUntil() == 0) {
        finished(id, height);
      } else if (e.retainUntil() > 0 && height >= e.retainUntil()) {
        forget(id);
        say("job " + id + ": retention over at height " + e.retainUntil() + ", output dropped");
        state.remove(id);
      }
    }
  }

  /** Tells the chain where this executor's data endpoint is, when it does not know yet. */
  private void announce(JsonNode me) {
    if (data == null || publicUrl.toString().equals(me.path("data_url").asText())) {
      return;
    }
    if (overdue("url") || !lastSent.containsKey("url")) {
      lastSent.put("url", System.nanoTime());
      send(
          "data endpoint " + publicUrl,
          b -> b.setSetDataUrl(MsgSetDataUrl.newBuilder().setDataUrl(publicUrl.toString())));
    }
  }

  // ---- seeded jobs ----

  private void assigned(JsonNode job, boolean changed) {
    long id = job.path("id").asLong();
    long assignedAt = job.path("assigned_height").asLong();
    ExecutorState.Entry known = state.get(id);
    if (known != null
        && known.assignedHeight() == assignedAt
        && !known.signedAttestationHex().isEmpty()) {
      if (changed) {
        say(
            "job "
                + id
                + ": resending the recorded commit (after a restart, or not yet in a block)");
        sendCommit(id, known.signedAttestationHex());
      }
      return;
    }
    Workload w = Workload.parse(job.path("workload").asText());
    boolean benchmark = job.path("kind").asText().equals("benchmark");
    byte[] seed = Hex.decode(job.path("input_seed").asText());
    Computed done =
        collect(
            job,
            (benchmark ? "benchmark " : "") + w.name() + " assigned at height " + assignedAt,
            () -> seededCommitment(w, seed, id, !benchmark),
            () -> {});
    if (done == null) {
      return;
    }
    OutputCommitment commitment = ((Seeded) done.output()).commitment();
    long millis = done.output().millis();
    seededOutputs.put(id, commitment);
    Attestation att =
        attestation(job, done.startedHeight(), millis)
            .setWorkload(w.name())
            .setSeed(ByteString.copyFrom(seed))
            .setOutputRoot(ByteString.copyFrom(commitment.root()))
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
    state.put(new ExecutorState.Entry(id, assignedAt, "commit", signedHex, 0));
    sendCommit(id, signedHex);
  }

  private Attestation.Builder attestation(JsonNode job, long started, long millis) {
    return Attestation.newBuilder()
        .setJobId(job.path("id").asLong())
        .setExecutorPubKey(ByteString.copyFrom(key.publicKey()))
        .setSubnetId(job.path("subnet_id").asLong())
        .setNodeId(job.path("node_id").asLong())
        .setStartedHeight(started)
        .setFinishedHeight(Math.max(started, node.latestHeight()))
        .setWorkedMillis(millis);
  }

  private void sendCommit(long id, String signedHex) {
    lastSent.put(Long.toString(id), System.nanoTime());
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
    OutputCommitment c = seededOutputs.get(id);
    if (c == null) {
      // After a restart: the output is a pure function of (seed, job id, faultiness), computed
      // again on the worker.
      boolean benchmark = job.path("kind").asText().equals("benchmark");
      byte[] seed = Hex.decode(job.path("input_seed").asText());
      Computed done =
          collect(
              job,
              "challenged after a restart: " + w.name() + " again",
              () -> seededCommitment(w, seed, id, !benchmark),
              () -> lastSeen.remove(Long.toString(id)));
      if (done == null) {
        return;
      }
      c = ((Seeded) done.output()).commitment();
      seededOutputs.put(id, c);
    }
    byte[] blockHash = Hex.decode(job.path("challenge_block_hash").asText());
    Challenge ch = Challenge.derive(blockHash, id, w, job.path("challenge_rows").size());
    var reveal = c.reveal(ch);
    recordPhase(job, "reveal");
    say("job " + id + ": challenged on " + ch.rows().length + " rows, revealing");
    lastSent.put(Long.toString(id), System.nanoTime());
    send(
        "job " + id + ": reveal",
        b ->
            b.setRevealRows(
                MsgRevealRows.newBuilder().setJobId(id).setReveal(reveal.toByteString())));
  }

  /**
   * On the worker: the output as committed, int32 values (through {@link GemmBackend#seededOutput},
   * which a GPU runs from seed to root on the device) or an fp32 job's float bits (0 is 0.0f either
   * way), with the time it took.
   */
  private Seeded seededCommitment(Workload w, byte[] seed, long jobId, boolean mayCheat) {
    long t0 = System.nanoTime();
    OutputCommitment c;
    if (w.isFloat()) {
      Fp32GemmInputs in = Fp32GemmInputs.generate(w, seed, jobId);
      c = OutputCommitment.ofFloats(w.n(), floats.multiplyFloat(w.n(), in.a(), in.b()));
    } else {
      c = gemm.seededOutput(w, seed, jobId);
    }
    long nanos = System.nanoTime() - t0;
    long millis = Math.max(1, nanos / 1_000_000);
    // Only a benchmark may not cheat: its callers pass !benchmark.
    metrics.computed(
        mayCheat ? ExecutorMetrics.Kind.POOL : ExecutorMetrics.Kind.BENCHMARK,
        w.n(),
        w.n(),
        w.n(),
        nanos);
    if (mayCheat && faults.skipRowsPpm() > 0) {
      c = skipping(c, CpuGemm.skippedRows(w.n(), faults.skipRowsPpm(), jobId));
    }
    return new Seeded(c, millis);
  }

  /**
   * The faulty executor's output: the rows CpuGemm.computeFaulty would skip left as zeros, the
   * others as computed (their leaves kept, so the device's product is not fetched for them).
   */
  static OutputCommitment skipping(OutputCommitment honest, int[] skipped) {
    int n = honest.n();
    byte[] zero = new byte[4 * n];
    Set<Integer> skip = new HashSet<>();
    for (int row : skipped) {
      skip.add(row);
    }
    byte[][] leaves = new byte[n][];
    for (int i = 0; i < n; i++) {
      leaves[i] = skip.contains(i) ? RowProof.leafHash(i, zero) : honest.leaf(i);
    }
    return OutputCommitment.ofLeaves(
        n,
        leaves,
        indices -> {
          int[] kept = Arrays.stream(indices).filter(i -> !skip.contains(i)).toArray();
          byte[][] computed = honest.rows(kept);
          byte[][] rows = new byte[indices.length][];
          for (int s = 0, k = 0; s < indices.length; s++) {
            rows[s] = skip.contains(indices[s]) ? zero.clone() : computed[k++];
          }
          return rows;
        });
  }

  // ---- the worker ----

  /** What the worker hands back to the loop, with the milliseconds the product took. */
  private sealed interface Output permits Seeded, Product, Inference {
    long millis();
  }

  /** A seeded job's output commitment. */
  private record Seeded(OutputCommitment commitment, long millis) implements Output {}

  /** A gemm-int8 job's commitments; c.npy is written. */
  private record Product(GemmCommitments commitments, long millis) implements Output {}

  /** An mlp-int8 job's commitments; every layer's files are written. */
  private record Inference(InferenceCommitments commitments, int layers, long millis)
      implements Output {}

  /** A product on the worker for one assignment of a job, started at {@code startedHeight}. */
  private record Computation(
      long assignedHeight, long startedHeight, CompletableFuture<Output> result) {}

  /** A finished product, handed to the loop. */
  private record Computed(Output output, long startedHeight) {}

  /**
   * The worker's product for this assignment of the job: started when a slot is free (at most
   * {@code slots} run at once: each takes the GPU, or every core of the CPU backend, for a while),
   * null while it runs, handed over once done. A failure is said, {@code onFailure} runs, and a
   * later pass starts it again.
   */
  private Computed collect(
      JsonNode job, String describe, Supplier<Output> work, Runnable onFailure) {
    long id = job.path("id").asLong();
    long assignedAt = job.path("assigned_height").asLong();
    Computation c = computing.get(id);
    if (c != null && c.assignedHeight() != assignedAt && c.result().isDone()) {
      computing.remove(id); // computed for an earlier assignment of the job
      c = null;
    }
    if (c == null) {
      if (computing.values().stream().filter(r -> !r.result().isDone()).count() >= slots) {
        return null; // every slot computes another job; this one waits its turn
      }
      long started = Math.max(assignedAt, node.latestHeight());
      say("job " + id + ": " + describe + ", computing on " + gemm.name() + "...");
      computing.put(
          id, new Computation(assignedAt, started, CompletableFuture.supplyAsync(work, compute)));
      return null;
    }
    if (c.assignedHeight() != assignedAt || !c.result().isDone()) {
      return null;
    }
    computing.remove(id);
    try {
      return new Computed(c.result().join(), c.startedHeight());
    } catch (CompletionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      say("job " + id + ": computing failed: " + cause.getMessage());
      log.warn("event=compute_failed job={} error={}", id, cause.toString());
      onFailure.run();
      return null;
    }
  }

  // ---- data jobs ----

  private Path jobDir(long id) {
    return workDir.resolve("jobs").resolve(Long.toString(id));
  }

  private void dataAssigned(JsonNode job, boolean changed, long height) {
    long id = job.path("id").asLong();
    long assignedAt = job.path("assigned_height").asLong();
    ExecutorState.Entry known = state.get(id);
    if (known != null
        && known.assignedHeight() == assignedAt
        && !known.signedAttestationHex().isEmpty()) {
      if (changed) {
        say(
            "job "
                + id
                + ": resending the recorded commit (after a restart, or not yet in a block)");
        sendCommit(id, known.signedAttestationHex());
      }
      return;
    }
    if (data == null) {
      return;
    }
    List<CommittedMatrix> committed = committedInputs(job);
    List<CompletableFuture<Path>> arriving = inputs.get(id);
    if (arriving == null || changed && known == null) {
      arriving = expectInputs(job, committed);
      inputs.put(id, arriving);
      state.put(new ExecutorState.Entry(id, assignedAt, "inputs", "", 0));
    }
    if (arriving.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally())) {
      computeDataJob(job, committed, arriving);
      return;
    }
    long reportFrom = assignedAt + missingInputsWait();
    if (height >= reportFrom && !lastSent.containsKey("missing/" + id)) {
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < committed.size(); i++) {
        if (!arriving.get(i).isDone() || arriving.get(i).isCompletedExceptionally()) {
          missing.add(committed.get(i).getName() + ".npy");
        }
      }
      lastSent.put("missing/" + id, System.nanoTime());
      say(
          "job "
              + id
              + ": inputs "
              + missing
              + " did not arrive by height "
              + reportFrom
              + ", reporting");
      send(
          "job " + id + ": missing inputs",
          b ->
              b.setReportMissingInputs(
                  MsgReportMissingInputs.newBuilder()
                      .setJobId(id)
                      .setDetail(
                          "no verified " + String.join(", ", missing) + " by height " + height)));
    }
  }

  /** Waits for each input: an upload to the data endpoint, or a fetch of the job's URL. */
  private List<CompletableFuture<Path>> expectInputs(
      JsonNode job, List<CommittedMatrix> committed) {
    long id = job.path("id").asLong();
    Path dir = jobDir(id);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    List<CompletableFuture<Path>> out = new ArrayList<>();
    for (int i = 0; i < committed.size(); i++) {
      CommittedMatrix m = committed.get(i);
      JsonNode in = job.path("inputs").get(i);
      String name = m.getName() + ".npy";
      long size = in.path("file_bytes").asLong();
      MatrixInputCheck check = new MatrixInputCheck(id, m);
      Path kept = dir.resolve(name);
      String url = in.path("url").asText("");
      if (Files.isRegularFile(kept)) {
        // Verified before a restart: checked again, not fetched again.
        out.add(checked(kept, check));
      } else if (!url.isEmpty()) {
        say("job " + id + ": fetching " + name + " from " + url);
        out.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    Path part = dir.resolve(name + ".part");
                    client.fetch(URI.create(url), part, size);
                    check.check(part);
                    Files.move(part, kept, StandardCopyOption.REPLACE_EXISTING);
                    return kept;
                  } catch (DataTransferException | DataRejectedException | IOException e) {
                    say("job " + id + ": " + name + " from " + url + " failed: " + e.getMessage());
                    throw new IllegalStateException(e.getMessage(), e);
                  }
                },
                fetches));
      } else {
        data.expectInput(id, name, size, check);
        say(
            "job "
                + id
                + ": waiting for the upload of "
                + name
                + " ("
                + size
                + " bytes) to "
                + publicUrl);
        out.add(
            data.input(id, name)
                .thenApply(
                    p -> {
                      try {
                        Files.copy(p, kept, StandardCopyOption.REPLACE_EXISTING);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                      say("job " + id + ": " + name + " verified against its committed root");
                      return kept;
                    }));
      }
    }
    return out;
  }

  private static CompletableFuture<Path> checked(Path file, MatrixInputCheck check) {
    try {
      check.check(file);
      return CompletableFuture.completedFuture(file);
    } catch (DataRejectedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void computeDataJob(
      JsonNode job, List<CommittedMatrix> committed, List<CompletableFuture<Path>> arriving) {
    if (isInference(job)) {
      computeInference(job, committed, arriving.get(0).join());
      return;
    }
    long id = job.path("id").asLong();
    long assignedAt = job.path("assigned_height").asLong();
    Path aFile = arriving.get(0).join();
    Path bFile = arriving.get(1).join();
    Computed done =
        collect(
            job,
            "gemm-int8 "
                + committed.get(0).getRows()
                + " x "
                + committed.get(0).getCols()
                + " x "
                + committed.get(1).getCols(),
            () -> product(id, aFile, bFile),
            () -> inputs.remove(id));
    if (done == null) {
      return;
    }
    GemmCommitments g = ((Product) done.output()).commitments();
    long millis = done.output().millis();
    commitments.put(id, g);
    inputs.remove(id);
    publish(id);
    Attestation att =
        attestation(job, done.startedHeight(), millis)
            .setWorkload("gemm-int8")
            .addAllInputs(committed)
            .addAllOutputs(g.outputs())
            .build();
    String signedHex = Hex.encode(Attestations.sign(att, key).toByteArray());
    say(
        "job "
            + id
            + ": 100% in "
            + millis
            + " ms, c root "
            + Hex.encodeUpper(g.outputs().get(0).getRoot().toByteArray()).substring(0, 16)
            + "...");
    state.put(new ExecutorState.Entry(id, assignedAt, "commit", signedHex, 0));
    sendCommit(id, signedHex);
  }

  /** On the worker: C = A x B of the verified inputs, written to c.npy, and its commitments. */
  private Product product(long id, Path aFile, Path bFile) {
    Int8Matrix a;
    Int8Matrix b;
    try {
      a = NpyFile.readInt8(aFile);
      b = NpyFile.readInt8(bFile);
    } catch (IOException | NpyFormatException e) {
      throw new IllegalStateException("cannot read its verified inputs: " + e.getMessage(), e);
    }
    long t0 = System.nanoTime();
    int[] c = gemm.multiply(a.rows(), a.cols(), b.cols(), a.data(), b.data());
    long nanos = System.nanoTime() - t0;
    long millis = Math.max(1, nanos / 1_000_000);
    metrics.computed(ExecutorMetrics.Kind.DATA, a.rows(), a.cols(), b.cols(), nanos);
    if (faults.corruptEntry()) {
      c[(a.rows() / 2) * b.cols() + b.cols() / 2] += 1;
    }
    Int32Matrix cm = new Int32Matrix(a.rows(), b.cols(), c);
    Path cFile = jobDir(id).resolve("c.npy");
    try {
      NpyFile.writeInt32(cFile, cm);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + cFile, e);
    }
    return new Product(GemmCommitments.of(a, b, cm), millis);
  }

  /**
   * Serves the job's outputs, c.npy or every layers.*.npy (copies: the data server moves what it
   * publishes), unless faulty no-serve.
   */
  private void publish(long id) {
    if (faults.noServe() || data == null || published.contains(id)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(jobDir(id))) {
      files =
          list.filter(
                  f -> {
                    String n = f.getFileName().toString();
                    return n.equals("c.npy") || n.startsWith("layers.") && n.endsWith(".npy");
                  })
              .sorted()
              .toList();
    } catch (IOException e) {
      return;
    }
    if (files.isEmpty()) {
      return;
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      try {
        Path copy = jobDir(id).resolve(name + ".publish");
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        data.publishOutput(id, name, copy);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot publish " + file, e);
      }
    }
    published.add(id);
  }

  // ---- mlp-int8 jobs ----

  /** A pool's model as this executor checked it: the layers and their commitment. */
  record PoolModel(QuantizedMlp mlp, ModelCommitment commitment) {}

  /**
   * The pool's model, fetched once from its URL into {@code workDir/models/<root>.safetensors} and
   * kept; the file must be a valid model whose commitment is the one the pool states. Null while
   * the fetch runs; a failure is reported once and retried on a later job.
   */
  private PoolModel poolModel(long poolId) {
    JsonNode pool =
        node.query("/pool/" + poolId)
            .orElseThrow(() -> new NodeClient.NodeUnavailableException("no pool " + poolId));
    JsonNode m = pool.path("model_commitment");
    CommittedModel stated;
    try {
      stated = CommittedModel.parseFrom(Base64.getDecoder().decode(m.path("bytes").asText()));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalStateException("pool " + poolId + " states no readable model commitment", e);
    }
    String root = Hex.encodeUpper(stated.getRoot().toByteArray());
    CompletableFuture<PoolModel> f = models.get(root);
    if (f != null && f.isCompletedExceptionally()) {
      models.remove(root);
      f = null;
    }
    if (f == null) {
      Path dir = workDir.resolve("models");
      Path kept = dir.resolve(root + ".safetensors");
      String url = m.path("url").asText();
      long size = m.path("file_bytes").asLong();
      if (Files.isRegularFile(kept)) {
        // Kept from an earlier job or run: checked again, not fetched again.
        f = new CompletableFuture<>();
        try {
          f.complete(loadModel(poolId, stated, kept, url));
        } catch (IllegalStateException e) {
          f.completeExceptionally(e);
        }
      } else {
        f =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    Files.createDirectories(dir);
                    say("pool " + poolId + ": fetching its model from " + url);
                    Path part = dir.resolve(root + ".part");
                    client.fetch(URI.create(url), part, size);
                    Files.move(part, kept, StandardCopyOption.REPLACE_EXISTING);
                  } catch (IOException | DataTransferException e) {
                    say("pool " + poolId + ": its model cannot be fetched: " + e.getMessage());
                    throw new IllegalStateException(e.getMessage(), e);
                  }
                  return loadModel(poolId, stated, kept, url);
                },
                fetches);
      }
      models.put(root, f);
    }
    return f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
  }

  /** The kept model file, read, checked and compared with the pool's commitment. */
  private PoolModel loadModel(long poolId, CommittedModel stated, Path kept, String url) {
    try {
      QuantizedMlp mlp = QuantizedMlp.read(kept);
      ModelCommitment c = ModelCommitment.of(mlp);
      if (!c.committed().equals(stated)) {
        Files.deleteIfExists(kept);
        throw new IllegalStateException(
            "the file at " + url + " is not the model pool " + poolId + " commits to");
      }
      say(
          "pool "
              + poolId
              + ": model "
              + Hex.encodeUpper(c.root()).substring(0, 16)
              + "... checked ("
              + mlp.layers().size()
              + " layers), kept");
      return new PoolModel(mlp, c);
    } catch (IOException | ModelFormatException e) {
      say("pool " + poolId + ": its model cannot be used: " + e.getMessage());
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private void computeInference(JsonNode job, List<CommittedMatrix> committed, Path xFile) {
    long id = job.path("id").asLong();
    PoolModel model = poolModel(job.path("pool_id").asLong());
    if (model == null) {
      return; // the model is on its way; the next pass computes
    }
    long assignedAt = job.path("assigned_height").asLong();
    Computed done =
        collect(
            job,
            "mlp-int8 "
                + committed.get(0).getRows()
                + " x "
                + committed.get(0).getCols()
                + " through "
                + model.mlp().layers().size()
                + " layers",
            () -> inference(id, model, xFile),
            () -> inputs.remove(id));
    if (done == null) {
      return;
    }
    Inference result = (Inference) done.output();
    InferenceCommitments c = result.commitments();
    inferences.put(id, c);
    inputs.remove(id);
    publish(id);
    Attestation att =
        attestation(job, done.startedHeight(), result.millis())
            .setWorkload(DataWorkload.MLP_INT8.workloadName())
            .addAllInputs(committed)
            .addAllOutputs(c.outputs())
            .build();
    String signedHex = Hex.encode(Attestations.sign(att, key).toByteArray());
    say(
        "job "
            + id
            + ": 100% in "
            + result.millis()
            + " ms, "
            + result.layers()
            + " layers committed (logits root "
            + Hex.encodeUpper(c.outputs().get(c.outputs().size() - 1).getRoot().toByteArray())
                .substring(0, 16)
            + "...)");
    state.put(new ExecutorState.Entry(id, assignedAt, "commit", signedHex, 0));
    sendCommit(id, signedHex);
  }

  /**
   * On the worker: every layer of the model on the verified batch through {@link GemmBackend#layer}
   * (on a GPU the requantization runs on the device too), each layer's files written, and the
   * commitments.
   */
  private Inference inference(long id, PoolModel model, Path xFile) {
    Int8Matrix x;
    try {
      x = NpyFile.readInt8(xFile);
    } catch (IOException | NpyFormatException e) {
      throw new IllegalStateException("cannot read its verified input: " + e.getMessage(), e);
    }
    long t0 = System.nanoTime();
    List<QuantizedLayer.Result> results = model.mlp().run(x.rows(), x.data(), gemm::layer);
    long millis = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
    if (faults.corruptEntry()) {
      results = corruptHidden(model.mlp(), results);
    }
    Path dir = jobDir(id);
    try {
      for (int l = 0; l < results.size(); l++) {
        QuantizedLayer.Result r = results.get(l);
        NpyFile.writeInt32(
            dir.resolve(InferenceCommitments.accumulatorsName(l) + ".npy"),
            new Int32Matrix(r.rows(), r.cols(), r.accumulators()));
        NpyFile.writeInt8(
            dir.resolve(InferenceCommitments.outputsName(l) + ".npy"),
            new Int8Matrix(r.rows(), r.cols(), r.outputs()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write job " + id + "'s layers under " + dir, e);
    }
    return new Inference(
        InferenceCommitments.of(model.commitment(), x, results), results.size(), millis);
  }

  /**
   * The faulty executor's run: one activation of the first layer (the hidden layer of an MLP) off
   * by one, the later layers computed from it so they are consistent with the lie.
   */
  private List<QuantizedLayer.Result> corruptHidden(
      QuantizedMlp mlp, List<QuantizedLayer.Result> honest) {
    QuantizedLayer.Result first = honest.get(0);
    byte[] out = first.outputs().clone();
    int at = (first.rows() / 2) * first.cols() + first.cols() / 2;
    out[at] = (byte) (out[at] == Byte.MAX_VALUE ? out[at] - 1 : out[at] + 1);
    List<QuantizedLayer.Result> cheat = new ArrayList<>();
    cheat.add(new QuantizedLayer.Result(first.rows(), first.cols(), first.accumulators(), out));
    byte[] in = out;
    for (int l = 1; l < honest.size(); l++) {
      QuantizedLayer.Result r = gemm.layer(mlp.layers().get(l), first.rows(), in);
      cheat.add(r);
      in = r.outputs();
    }
    return cheat;
  }

  /** An mlp-int8 job's commitments, from memory or, after a restart, from its files. */
  private InferenceCommitments inferenceOf(JsonNode job) {
    long id = job.path("id").asLong();
    InferenceCommitments c = inferences.get(id);
    if (c != null) {
      return c;
    }
    PoolModel model = poolModel(job.path("pool_id").asLong());
    if (model == null) {
      throw new NodeClient.NodeUnavailableException("job " + id + ": its model is being fetched");
    }
    Path dir = jobDir(id);
    try {
      Int8Matrix x = NpyFile.readInt8(dir.resolve(InferenceCommitments.INPUT + ".npy"));
      List<QuantizedLayer.Result> results = new ArrayList<>();
      for (int l = 0; l < model.mlp().layers().size(); l++) {
        Int32Matrix acc =
            NpyFile.readInt32(dir.resolve(InferenceCommitments.accumulatorsName(l) + ".npy"));
        Int8Matrix out =
            NpyFile.readInt8(dir.resolve(InferenceCommitments.outputsName(l) + ".npy"));
        results.add(new QuantizedLayer.Result(acc.rows(), acc.cols(), acc.data(), out.data()));
      }
      c = InferenceCommitments.of(model.commitment(), x, results);
    } catch (IOException | NpyFormatException e) {
      throw new IllegalStateException("job " + id + "'s files under " + dir + " are gone: " + e, e);
    }
    inferences.put(id, c);
    return c;
  }

  /** The job's commitments, from memory or, after a restart, from its files. */
  private GemmCommitments commitmentsOf(long id) {
    GemmCommitments g = commitments.get(id);
    if (g != null) {
      return g;
    }
    Path dir = jobDir(id);
    try {
      g =
          GemmCommitments.of(
              NpyFile.readInt8(dir.resolve("a.npy")),
              NpyFile.readInt8(dir.resolve("b.npy")),
              NpyFile.readInt32(dir.resolve("c.npy")));
    } catch (IOException | NpyFormatException e) {
      throw new IllegalStateException("job " + id + "'s files under " + dir + " are gone: " + e, e);
    }
    commitments.put(id, g);
    return g;
  }

  private void dataChallenged(JsonNode job) {
    long id = job.path("id").asLong();
    publish(id);
    byte[] blockHash = Hex.decode(job.path("challenge_block_hash").asText());
    int count = job.path("challenge_rows").size();
    EntryReveal reveal;
    EntryChallenge ch;
    if (isInference(job)) {
      InferenceCommitments c = inferenceOf(job);
      ch = EntryChallenge.derive(blockHash, id, InferenceCheck.challengeShape(c.outputs()), count);
      reveal = c.reveal(ch);
    } else {
      GemmCommitments g = commitmentsOf(id);
      ch = EntryChallenge.derive(blockHash, id, g.outputs().get(0), count);
      reveal = g.reveal(ch);
    }
    recordPhase(job, "reveal");
    say("job " + id + ": challenged on " + ch.size() + " entries, revealing");
    lastSent.put(Long.toString(id), System.nanoTime());
    send(
        "job " + id + ": reveal",
        b ->
            b.setRevealEntries(
                MsgRevealEntries.newBuilder().setJobId(id).setReveal(reveal.toByteString())));
  }

  private void dataVerified(JsonNode job) {
    long id = job.path("id").asLong();
    publish(id);
    JsonNode req = job.path("availability");
    if (req.isMissingNode()
        || req.path("deadline_height").asLong() == 0
        || req.path("answered_height").asLong() != 0
        || faults.noServe()) {
      return;
    }
    String key = "rows/" + id + "/" + req.path("requested_height").asText();
    if (lastSent.containsKey(key) && !overdue(key)) {
      return;
    }
    List<Integer> rows = new ArrayList<>();
    req.path("rows").forEach(r -> rows.add(r.asInt()));
    var posted =
        isInference(job)
            ? inferenceOf(job).rows(id, req.path("output").asText(), rows)
            : commitmentsOf(id).rows(id, rows);
    lastSent.put(key, System.nanoTime());
    say("job " + id + ": availability request for rows " + rows + ", posting them");
    send(
        "job " + id + ": post rows",
        b -> b.setPostRows(MsgPostRows.newBuilder().setJobId(id).setRows(posted.toByteString())));
  }

  private static boolean isInference(JsonNode job) {
    return job.path("workload").asText().equals(DataWorkload.MLP_INT8.workloadName());
  }

  private long missingInputsWait() {
    JsonNode p = params();
    long input = p.path("input_timeout_blocks").asLong(10);
    long job = p.path("job_timeout_blocks").asLong(20);
    return Math.min(input, Math.max(0, job - 1));
  }

  private JsonNode params() {
    if (params == null) {
      params =
          node.query("/params")
              .orElseThrow(() -> new NodeClient.NodeUnavailableException("no /params yet"));
    }
    return params;
  }

  /** The job's inputs as committed on chain (name, shape, type, layout, root). */
  static List<CommittedMatrix> committedInputs(JsonNode job) {
    List<CommittedMatrix> out = new ArrayList<>();
    for (JsonNode in : job.path("inputs")) {
      out.add(
          MatrixCommitment.shape(
                  in.path("name").asText(),
                  in.path("rows").asInt(),
                  in.path("cols").asInt(),
                  in.path("dtype").asText().equals("int32")
                      ? ElementType.ELEMENT_TYPE_INT32
                      : ElementType.ELEMENT_TYPE_INT8,
                  in.path("layout").asText().equals("columns")
                      ? MatrixLayout.MATRIX_LAYOUT_COLUMNS
                      : MatrixLayout.MATRIX_LAYOUT_ROWS)
              .toBuilder()
              .setRoot(ByteString.copyFrom(Hex.decode(in.path("root").asText())))
              .build());
    }
    return out;
  }

  // ---- common ----

  private void recordPhase(JsonNode job, String phase) {
    long id = job.path("id").asLong();
    ExecutorState.Entry known = state.get(id);
    state.put(
        new ExecutorState.Entry(
            id,
            job.path("assigned_height").asLong(),
            phase,
            known == null ? "" : known.signedAttestationHex(),
            0));
  }

  private boolean overdue(String key) {
    Long sent = lastSent.get(key);
    return sent != null && System.nanoTime() - sent > txTimeout.toNanos();
  }

  private void finished(long id, long height) {
    Optional<JsonNode> found = node.query("/job/" + id);
    long retainUntil = 0;
    if (found.isPresent()) {
      JsonNode j = found.get();
      String mine = "";
      for (JsonNode at : j.path("attempts")) {
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
      long verified = j.path("verified_height").asLong(0);
      boolean mineVerified = j.path("executor").asText().equalsIgnoreCase(address) && verified > 0;
      if (j.has("inputs") && mineVerified) {
        retainUntil = verified + params().path("output_retention_blocks").asLong(0);
      }
    }
    seededOutputs.remove(id);
    lastSeen.remove(Long.toString(id));
    lastSent.remove(Long.toString(id));
    if (retainUntil > height) {
      ExecutorState.Entry e = state.get(id);
      state.put(
          new ExecutorState.Entry(
              id, e.assignedHeight(), "retained", e.signedAttestationHex(), retainUntil));
      say("job " + id + ": output served until height " + retainUntil);
      return;
    }
    forget(id);
    state.remove(id);
  }

  private void forget(long id) {
    commitments.remove(id);
    inferences.remove(id);
    inputs.remove(id);
    published.remove(id);
    if (data != null) {
      data.forget(id);
    }
    Path dir = jobDir(id);
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        log.warn("event=job_files_not_deleted job={} dir={} error={}", id, dir, e.toString());
      }
    }
  }

  private void send(String what, Consumer<TxBody.Builder> msg) {
    long fee = node.minFee();
    long nonce = node.nonce(address);
    TxBody.Builder body =
        TxBody.newBuilder()
            .setChainId(chainId)
            .setSignerPubKey(ByteString.copyFrom(key.publicKey()))
            .setNonce(nonce)
            .setFee(fee);
    msg.accept(body);
    Tx tx = Transactions.sign(body.build(), key);
    byte[] bytes = tx.toByteArray();
    byte[] hash = Transactions.hash(bytes);
    NodeClient.Broadcast check = node.broadcast(bytes);
    if (check.code() != 0) {
      say(what + " rejected by the mempool: code " + check.code() + " " + check.log());
      return;
    }
    long deadline = System.nanoTime() + txTimeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      Optional<JsonNode> found = node.tx(hash);
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
    log.debug("event=executor_progress line=\"{}\"", line);
  }
}
