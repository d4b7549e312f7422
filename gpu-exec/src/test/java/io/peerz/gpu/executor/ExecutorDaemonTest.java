package io.peerz.gpu.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.attest.Activation;
import io.peerz.attest.Challenge;
import io.peerz.attest.CpuGemm;
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
import io.peerz.attest.NpyFile;
import io.peerz.attest.OutputCommitment;
import io.peerz.attest.QuantizedLayer;
import io.peerz.attest.QuantizedMlp;
import io.peerz.attest.Verdict;
import io.peerz.attest.Verifier;
import io.peerz.attest.Workload;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.PostedRows;
import io.peerz.attest.proto.Reveal;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.gpu.CpuBackend;
import io.peerz.gpu.GemmBackend;
import io.peerz.gpu.data.DataClient;
import io.peerz.gpu.data.DataLimits;
import io.peerz.gpu.data.DataServer;
import io.peerz.gpu.data.DataTransferException;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorDaemonTest {
  static final Workload W = new Workload(64);
  static final byte[] SEED = Sha256.hash(new byte[] {42});

  @TempDir Path dir;
  final Ed25519KeyPair key = Ed25519KeyPair.fromSeed(Sha256.hash(new byte[] {7}));
  final String address = key.address().toString();
  final FakeNode node = new FakeNode(address);
  final StringWriter log = new StringWriter();
  final CpuBackend cpu = new CpuBackend(2);
  final ExecutorService fetches = Executors.newSingleThreadExecutor();
  final ExecutorService compute = Executors.newFixedThreadPool(2);
  int slots = 1;
  DataServer data;
  final DataClient client = new DataClient(Duration.ofSeconds(10));
  PrometheusRegistry registry;

  @AfterEach
  void stop() {
    cpu.close();
    fetches.shutdownNow();
    compute.shutdownNow();
    if (data != null) {
      data.close();
    }
  }

  ExecutorDaemon daemon(GemmBackend gemm, Faults faults) {
    // A registry per daemon, as per process: each run of `peerz server` registers its metrics once.
    registry = new PrometheusRegistry();
    if (data == null) {
      data =
          DataServer.start(
              dir.resolve("storage"), new InetSocketAddress("127.0.0.1", 0), DataLimits.defaults());
    }
    return new ExecutorDaemon(
        new ExecutorDaemon.Parts(
            node,
            key,
            gemm,
            cpu,
            faults,
            new ExecutorState(dir.resolve("state.json")),
            dir.resolve("work"),
            data,
            data.baseUrl(),
            client,
            fetches,
            compute,
            slots,
            new PrintWriter(log, true),
            Duration.ofMillis(10),
            Duration.ofSeconds(5),
            new ExecutorMetrics(
                registry, address, gemm.name(), cpu.name(), List.of(data::bytes, client::bytes))));
  }

  /** The value of one sample of the latest daemon's metrics, as Prometheus would scrape it. */
  double metric(String sample) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1));
      }
    }
    throw new AssertionError("no sample " + sample + " in:\n" + out);
  }

  static String job(String status, String kind, String blockHash, int rows, String workload) {
    StringBuilder r = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      r.append(i == 0 ? "" : ",").append(i);
    }
    return "{\"jobs\":[{\"id\":\"7\",\"kind\":\""
        + kind
        + "\",\"status\":\""
        + status
        + "\",\"workload\":\""
        + workload
        + "\",\"input_seed\":\""
        + Hex.encodeUpper(SEED)
        + "\",\"assigned_height\":\"9\",\"subnet_id\":\"1\",\"node_id\":\"2\","
        + "\"challenge_block_hash\":\""
        + blockHash
        + "\",\"challenge_rows\":["
        + r
        + "]}]}";
  }

  void jobs(String json) {
    node.answers.put("/executor/" + address + "/jobs", json);
  }

  TxBody lastBody() throws Exception {
    return Transactions.decode(node.broadcast.get(node.broadcast.size() - 1)).body();
  }

  static GemmBackend failing() {
    return new GemmBackend() {
      @Override
      public String name() {
        return "failing";
      }

      @Override
      public int[] multiply(int n, byte[] a, byte[] b) {
        throw new AssertionError("a recorded commit is resent, not recomputed");
      }

      @Override
      public int[] multiply(int m, int k, int n, byte[] a, byte[] b) {
        throw new AssertionError("a recorded commit is resent, not recomputed");
      }

      @Override
      public float[] multiplyFloat(int n, float[] a, float[] b) {
        throw new AssertionError();
      }

      @Override
      public boolean supportsFloat() {
        return false;
      }

      @Override
      public void close() {}
    };
  }

  // ---- seeded jobs (what the daemon did before data jobs) ----

  @Test
  void commitsASignedAttestationOfTheExactOutputAndRecordsItFirst() throws Exception {
    jobs(job("assigned", "pool", "", 0, "int8-gemm-64"));
    awaitCommit(daemon(cpu, Faults.NONE));
    TxBody body = lastBody();
    SignedAttestation signed =
        SignedAttestation.parseFrom(body.getCommitResult().getSignedAttestation());
    Verdict v = Verifier.checkAttestation(signed);
    assertThat(v.isValid()).isTrue();
    Attestation a = ((Verdict.Valid) v).attestation();
    assertThat(a.getJobId()).isEqualTo(7);
    assertThat(a.getNodeId()).isEqualTo(2);
    int[] c = CpuGemm.multiply(GemmInputs.generate(W, SEED, 7));
    assertThat(a.getOutputRoot().toByteArray()).isEqualTo(OutputCommitment.of(64, c).root());
    assertThat(Files.readString(dir.resolve("state.json")))
        .contains("\"7\"")
        .contains(Hex.encode(signed.toByteArray()));
    String labels = "{executor=\"" + address + "\",kind=\"pool\"}";
    assertThat(metric("peerz_executor_jobs_run_total" + labels)).isEqualTo(1);
    assertThat(metric("peerz_executor_jobs_run_total" + labels.replace("pool", "data"))).isZero();
    assertThat(metric("peerz_executor_compute_seconds_count" + labels)).isEqualTo(1);
    assertThat(metric("peerz_executor_kernel_tops" + labels)).isPositive();
    assertThat(
            metric(
                "peerz_executor_backend_info{backend=\"cpu\",executor=\""
                    + address
                    + "\",float_backend=\"cpu\"}"))
        .isEqualTo(1);
  }

  @Test
  void aRestartedExecutorResendsItsRecordedCommitWithoutRecomputing() throws Exception {
    jobs(job("assigned", "pool", "", 0, "int8-gemm-64"));
    awaitCommit(daemon(cpu, Faults.NONE));
    int announced = node.broadcast.size();
    byte[] first = lastBody().getCommitResult().getSignedAttestation().toByteArray();
    ExecutorDaemon restarted = daemon(failing(), Faults.NONE);
    restarted.step();
    assertThat(node.broadcast).hasSize(announced + 2);
    assertThat(lastBody().getCommitResult().getSignedAttestation().toByteArray()).isEqualTo(first);
    restarted.step();
    assertThat(node.broadcast).hasSize(announced + 2);
    // Challenged after another restart: the output is computed again, on the worker, and revealed.
    SignedAttestation signed = SignedAttestation.parseFrom(first);
    byte[] blockHash = Sha256.hash(new byte[] {5});
    jobs(job("challenged", "pool", Hex.encodeUpper(blockHash), 16, "int8-gemm-64"));
    ExecutorDaemon again = daemon(cpu, Faults.NONE);
    awaitBroadcast(again, TxBody::hasRevealRows);
    Reveal reveal = Reveal.parseFrom(lastBody().getRevealRows().getReveal());
    Verdict v = Verifier.verifyReveal(signed, Challenge.derive(blockHash, 7, W, 16), reveal);
    assertThat(v.isValid()).as(v.toString()).isTrue();
  }

  @Test
  void revealsTheChallengedRowsSoTheyVerifyAndAFaultyOneIsCaught() throws Exception {
    byte[] blockHash = Sha256.hash(new byte[] {1});
    for (int skip : new int[] {0, 1_000_000}) {
      jobs(job("assigned", "pool", "", 0, "int8-gemm-64"));
      ExecutorDaemon d = daemon(cpu, new Faults(skip, false, false));
      awaitCommit(d);
      SignedAttestation signed =
          SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation());
      jobs(job("challenged", "pool", Hex.encodeUpper(blockHash), 16, "int8-gemm-64"));
      d.step();
      Reveal reveal = Reveal.parseFrom(lastBody().getRevealRows().getReveal());
      Verdict v = Verifier.verifyReveal(signed, Challenge.derive(blockHash, 7, W, 16), reveal);
      assertThat(v.isValid()).as(v.toString()).isEqualTo(skip == 0);
      jobs("{\"jobs\":[]}");
      d.step();
      assertThat(Files.readString(dir.resolve("state.json"))).doesNotContain("\"7\"");
    }
  }

  @Test
  void anFp32JobCommitsTheFloatBitsAndAFaultyBenchmarkIsHonest() throws Exception {
    jobs(job("assigned", "pool", "", 0, "fp32-gemm-64"));
    awaitCommit(daemon(cpu, Faults.NONE));
    Attestation a =
        Attestation.parseFrom(
            SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation())
                .getAttestation());
    float[] c =
        CpuGemm.multiply(Fp32GemmInputs.generate(new Workload(Workload.Kind.FP32, 64), SEED, 7));
    assertThat(a.getOutputRoot().toByteArray()).isEqualTo(OutputCommitment.ofFloats(64, c).root());
    Files.delete(dir.resolve("state.json"));
    jobs(job("assigned", "benchmark", "", 0, "int8-gemm-64"));
    awaitCommit(daemon(cpu, new Faults(1_000_000, false, false)));
    Attestation b =
        Attestation.parseFrom(
            SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation())
                .getAttestation());
    int[] honest = CpuGemm.multiply(GemmInputs.generate(W, SEED, 7));
    assertThat(b.getOutputRoot().toByteArray()).isEqualTo(OutputCommitment.of(64, honest).root());
  }

  // ---- data jobs ----

  static final int M = 20;
  static final int K = 33;
  static final int N = 12;
  final Int8Matrix a = random(M, K, 1);
  final Int8Matrix b = random(K, N, 2);
  final Int32Matrix c = new Int32Matrix(M, N, CpuGemm.multiply(M, K, N, a.data(), b.data()));
  final GemmCommitments honest = GemmCommitments.of(a, b, c);

  static Int8Matrix random(int rows, int cols, long seed) {
    byte[] d = new byte[rows * cols];
    new SplittableRandom(seed).nextBytes(d);
    return new Int8Matrix(rows, cols, d);
  }

  Path npy(String name, Int8Matrix m) throws Exception {
    Path p = dir.resolve(name);
    NpyFile.writeInt8(p, m);
    return p;
  }

  String dataJob(String status, String extra, String urlA) throws Exception {
    StringBuilder in = new StringBuilder();
    List<CommittedMatrix> committed = honest.inputs();
    for (int i = 0; i < 2; i++) {
      CommittedMatrix m = committed.get(i);
      long size = Files.size(npy(m.getName() + "-src.npy", i == 0 ? a : b));
      in.append(i == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(m.getName())
          .append("\",\"rows\":\"")
          .append(m.getRows())
          .append("\",\"cols\":\"")
          .append(m.getCols())
          .append("\",\"dtype\":\"int8\",\"layout\":\"")
          .append(i == 0 ? "rows" : "columns")
          .append("\",\"root\":\"")
          .append(Hex.encodeUpper(m.getRoot().toByteArray()))
          .append("\",\"file_bytes\":\"")
          .append(size)
          .append("\",\"url\":\"")
          .append(i == 0 ? urlA : "")
          .append("\"}");
    }
    return "{\"jobs\":[{\"id\":\"7\",\"kind\":\"pool\",\"status\":\""
        + status
        + "\",\"workload\":\"gemm-int8\",\"input_seed\":\"\",\"assigned_height\":\"9\","
        + "\"subnet_id\":\"1\",\"node_id\":\"2\",\"inputs\":["
        + in
        + "]"
        + extra
        + "}]}";
  }

  @Test
  void aDataJobTakesCheckedUploadsComputesCommitsServesAndRevealsEntries() throws Exception {
    jobs(dataJob("assigned", "", ""));
    ExecutorDaemon d = daemon(cpu, Faults.NONE);
    d.step();
    // The executor announced its endpoint; an upload of other bytes is refused with the reason.
    assertThat(lastBody().getSetDataUrl().getDataUrl()).isEqualTo(data.baseUrl().toString());
    Path wrong = npy("wrong.npy", random(M, K, 9));
    assertThatThrownBy(() -> client.upload(data.baseUrl(), 7, "a.npy", wrong))
        .isInstanceOf(DataTransferException.class)
        .satisfies(e -> assertThat(((DataTransferException) e).code()).isEqualTo("input/3"));
    assertThatThrownBy(() -> client.upload(data.baseUrl(), 8, "a.npy", npy("a.npy", a)))
        .isInstanceOf(DataTransferException.class)
        .satisfies(e -> assertThat(((DataTransferException) e).status()).isEqualTo(404));
    String sent =
        "peerz_executor_data_bytes_total{direction=\"sent\",executor=\"" + address + "\"}";
    String received = sent.replace("sent", "received");
    double receivedBefore = metric(received);
    double sentBefore = metric(sent);
    Path aFile = npy("a.npy", a);
    Path bFile = npy("b.npy", b);
    client.upload(data.baseUrl(), 7, "a.npy", aFile);
    client.upload(data.baseUrl(), 7, "b.npy", bFile);
    awaitCommit(d);
    // The endpoint received the uploads (headers on top); the test uploads through the daemon's
    // own client, so they count as sent too.
    long uploaded = Files.size(aFile) + Files.size(bFile);
    assertThat(metric(received) - receivedBefore).isGreaterThan(uploaded);
    assertThat(metric(sent) - sentBefore).isGreaterThan(uploaded);
    assertThat(metric("peerz_executor_jobs_run_total{executor=\"" + address + "\",kind=\"data\"}"))
        .isEqualTo(1);
    SignedAttestation signed =
        SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation());
    Attestation att = Verifier.decode(signed);
    assertThat(Verifier.checkAttestation(signed).isValid()).isTrue();
    assertThat(att.getInputsList()).isEqualTo(honest.inputs());
    assertThat(att.getOutputsList()).isEqualTo(honest.outputs());
    Path got = dir.resolve("c-downloaded.npy");
    client.download(data.baseUrl(), 7, "c.npy", got);
    assertThat(NpyFile.readInt32(got).data()).isEqualTo(c.data());
    byte[] blockHash = Sha256.hash(new byte[] {3});
    jobs(
        dataJob(
            "challenged",
            ",\"challenge_block_hash\":\""
                + Hex.encodeUpper(blockHash)
                + "\",\"challenge_rows\":[1,2,3,4,5,6,7,8]",
            ""));
    daemon(cpu, Faults.NONE).step();
    EntryReveal reveal = EntryReveal.parseFrom(lastBody().getRevealEntries().getReveal());
    EntryChallenge ch = EntryChallenge.derive(blockHash, 7, honest.outputs().get(0), 8);
    Verdict v = Verifier.verifyEntryReveal(signed, ch, reveal);
    assertThat(v.isValid()).as(v.toString()).isTrue();
  }

  @Test
  void aDataJobFromAUrlAnswersAvailabilityUnlessItServesNothingAndReportsMissingInputs()
      throws Exception {
    try (var folder =
        io.peerz.gpu.data.FolderServer.start(
            dir, new InetSocketAddress("127.0.0.1", 0), DataLimits.defaults())) {
      npy("a-host.npy", a);
      String url = folder.urlOf(Path.of("a-host.npy")).toString();
      jobs(dataJob("assigned", "", url));
      ExecutorDaemon d = daemon(cpu, new Faults(0, true, false));
      d.step();
      new DataClient(Duration.ofSeconds(10)).upload(data.baseUrl(), 7, "b.npy", npy("b.npy", b));
      awaitCommit(d);
    }
    Attestation att =
        Verifier.decode(
            SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation()));
    // corrupt-entry: one entry of C is off, so its root is not the honest one.
    assertThat(att.getOutputs(0).getRoot()).isNotEqualTo(honest.outputs().get(0).getRoot());
    jobs(
        dataJob(
            "verified",
            ",\"availability\":{\"output\":\"c\",\"rows\":[3,0],\"requested_height\":\"12\","
                + "\"deadline_height\":\"15\",\"answered_height\":\"0\"}",
            ""));
    daemon(cpu, Faults.NONE).step();
    PostedRows posted = PostedRows.parseFrom(lastBody().getPostRows().getRows());
    assertThat(posted.getRowsList()).extracting(r -> r.getIndex()).containsExactly(3, 0);
    for (var row : posted.getRowsList()) {
      assertThat(MatrixCommitment.check(att.getOutputs(0), row)).isNull();
    }
    node.answers.put(
        "/executor/" + address,
        "{\"address\":\"" + address + "\",\"data_url\":\"" + data.baseUrl() + "\"}");
    int before = node.broadcast.size();
    daemon(cpu, new Faults(0, false, true)).step();
    assertThat(node.broadcast).as("no-serve answers nothing").hasSize(before);
    // A job whose inputs never come: reported once the input timeout has passed.
    Files.delete(dir.resolve("state.json"));
    jobs(dataJob("assigned", "", "").replace("\"id\":\"7\"", "\"id\":\"8\""));
    ExecutorDaemon waiting = daemon(cpu, Faults.NONE);
    waiting.step();
    assertThat(lastBody().hasReportMissingInputs()).isFalse();
    node.height = 12;
    waiting.step();
    assertThat(lastBody().getReportMissingInputs().getJobId()).isEqualTo(8);
  }

  // ---- the worker ----

  /** The CPU backend whose m x k x n products wait, once the gate is shut, until it opens. */
  static final class GatedBackend implements GemmBackend {
    final GemmBackend inner;
    volatile boolean shut;
    final CountDownLatch entered;
    final CountDownLatch open = new CountDownLatch(1);

    /** Counts down {@code entries} products that reach the shut gate. */
    GatedBackend(GemmBackend inner, int entries) {
      this.inner = inner;
      this.entered = new CountDownLatch(entries);
    }

    @Override
    public String name() {
      return "gated";
    }

    @Override
    public int[] multiply(int n, byte[] a, byte[] b) {
      return inner.multiply(n, a, b);
    }

    @Override
    public int[] multiply(int m, int k, int n, byte[] a, byte[] b) {
      if (shut) {
        entered.countDown();
        try {
          if (!open.await(20, TimeUnit.SECONDS)) {
            throw new AssertionError("the gate never opened: the product blocked the test");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      return inner.multiply(m, k, n, a, b);
    }

    @Override
    public float[] multiplyFloat(int n, float[] a, float[] b) {
      return inner.multiplyFloat(n, a, b);
    }

    @Override
    public boolean supportsFloat() {
      return true;
    }

    @Override
    public void close() {}
  }

  /** One job list of the jobs of several. */
  static String list(String... lists) {
    StringBuilder b = new StringBuilder("{\"jobs\":[");
    for (int i = 0; i < lists.length; i++) {
      String l = lists[i];
      b.append(i == 0 ? "" : ",").append(l, l.indexOf('[') + 1, l.lastIndexOf(']'));
    }
    return b.append("]}").toString();
  }

  @Test
  void aLongProductRunsOffTheLoopWhileOtherJobsAreRevealedAndTheirRowsPosted() throws Exception {
    GatedBackend gated = new GatedBackend(cpu, 1);
    ExecutorDaemon d = daemon(gated, Faults.NONE);
    DataClient client = new DataClient(Duration.ofSeconds(10));
    // Data job 5 and seeded job 8 are computed and committed while the gate is open.
    String five = dataJob("assigned", "", "").replace("\"id\":\"7\"", "\"id\":\"5\"");
    jobs(five);
    d.step();
    client.upload(data.baseUrl(), 5, "a.npy", npy("a.npy", a));
    client.upload(data.baseUrl(), 5, "b.npy", npy("b.npy", b));
    awaitCommit(d);
    // Job 5 stays open (committed, awaiting its verdict) while job 8 is computed.
    String fiveCommitted = dataJob("committed", "", "").replace("\"id\":\"7\"", "\"id\":\"5\"");
    String eight = job("assigned", "pool", "", 0, "int8-gemm-64").replace("\"7\"", "\"8\"");
    jobs(list(eight, fiveCommitted));
    awaitCommit(d);
    SignedAttestation signed8 =
        SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation());
    // Data job 7's product waits at the shut gate: the loop still reveals job 8's challenged rows
    // and posts the rows job 5's buyer asked for, while it runs.
    gated.shut = true;
    String seven = dataJob("assigned", "", "");
    String eightCommitted =
        job("committed", "pool", "", 0, "int8-gemm-64").replace("\"7\"", "\"8\"");
    jobs(list(seven, fiveCommitted, eightCommitted));
    d.step();
    client.upload(data.baseUrl(), 7, "a.npy", npy("a.npy", a));
    client.upload(data.baseUrl(), 7, "b.npy", npy("b.npy", b));
    byte[] blockHash = Sha256.hash(new byte[] {6});
    jobs(
        list(
            seven,
            job("challenged", "pool", Hex.encodeUpper(blockHash), 16, "int8-gemm-64")
                .replace("\"7\"", "\"8\""),
            dataJob(
                    "verified",
                    ",\"availability\":{\"output\":\"c\",\"rows\":[4,1],"
                        + "\"requested_height\":\"12\",\"deadline_height\":\"15\","
                        + "\"answered_height\":\"0\"}",
                    "")
                .replace("\"id\":\"7\"", "\"id\":\"5\"")));
    int from = node.broadcast.size();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!sentSince(from, TxBody::hasRevealRows) || !sentSince(from, TxBody::hasPostRows)) {
      assertThat(System.nanoTime() - deadline)
          .as("job 8's reveal and job 5's rows while job 7 computes; log:\n" + log)
          .isNegative();
      d.step();
      Thread.onSpinWait();
    }
    assertThat(gated.entered.await(10, TimeUnit.SECONDS))
        .as("job 7's product started before the answers and is still running")
        .isTrue();
    assertThat(gated.open.getCount()).isEqualTo(1);
    assertThat(sentSince(from, TxBody::hasCommitResult)).as("job 7 is not committed yet").isFalse();
    for (int i = from; i < node.broadcast.size(); i++) {
      TxBody body = Transactions.decode(node.broadcast.get(i)).body();
      if (body.hasRevealRows()) {
        Reveal reveal = Reveal.parseFrom(body.getRevealRows().getReveal());
        Verdict v = Verifier.verifyReveal(signed8, Challenge.derive(blockHash, 8, W, 16), reveal);
        assertThat(v.isValid()).as(v.toString()).isTrue();
      }
      if (body.hasPostRows()) {
        PostedRows posted = PostedRows.parseFrom(body.getPostRows().getRows());
        assertThat(posted.getRowsList()).extracting(r -> r.getIndex()).containsExactly(4, 1);
        for (var row : posted.getRowsList()) {
          assertThat(MatrixCommitment.check(honest.outputs().get(0), row)).isNull();
        }
      }
    }
    // Once the gate opens, job 7 is committed: the loop took the worker's result.
    gated.open.countDown();
    awaitCommit(d);
    Attestation att =
        Verifier.decode(
            SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation()));
    assertThat(att.getJobId()).isEqualTo(7);
    assertThat(att.getOutputsList()).isEqualTo(honest.outputs());
  }

  @Test
  void asManyProductsRunAtOnceAsTheExecutorHasComputeSlots() throws Exception {
    slots = 2;
    GatedBackend gated = new GatedBackend(cpu, 2);
    gated.shut = true;
    ExecutorDaemon d = daemon(gated, Faults.NONE);
    DataClient client = new DataClient(Duration.ofSeconds(10));
    String five = dataJob("assigned", "", "").replace("\"id\":\"7\"", "\"id\":\"5\"");
    jobs(list(dataJob("assigned", "", ""), five));
    d.step();
    for (long id : new long[] {5, 7}) {
      client.upload(data.baseUrl(), id, "a.npy", npy("a.npy", a));
      client.upload(data.baseUrl(), id, "b.npy", npy("b.npy", b));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (gated.entered.getCount() > 0) {
      assertThat(System.nanoTime() - deadline)
          .as("both products in the gate at once (2 slots); log:\n" + log)
          .isNegative();
      d.step();
      Thread.onSpinWait();
    }
    assertThat(sentSince(0, TxBody::hasCommitResult)).isFalse();
    gated.open.countDown();
    int from = node.broadcast.size();
    while (node.broadcast.subList(from, node.broadcast.size()).stream()
            .filter(tx -> decodes(tx).hasCommitResult())
            .count()
        < 2) {
      assertThat(System.nanoTime() - deadline).as("both committed; log:\n" + log).isNegative();
      d.step();
      Thread.onSpinWait();
    }
  }

  private static TxBody decodes(byte[] tx) {
    try {
      return Transactions.decode(tx).body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ---- mlp-int8 jobs ----

  /** 4 -> 3 (per channel, ReLU) -> 2 (per tensor). */
  static QuantizedMlp mlp() {
    int half = 1 << 30;
    return new QuantizedMlp(
        List.of(
            new QuantizedLayer(
                4,
                3,
                new byte[] {1, -2, 3, 4, 5, -6, 7, 8, -9, 10, 11, 12},
                new int[] {5, -5, 0},
                new int[] {half, half + 3, half * 2 - 1},
                new int[] {-6, -7, -8},
                -3,
                -128,
                Activation.RELU),
            new QuantizedLayer(
                3,
                2,
                new byte[] {20, -20, 30, 40, -50, 60},
                new int[] {1, 2},
                new int[] {half},
                new int[] {-5},
                -128,
                7,
                Activation.NONE)));
  }

  String mlpJob(String status, String extra) throws Exception {
    Int8Matrix x = random(6, 4, 5);
    npy("x-src.npy", x);
    CommittedMatrix m = InferenceCommitments.input(x).committed();
    return "{\"jobs\":[{\"id\":\"7\",\"kind\":\"pool\",\"pool_id\":\"3\",\"status\":\""
        + status
        + "\",\"workload\":\"mlp-int8\",\"input_seed\":\"\",\"assigned_height\":\"9\","
        + "\"subnet_id\":\"1\",\"node_id\":\"2\",\"inputs\":[{\"name\":\"x\",\"rows\":\"6\","
        + "\"cols\":\"4\",\"dtype\":\"int8\",\"layout\":\"rows\",\"root\":\""
        + Hex.encodeUpper(m.getRoot().toByteArray())
        + "\",\"file_bytes\":\""
        + Files.size(dir.resolve("x-src.npy"))
        + "\",\"url\":\"\"}]"
        + extra
        + "}]}";
  }

  @Test
  void anMlpJobFetchesTheModelOnceRunsEveryLayerCommitsAndRevealsActivations() throws Exception {
    QuantizedMlp model = mlp();
    ModelCommitment committed = ModelCommitment.of(model);
    Path models = Files.createDirectories(dir.resolve("served"));
    Files.write(models.resolve("m.safetensors"), model.toSafetensors(java.util.Map.of()));
    Int8Matrix x = random(6, 4, 5);
    List<QuantizedLayer.Result> honest = model.forward(6, x.data(), CpuGemm::multiply);
    InferenceCommitments want = InferenceCommitments.of(committed, x, honest);
    try (var folder =
        io.peerz.gpu.data.FolderServer.start(
            models, new InetSocketAddress("127.0.0.1", 0), DataLimits.defaults())) {
      node.answers.put(
          "/pool/3",
          "{\"id\":\"3\",\"workload\":\"mlp-int8\",\"model_commitment\":{\"url\":\""
              + folder.urlOf(Path.of("m.safetensors"))
              + "\",\"file_bytes\":\""
              + Files.size(models.resolve("m.safetensors"))
              + "\",\"bytes\":\""
              + java.util.Base64.getEncoder().encodeToString(committed.committed().toByteArray())
              + "\"}}");
      jobs(mlpJob("assigned", ""));
      ExecutorDaemon d = daemon(cpu, Faults.NONE);
      d.step();
      new DataClient(Duration.ofSeconds(10))
          .upload(data.baseUrl(), 7, "x.npy", dir.resolve("x-src.npy"));
      awaitCommit(d);
    }
    SignedAttestation signed =
        SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation());
    assertThat(Verifier.checkAttestation(signed).isValid()).isTrue();
    Attestation att = Verifier.decode(signed);
    assertThat(att.getOutputsList()).isEqualTo(want.outputs());
    assertThat(
            Files.exists(
                dir.resolve("work/models")
                    .resolve(Hex.encodeUpper(committed.root()) + ".safetensors")))
        .isTrue();
    Path got = dir.resolve("logits.npy");
    new DataClient(Duration.ofSeconds(10)).download(data.baseUrl(), 7, "layers.1.outputs.npy", got);
    assertThat(NpyFile.readInt8(got).data()).isEqualTo(honest.get(1).outputs());
    byte[] blockHash = Sha256.hash(new byte[] {4});
    jobs(
        mlpJob(
            "challenged",
            ",\"challenge_block_hash\":\""
                + Hex.encodeUpper(blockHash)
                + "\",\"challenge_rows\":[1,2,3,4,5,6,7,8],\"outputs\":[]"));
    daemon(cpu, Faults.NONE).step();
    EntryReveal reveal = EntryReveal.parseFrom(lastBody().getRevealEntries().getReveal());
    EntryChallenge ch =
        EntryChallenge.derive(blockHash, 7, InferenceCheck.challengeShape(want.outputs()), 8);
    Verdict v = Verifier.verifyEntryReveal(signed, ch, reveal, committed.committed());
    assertThat(v.isValid()).as(v.toString()).isTrue();
    // The faulty executor's hidden layer differs in one activation, which the buyer's check names.
    QuantizedLayer.Result h = honest.get(0);
    byte[] cheat = h.outputs().clone();
    cheat[3 * 3 + 1]++;
    assertThat(
            InferenceCheck.verifyLayers(
                model,
                x,
                List.of(
                    new QuantizedLayer.Result(6, 3, h.accumulators(), cheat),
                    model.layers().get(1).forward(6, cheat, CpuGemm::multiply)),
                SEED,
                2))
        .isInstanceOf(InferenceCheck.WrongActivation.class);
  }

  /** Steps {@code d} until it broadcasts a commit (one sent before this call does not count). */
  private void awaitCommit(ExecutorDaemon d) throws Exception {
    awaitBroadcast(d, TxBody::hasCommitResult);
  }

  /** Steps {@code d} until it broadcasts a tx {@code wanted} accepts, at most 30 s. */
  private void awaitBroadcast(ExecutorDaemon d, java.util.function.Predicate<TxBody> wanted)
      throws Exception {
    int from = node.broadcast.size();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!sentSince(from, wanted)) {
      assertThat(System.nanoTime() - deadline).as("the tx within 30 s; log:\n" + log).isNegative();
      d.step();
      Thread.onSpinWait();
    }
  }

  /** Whether a tx {@code wanted} accepts was broadcast at index {@code from} or later. */
  private boolean sentSince(int from, java.util.function.Predicate<TxBody> wanted)
      throws Exception {
    for (int i = from; i < node.broadcast.size(); i++) {
      if (wanted.test(Transactions.decode(node.broadcast.get(i)).body())) {
        return true;
      }
    }
    return false;
  }
}
