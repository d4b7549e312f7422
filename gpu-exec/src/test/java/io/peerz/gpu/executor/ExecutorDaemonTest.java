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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
  DataServer data;

  @AfterEach
  void stop() {
    cpu.close();
    fetches.shutdownNow();
    if (data != null) {
      data.close();
    }
  }

  ExecutorDaemon daemon(GemmBackend gemm, Faults faults) {
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
            new DataClient(Duration.ofSeconds(10)),
            fetches,
            new PrintWriter(log, true),
            Duration.ofMillis(10),
            Duration.ofSeconds(5)));
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
    daemon(cpu, Faults.NONE).step();
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
  }

  @Test
  void aRestartedExecutorResendsItsRecordedCommitWithoutRecomputing() throws Exception {
    jobs(job("assigned", "pool", "", 0, "int8-gemm-64"));
    daemon(cpu, Faults.NONE).step();
    int announced = node.broadcast.size();
    byte[] first = lastBody().getCommitResult().getSignedAttestation().toByteArray();
    ExecutorDaemon restarted = daemon(failing(), Faults.NONE);
    restarted.step();
    assertThat(node.broadcast).hasSize(announced + 2);
    assertThat(lastBody().getCommitResult().getSignedAttestation().toByteArray()).isEqualTo(first);
    restarted.step();
    assertThat(node.broadcast).hasSize(announced + 2);
  }

  @Test
  void revealsTheChallengedRowsSoTheyVerifyAndAFaultyOneIsCaught() throws Exception {
    byte[] blockHash = Sha256.hash(new byte[] {1});
    for (int skip : new int[] {0, 1_000_000}) {
      jobs(job("assigned", "pool", "", 0, "int8-gemm-64"));
      ExecutorDaemon d = daemon(cpu, new Faults(skip, false, false));
      d.step();
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
    daemon(cpu, Faults.NONE).step();
    Attestation a =
        Attestation.parseFrom(
            SignedAttestation.parseFrom(lastBody().getCommitResult().getSignedAttestation())
                .getAttestation());
    float[] c =
        CpuGemm.multiply(Fp32GemmInputs.generate(new Workload(Workload.Kind.FP32, 64), SEED, 7));
    assertThat(a.getOutputRoot().toByteArray()).isEqualTo(OutputCommitment.ofFloats(64, c).root());
    Files.delete(dir.resolve("state.json"));
    jobs(job("assigned", "benchmark", "", 0, "int8-gemm-64"));
    daemon(cpu, new Faults(1_000_000, false, false)).step();
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
    DataClient client = new DataClient(Duration.ofSeconds(10));
    // The executor announced its endpoint; an upload of other bytes is refused with the reason.
    assertThat(lastBody().getSetDataUrl().getDataUrl()).isEqualTo(data.baseUrl().toString());
    Path wrong = npy("wrong.npy", random(M, K, 9));
    assertThatThrownBy(() -> client.upload(data.baseUrl(), 7, "a.npy", wrong))
        .isInstanceOf(DataTransferException.class)
        .satisfies(e -> assertThat(((DataTransferException) e).code()).isEqualTo("input/3"));
    assertThatThrownBy(() -> client.upload(data.baseUrl(), 8, "a.npy", npy("a.npy", a)))
        .isInstanceOf(DataTransferException.class)
        .satisfies(e -> assertThat(((DataTransferException) e).status()).isEqualTo(404));
    client.upload(data.baseUrl(), 7, "a.npy", npy("a.npy", a));
    client.upload(data.baseUrl(), 7, "b.npy", npy("b.npy", b));
    awaitCommit(d);
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

  private void awaitCommit(ExecutorDaemon d) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!lastBody().hasCommitResult()) {
      assertThat(System.nanoTime() - deadline)
          .as("a commit within 30 s; log:\n" + log)
          .isNegative();
      d.step();
      Thread.onSpinWait();
    }
  }
}
