package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.peerz.attest.EntryCheck;
import io.peerz.attest.Freivalds;
import io.peerz.attest.GemmCommitments;
import io.peerz.attest.InferenceCheck;
import io.peerz.attest.InferenceCommitments;
import io.peerz.attest.Int32Matrix;
import io.peerz.attest.Int8Matrix;
import io.peerz.attest.MatrixCommitment;
import io.peerz.attest.ModelCommitment;
import io.peerz.attest.NpyFile;
import io.peerz.attest.NpyFormatException;
import io.peerz.attest.QuantizedLayer;
import io.peerz.attest.QuantizedMlp;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.gpu.data.DataClient;
import io.peerz.gpu.data.DataTransferException;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.JobInput;
import io.peerz.ledger.proto.MsgDisputeEntry;
import io.peerz.ledger.proto.MsgSubmitJob;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code peerz job}: the buyer's side of data jobs: submit your own .npy matrices, follow the job,
 * fetch and verify C, read rows posted on chain, dispute a wrong entry. Plain picocli, no server:
 * each answers in about a second, except submit and fetch, which wait for the chain and move the
 * data.
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = {
      "Run C = A x B on your own int8 matrices in a gemm-int8 pool, or a pool's quantized model",
      "on your own int8 batch in an mlp-int8 pool, and get the result back, verified.",
      "  peerz job submit --pool 1 --a a.npy --b b.npy --max-budget 40 --from alice",
      "  peerz job submit --pool 2 --input images.npy --max-budget 40 --from alice",
      "  peerz job status 7",
      "  peerz job fetch 7 --out c.npy --verify",
      "  peerz job fetch 9 --out logits.npy --verify",
      "  peerz job rows 7 --out rows.npy",
      "  peerz job dispute 7 --a a.npy --b b.npy --c c.npy",
      "  peerz job dispute 9"
    },
    subcommands = {
      JobCommand.Submit.class,
      JobCommand.Status.class,
      JobCommand.Fetch.class,
      JobRowsCommand.class,
      JobCommand.Dispute.class
    })
final class JobCommand {
  private JobCommand() {}

  /** Freivalds rounds of fetch --verify: a wrong C passes with probability at most 2^-32. */
  static final int VERIFY_ROUNDS = 2;

  /** Where submit remembers a job's inputs and signer: {@code <home>/jobs/<id>.json}. */
  static Path record(Path home, long id) {
    return home.resolve("jobs").resolve(id + ".json");
  }

  static Int8Matrix readInt8(Path file) {
    try {
      return NpyFile.readInt8(file);
    } catch (NpyFormatException e) {
      throw new CliException(file + ": " + e.getMessage());
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  static Int32Matrix readInt32(Path file) {
    try {
      return NpyFile.readInt32(file);
    } catch (NpyFormatException e) {
      throw new CliException(file + ": " + e.getMessage());
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  static JsonNode job(RpcClient rpc, long id) {
    RpcClient.QueryAnswer a = rpc.abciQuery("/job/" + id);
    if (!a.ok()) {
      throw new CliException("job " + id + ": " + a.log());
    }
    return Json.parse(a.value(), "/job/" + id);
  }

  /** Checks that {@code root} is the job's committed root of input/output {@code what}. */
  static void sameRoot(JsonNode committed, byte[] root, Path file) {
    String want = committed.path("root").asText();
    if (!Hex.encodeUpper(root).equals(want)) {
      throw new CliException(
          file
              + " is not the job's "
              + committed.path("name").asText()
              + ": its root is "
              + Hex.encodeUpper(root).substring(0, 16)
              + "..., the job committed "
              + (want.length() > 16 ? want.substring(0, 16) : want)
              + "...");
    }
  }

  @Command(
      name = "submit",
      mixinStandardHelpOptions = true,
      description = {
        "Submit C = A x B for your a.npy (m x k int8) and b.npy (k x n int8) to a gemm-int8 pool:",
        "commits their Merkle roots and shapes on chain (max-budget escrowed), waits for an",
        "executor, uploads the files to its data endpoint (or lets it fetch --a-url/--b-url),",
        "and waits until the result is verified. Then: peerz job fetch ID --out c.npy --verify."
      })
  static final class Submit extends TxSubcommand {
    @Option(names = "--pool", required = true, paramLabel = "<id>", description = "Pool id.")
    long pool;

    @Option(
        names = "--a",
        paramLabel = "<a.npy>",
        description =
            "gemm-int8: A, m x k int8. Required for a gemm-int8 pool, with --b (or --a-url).")
    Path aFile;

    @Option(
        names = "--b",
        paramLabel = "<b.npy>",
        description = "gemm-int8: B, k x n int8. Required for a gemm-int8 pool, with --a.")
    Path bFile;

    @Option(
        names = "--input",
        paramLabel = "<x.npy>",
        description =
            "mlp-int8: the batch, rows x features int8 (features: the model's input). Required"
                + " for an mlp-int8 pool, instead of --a and --b.")
    Path xFile;

    @Option(
        names = "--input-url",
        paramLabel = "<url>",
        description = "mlp-int8: where the executor fetches the batch (default: uploaded).")
    String xUrl;

    @Option(
        names = "--a-url",
        paramLabel = "<url>",
        description =
            "Where the executor fetches a.npy, e.g. from peerz data serve (default: uploaded).")
    String aUrl;

    @Option(
        names = "--b-url",
        paramLabel = "<url>",
        description = "Where the executor fetches b.npy (default: uploaded).")
    String bUrl;

    @Option(
        names = "--max-budget",
        required = true,
        converter = AmountConverter.class,
        paramLabel = "<amount>",
        description = "Most the job may cost; escrowed, the rest refunded.")
    long maxBudget;

    @Option(
        names = "--wait-for",
        defaultValue = "10m",
        converter = DurationConverter.class,
        paramLabel = "<duration>",
        description =
            "How long to follow the job until it is verified (default: ${DEFAULT-VALUE}).")
    Duration waitFor = Duration.ofMinutes(10);

    private MsgSubmitJob.Builder message;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setSubmitJob(message);
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (xFile != null) {
        return submitBatch(out);
      }
      if (aFile == null || bFile == null) {
        throw new CliException(
            "give --a and --b (a gemm-int8 pool) or --input (an mlp-int8 pool's batch)");
      }
      Int8Matrix a = readInt8(aFile);
      Int8Matrix b = readInt8(bFile);
      if (a.cols() != b.rows()) {
        throw new CliException(
            "a is "
                + a.rows()
                + " x "
                + a.cols()
                + " and b "
                + b.rows()
                + " x "
                + b.cols()
                + ": a's columns must equal b's rows");
      }
      MatrixCommitment ca = GemmCommitments.inputA(a);
      MatrixCommitment cb = GemmCommitments.inputB(b);
      message =
          MsgSubmitJob.newBuilder()
              .setPoolId(pool)
              .setMaxBudget(maxBudget)
              .addInputs(input("a", a.rows(), a.cols(), ca.root(), aFile, aUrl))
              .addInputs(input("b", b.rows(), b.cols(), cb.root(), bFile, bUrl));
      JsonNode result = sendAndWait();
      long id = Long.parseLong(eventAttribute(result, "job_submitted", "job_id"));
      remember(id);
      out.printf(
          "job %d submitted to pool %d: a %d x %d (root %s...), b %d x %d (root %s...)%n",
          id,
          pool,
          a.rows(),
          a.cols(),
          Hex.encodeUpper(ca.root()).substring(0, 12),
          b.rows(),
          b.cols(),
          Hex.encodeUpper(cb.root()).substring(0, 12));
      out.flush();
      if (waitFor.isZero()) {
        out.printf("not following it (--wait-for 0s): peerz job status %d%n", id);
        out.flush();
        return 0;
      }
      return follow(id, out);
    }

    /**
     * An mlp-int8 job: the batch is checked against the pool's model before anything is sent (a 2-D
     * int8 .npy of layer 0's width), committed by rows, and uploaded as x.npy.
     */
    private int submitBatch(PrintWriter out) {
      if (aFile != null || bFile != null) {
        throw new CliException("give --input (mlp-int8) or --a and --b (gemm-int8), not both");
      }
      JsonNode p = InferenceFiles.pool(node.client(), pool);
      CommittedModel model = InferenceFiles.committedModel(p);
      Int8Matrix x = readInt8(xFile);
      MatrixCommitment cx = InferenceCommitments.input(x);
      String bad = InferenceCheck.checkInput(model, cx.committed());
      if (bad != null) {
        throw new CliException(xFile + ": " + bad + "; nothing was sent");
      }
      message =
          MsgSubmitJob.newBuilder()
              .setPoolId(pool)
              .setMaxBudget(maxBudget)
              .addInputs(input("x", x.rows(), x.cols(), cx.root(), xFile, xUrl));
      JsonNode result = sendAndWait();
      long id = Long.parseLong(eventAttribute(result, "job_submitted", "job_id"));
      remember(id);
      out.printf(
          "job %d submitted to pool %d: x %d x %d int8 (root %s...) through its %d-layer model%n",
          id,
          pool,
          x.rows(),
          x.cols(),
          Hex.encodeUpper(cx.root()).substring(0, 12),
          model.getLayersCount());
      out.flush();
      if (waitFor.isZero()) {
        out.printf("not following it (--wait-for 0s): peerz job status %d%n", id);
        out.flush();
        return 0;
      }
      return follow(id, out);
    }

    private JobInput input(String name, int rows, int cols, byte[] root, Path file, String url) {
      try {
        return JobInput.newBuilder()
            .setName(name)
            .setRows(rows)
            .setCols(cols)
            .setRoot(ByteString.copyFrom(root))
            .setFileBytes(Files.size(file))
            .setUrl(url == null ? "" : url)
            .build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void remember(long id) {
      ObjectNode r = Json.MAPPER.createObjectNode();
      if (xFile != null) {
        r.put("x", xFile.toAbsolutePath().toString());
      } else {
        r.put("a", aFile.toAbsolutePath().toString());
        r.put("b", bFile.toAbsolutePath().toString());
      }
      r.put("from", from);
      Path file = record(home.home(), id);
      try {
        Files.createDirectories(file.getParent());
        Files.write(file, Json.render(r));
      } catch (IOException e) {
        throw new CliException("cannot write " + file + ": " + e.getMessage());
      }
    }

    /** Follows the job: uploads to each executor it is assigned to, until verified or over. */
    private int follow(long id, PrintWriter out) {
      RpcClient rpc = node.client();
      DataClient data = new DataClient(Duration.ofMinutes(2));
      long deadline = System.nanoTime() + waitFor.toNanos();
      String said = "";
      String uploadedTo = "";
      while (System.nanoTime() - deadline < 0) {
        JsonNode j = job(rpc, id);
        String status = j.path("status").asText();
        String executor = j.path("executor").asText();
        String line =
            switch (status) {
              case "queued" ->
                  "queued: waiting for an executor (peerz query job-fit " + id + " says why not)";
              case "assigned" -> "assigned to executor " + executor;
              case "committed" ->
                  "committed: "
                      + (j.path("outputs").size() > 1
                          ? j.path("outputs").size() + " outputs, the last's root "
                          : "C's root ")
                      + root(j)
                      + "..., challenge next block";
              case "challenged" -> "challenged: the executor reveals sampled entries";
              default -> status + ": " + j.path("verification").asText();
            };
        if (!line.equals(said) && !status.equals("verified")) {
          out.println("job " + id + " " + line);
          out.flush();
          said = line;
        }
        if (status.equals("assigned") && !executor.equals(uploadedTo)) {
          if (upload(data, j, id, out)) {
            uploadedTo = executor;
          }
        }
        switch (status) {
          case "verified" -> {
            out.printf(
                "job %d verified at height %s; the payment is held until height %s for disputes."
                    + "%nfetch it: peerz job fetch %d --out %s --verify%n",
                id,
                j.path("verified_height").asText(),
                j.path("payout_height").asText(),
                id,
                xFile != null ? "logits.npy" : "c.npy");
            out.flush();
            return 0;
          }
          case "paid" -> {
            return 0;
          }
          case "refunded", "cancelled", "disputed", "failed" -> {
            return 1;
          }
          default -> {}
        }
        sleep(300);
      }
      throw new CliException(
          "job "
              + id
              + " is not verified after "
              + waitFor.toSeconds()
              + "s; follow it with"
              + " peerz job status "
              + id);
    }

    /** Uploads the inputs without a URL; false while the executor does not expect them yet. */
    private boolean upload(DataClient data, JsonNode j, long id, PrintWriter out) {
      String url = j.path("data_url").asText();
      if (url.isEmpty()) {
        return false;
      }
      Path[] files = xFile != null ? new Path[] {xFile} : new Path[] {aFile, bFile};
      String[] urls = xFile != null ? new String[] {xUrl} : new String[] {aUrl, bUrl};
      String[] names = xFile != null ? new String[] {"x.npy"} : new String[] {"a.npy", "b.npy"};
      for (int i = 0; i < files.length; i++) {
        if (urls[i] != null) {
          continue;
        }
        String name = names[i];
        try {
          long t0 = System.nanoTime();
          data.upload(URI.create(url), id, name, files[i]);
          long ms = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
          out.printf(
              "uploaded %s (%d bytes) to %s in %d ms: verified against its root%n",
              name, Files.size(files[i]), url, ms);
          out.flush();
        } catch (DataTransferException e) {
          if (e.status() == 404 || e.status() == 0 || e.status() == 503) {
            return false; // the executor has not picked the job up yet: try again
          }
          throw new CliException(
              "upload of " + name + " to " + url + " refused: " + e.getMessage());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return true;
    }
  }

  static String root(JsonNode j) {
    JsonNode outputs = j.path("outputs");
    String r = outputs.path(Math.max(0, outputs.size() - 1)).path("root").asText("");
    return r.length() > 12 ? r.substring(0, 12) : r;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis); // polling the chain
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Where a job is: queued / assigned to executor X / committed / challenged / verified /"
              + " paid / disputed / refunded / cancelled.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin NodeOption node;
    @Mixin OutputOption output;

    @Parameters(paramLabel = "<job-id>")
    long id;

    @Override
    public Integer call() {
      JsonNode j = job(node.client(), id);
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        out.println(Json.compact(j));
        out.flush();
        return 0;
      }
      String status = j.path("status").asText();
      out.printf("job %d: %s%n", id, status);
      out.printf(
          "  pool %s, workload %s, budget %s (escrow %s)%n",
          j.path("pool_id").asText(),
          j.path("workload").asText(),
          j.path("max_budget").asText(),
          j.path("escrow").asText());
      if (!j.path("executor").asText().isEmpty()) {
        out.printf(
            "  executor %s, data endpoint %s%n",
            j.path("executor").asText(), j.path("data_url").asText("-"));
      }
      for (JsonNode in : j.path("inputs")) {
        out.printf(
            "  input %s: %s x %s int8 by %s, root %s%n",
            in.path("name").asText(),
            in.path("rows").asText(),
            in.path("cols").asText(),
            in.path("layout").asText(),
            in.path("root").asText());
      }
      for (JsonNode o : j.path("outputs")) {
        out.printf(
            "  output %s: %s x %s %s, root %s%n",
            o.path("name").asText(),
            o.path("rows").asText(),
            o.path("cols").asText(),
            o.path("dtype").asText("int32"),
            o.path("root").asText());
      }
      switch (status) {
        case "queued" ->
            out.printf(
                "  queued until height %s; peerz query job-fit %d says why%n",
                j.path("queue_deadline_height").asText(), id);
        case "verified" ->
            out.printf(
                "  verified at height %s; paid at the end of height %s unless a dispute proves a"
                    + " wrong entry%n",
                j.path("verified_height").asText(), j.path("payout_height").asText());
        default -> {}
      }
      if (!j.path("verification").asText().isEmpty()) {
        out.println("  " + j.path("verification").asText());
      }
      if (j.path("payment").asLong() > 0 || j.path("refund").asLong() > 0) {
        out.printf(
            "  paid %s, refunded %s%n", j.path("payment").asText(), j.path("refund").asText());
      }
      for (JsonNode at : j.path("attempts")) {
        out.printf(
            "  attempt by %s: %s (slashed %s) %s%n",
            at.path("executor").asText(),
            at.path("outcome").asText(),
            at.path("slashed").asText(),
            at.path("detail").asText());
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "fetch",
      mixinStandardHelpOptions = true,
      description = {
        "Download C (m x n int32 .npy) from the job's executor and check it against the root the",
        "executor committed. --verify also checks C = A x B in full with Freivalds' check (a",
        "wrong C passes with probability at most 2^-32) against your a.npy and b.npy, and names",
        "a wrong entry when there is one (prove it with peerz job dispute)."
      })
  static final class Fetch implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HomeOption home;
    @Mixin NodeOption node;

    @Parameters(paramLabel = "<job-id>")
    long id;

    @Option(names = "--out", required = true, paramLabel = "<c.npy>", description = "Where C goes.")
    Path outFile;

    @Option(names = "--verify", description = "Check C = A x B in full (Freivalds).")
    boolean verify;

    @Option(names = "--a", paramLabel = "<a.npy>", description = "A (default: the submitted one).")
    Path aFile;

    @Option(names = "--b", paramLabel = "<b.npy>", description = "B (default: the submitted one).")
    Path bFile;

    @Option(
        names = "--model",
        paramLabel = "<model.safetensors>",
        description =
            "mlp-int8: the pool's model (default: fetched from the pool's URL, kept in <home>/models).")
    Path modelFile;

    @Option(
        names = "--input",
        paramLabel = "<x.npy>",
        description = "mlp-int8: the batch (default: the submitted one).")
    Path xFile;

    @Option(
        names = "--layers",
        paramLabel = "<dir>",
        description = "mlp-int8: where every layer's .npy goes (default: <home>/jobs/<id>/).")
    Path layersDir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      JsonNode j = job(node.client(), id);
      JsonNode c = j.path("outputs").path(0);
      if (c.isMissingNode()) {
        throw new CliException(
            "job " + id + " is " + j.path("status").asText() + ": no output committed yet");
      }
      if (j.path("workload").asText().equals("mlp-int8")) {
        return fetchInference(j, out);
      }
      String url = j.path("data_url").asText();
      try {
        Files.deleteIfExists(outFile);
        new DataClient(Duration.ofMinutes(5)).download(URI.create(url), id, "c.npy", outFile);
      } catch (DataTransferException e) {
        throw new CliException(
            "cannot download c.npy of job "
                + id
                + " from "
                + url
                + ": "
                + e.getMessage()
                + (j.path("status").asText().equals("verified")
                    ? "; ask for rows on chain: peerz tx request-rows "
                        + id
                        + " --rows 0,1, then read them: peerz job rows "
                        + id
                        + " --out rows.npy"
                    : ""));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Int32Matrix cm = readInt32(outFile);
      sameRoot(c, GemmCommitments.output(cm).root(), outFile);
      out.printf(
          "fetched C (%d x %d int32) to %s: it is the output the executor committed%n",
          cm.rows(), cm.cols(), outFile);
      if (!verify) {
        out.flush();
        return 0;
      }
      Path[] ab = inputs(home.home(), id, aFile, bFile);
      Int8Matrix a = readInt8(ab[0]);
      Int8Matrix b = readInt8(ab[1]);
      sameRoot(j.path("inputs").path(0), GemmCommitments.inputA(a).root(), ab[0]);
      sameRoot(j.path("inputs").path(1), GemmCommitments.inputB(b).root(), ab[1]);
      byte[] seed = new byte[32];
      new SecureRandom().nextBytes(seed);
      long t0 = System.nanoTime();
      EntryCheck.Wrong wrong = Freivalds.firstWrongEntry(a, b, cm, seed, VERIFY_ROUNDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (wrong == null) {
        out.printf(
            "verified: C = A x B (Freivalds, %d rounds, %d ms; a wrong C passes with probability"
                + " at most 2^-%d)%n",
            VERIFY_ROUNDS, ms, 16 * VERIFY_ROUNDS);
        out.flush();
        return 0;
      }
      out.printf(
          "WRONG: c[%d][%d] is %d, but row %d of A times column %d of B is %d%n"
              + "prove it on chain: peerz job dispute %d --a %s --b %s --c %s%n",
          wrong.row(),
          wrong.col(),
          wrong.claimed(),
          wrong.row(),
          wrong.col(),
          wrong.computed(),
          id,
          ab[0],
          ab[1],
          outFile);
      out.flush();
      return 2;
    }

    /**
     * An mlp-int8 job: downloads every layer (checked against its committed root), writes the last
     * layer's outputs to --out, and with --verify checks every layer's GEMM with Freivalds and
     * every requantization entry by entry against the pool's model and the submitted batch.
     */
    private int fetchInference(JsonNode j, PrintWriter out) {
      Path dir = layersDir != null ? layersDir : InferenceFiles.layersDir(home.home(), id);
      long t0 = System.nanoTime();
      List<QuantizedLayer.Result> layers = InferenceFiles.downloadLayers(j, id, dir);
      QuantizedLayer.Result last = layers.get(layers.size() - 1);
      try {
        NpyFile.writeInt8(outFile, new Int8Matrix(last.rows(), last.cols(), last.outputs()));
      } catch (IOException e) {
        throw new CliException("cannot write " + outFile + ": " + e.getMessage());
      }
      out.printf(
          "fetched %d layers to %s (%d ms), each the one the executor committed; the last (%d x %d"
              + " int8) to %s%n",
          layers.size(),
          dir,
          (System.nanoTime() - t0) / 1_000_000,
          last.rows(),
          last.cols(),
          outFile);
      if (!verify) {
        out.flush();
        return 0;
      }
      JsonNode pool = InferenceFiles.pool(node.client(), j.path("pool_id").asLong());
      QuantizedMlp model = InferenceFiles.poolModel(home.home(), pool, modelFile);
      Path x = batch(home.home(), id, xFile);
      Int8Matrix xm = readInt8(x);
      sameRoot(j.path("inputs").path(0), InferenceCommitments.input(xm).root(), x);
      byte[] seed = new byte[32];
      new SecureRandom().nextBytes(seed);
      long t1 = System.nanoTime();
      InferenceCheck.LayersVerdict v =
          InferenceCheck.verifyLayers(model, xm, layers, seed, VERIFY_ROUNDS);
      long ms = (System.nanoTime() - t1) / 1_000_000;
      if (v instanceof InferenceCheck.WrongActivation w) {
        out.printf(
            "WRONG: layers.%d.%s[%d][%d] is %d, but its committed input gives %d%n"
                + "prove it on chain: peerz job dispute %d%n",
            w.layer(), w.quantity(), w.row(), w.col(), w.claimed(), w.computed(), id);
        out.flush();
        return 2;
      }
      long entries = 0;
      for (QuantizedLayer.Result r : layers) {
        entries += (long) r.rows() * r.cols();
      }
      out.printf(
          "verified: every layer's GEMM (Freivalds, %d rounds: a wrong layer passes with"
              + " probability at most 2^-%d) and all %d requantized activations, in %d ms%n",
          VERIFY_ROUNDS, 16 * VERIFY_ROUNDS, entries, ms);
      out.flush();
      return 0;
    }
  }

  /** The batch given, or the one the job was submitted with from this home. */
  static Path batch(Path home, long id, Path given) {
    if (given != null) {
      return given;
    }
    Path file = record(home, id);
    if (!Files.isRegularFile(file)) {
      throw new CliException(
          "give --input: job " + id + " was not submitted from " + home + " (no " + file + ")");
    }
    try {
      return Path.of(Json.parse(Files.readAllBytes(file), file.toString()).path("x").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A and B given, or the ones the job was submitted with from this home. */
  static Path[] inputs(Path home, long id, Path a, Path b) {
    if (a != null && b != null) {
      return new Path[] {a, b};
    }
    Path file = record(home, id);
    if (!Files.isRegularFile(file)) {
      throw new CliException(
          "give --a and --b: job " + id + " was not submitted from " + home + " (no " + file + ")");
    }
    JsonNode r;
    try {
      r = Json.parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Path[] {
      a != null ? a : Path.of(r.path("a").asText()), b != null ? b : Path.of(r.path("b").asText())
    };
  }

  @Command(
      name = "dispute",
      mixinStandardHelpOptions = true,
      description = {
        "Prove one wrong entry of C on chain inside the job's dispute window: finds it (Freivalds,",
        "then the failing row exactly), sends it with its row of A, column of B and row of C and",
        "their Merkle proofs. The chain recomputes it: if wrong, the executor is slashed, your",
        "budget refunded and its payment cancelled; if right, the dispute is rejected and costs",
        "its fee (params.dispute_fee). --from defaults to the key that submitted the job."
      })
  static final class Dispute extends TxSubcommand {
    @Parameters(paramLabel = "<job-id>")
    long id;

    @Option(
        names = "--a",
        paramLabel = "<a.npy>",
        description = "gemm-int8: A (required for a gemm-int8 job, with --b and --c).")
    Path aFile;

    @Option(
        names = "--b",
        paramLabel = "<b.npy>",
        description = "gemm-int8: B (required for a gemm-int8 job).")
    Path bFile;

    @Option(
        names = "--c",
        paramLabel = "<c.npy>",
        description = "gemm-int8: C as fetched (required for a gemm-int8 job).")
    Path cFile;

    @Option(
        names = "--model",
        paramLabel = "<model.safetensors>",
        description = "mlp-int8: the pool's model (default: the one fetch kept in <home>/models).")
    Path modelFile;

    @Option(
        names = "--input",
        paramLabel = "<x.npy>",
        description = "mlp-int8: the batch (default: the submitted one).")
    Path xFile;

    @Option(
        names = "--layers",
        paramLabel = "<dir>",
        description = "mlp-int8: the layers as fetched (default: <home>/jobs/<id>/).")
    Path layersDir;

    @Option(
        names = "--activation",
        split = ",",
        paramLabel = "<layer,row,col>",
        description = "mlp-int8: dispute this activation (default: the first wrong one found).")
    int[] activation;

    @Option(
        names = "--entry",
        split = ",",
        paramLabel = "<row,col>",
        description = "Dispute this entry (default: the first wrong one found).")
    int[] entry;

    private MsgDisputeEntry.Builder message;

    @Override
    String signer() {
      if (from != null) {
        return from;
      }
      Path file = record(home.home(), id);
      if (Files.isRegularFile(file)) {
        try {
          return Json.parse(Files.readAllBytes(file), file.toString()).path("from").asText();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return null;
    }

    @Override
    long defaultFee(RpcClient rpc) {
      RpcClient.QueryAnswer a = rpc.abciQuery("/params");
      long min = NodeFacts.minFee(rpc);
      if (!a.ok()) {
        return min;
      }
      return Math.max(min, Json.parse(a.value(), "/params").path("dispute_fee").asLong(0));
    }

    @Override
    void setMessage(TxBody.Builder body) {
      body.setDisputeEntry(message);
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      JsonNode j = job(node.client(), id);
      if (j.path("workload").asText().equals("mlp-int8")) {
        return disputeInference(j, out);
      }
      if (aFile == null || bFile == null || cFile == null) {
        throw new CliException("a gemm-int8 dispute needs --a, --b and --c (C as fetched)");
      }
      Int8Matrix a = readInt8(aFile);
      Int8Matrix b = readInt8(bFile);
      Int32Matrix c = readInt32(cFile);
      GemmCommitments g = GemmCommitments.of(a, b, c);
      sameRoot(j.path("inputs").path(0), g.inputs().get(0).getRoot().toByteArray(), aFile);
      sameRoot(j.path("inputs").path(1), g.inputs().get(1).getRoot().toByteArray(), bFile);
      sameRoot(j.path("outputs").path(0), g.outputs().get(0).getRoot().toByteArray(), cFile);
      int row;
      int col;
      if (entry != null) {
        if (entry.length != 2) {
          throw new CliException("--entry: give row,col");
        }
        row = entry[0];
        col = entry[1];
      } else {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        EntryCheck.Wrong w = Freivalds.firstWrongEntry(a, b, c, seed, VERIFY_ROUNDS);
        if (w == null) {
          throw new CliException(
              "C = A x B passes Freivalds' check: there is no wrong entry to prove (a dispute of"
                  + " a correct entry is rejected and costs its fee)");
        }
        row = w.row();
        col = w.col();
        out.printf(
            "c[%d][%d] is %d, A x B gives %d: disputing it%n", row, col, w.claimed(), w.computed());
      }
      message =
          MsgDisputeEntry.newBuilder().setJobId(id).setEntry(g.entry(row, col).toByteString());
      JsonNode result = sendAndWait();
      out.printf(
          "dispute accepted: job %d disputed, executor slashed %s, refunded %s%n",
          id,
          eventAttribute(result, "job_slashed", "slashed"),
          eventAttribute(result, "job_slashed", "refund"));
      out.flush();
      return 0;
    }

    /**
     * An mlp-int8 job: finds the first wrong activation of the fetched layers (or takes
     * --activation), and sends it with its input row, weight column, bias, multiplier, shift and
     * the layer's rows, each with its proof; the chain recomputes it.
     */
    private int disputeInference(JsonNode j, PrintWriter out) {
      JsonNode pool = InferenceFiles.pool(node.client(), j.path("pool_id").asLong());
      QuantizedMlp model = InferenceFiles.poolModel(home.home(), pool, modelFile);
      Path x = batch(home.home(), id, xFile);
      Int8Matrix xm = readInt8(x);
      sameRoot(j.path("inputs").path(0), InferenceCommitments.input(xm).root(), x);
      Path dir = layersDir != null ? layersDir : InferenceFiles.layersDir(home.home(), id);
      List<QuantizedLayer.Result> layers = InferenceFiles.readLayers(j, dir);
      int layer;
      int row;
      int col;
      if (activation != null) {
        if (activation.length != 3) {
          throw new CliException("--activation: give layer,row,col");
        }
        layer = activation[0];
        row = activation[1];
        col = activation[2];
      } else {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        InferenceCheck.LayersVerdict v =
            InferenceCheck.verifyLayers(model, xm, layers, seed, VERIFY_ROUNDS);
        if (!(v instanceof InferenceCheck.WrongActivation w)) {
          throw new CliException(
              "every layer checks (Freivalds and every requantization): there is no wrong"
                  + " activation to prove (a dispute of a correct one is rejected and costs its"
                  + " fee)");
        }
        layer = w.layer();
        row = w.row();
        col = w.col();
        out.printf(
            "layers.%d.%s[%d][%d] is %d, its committed input gives %d: disputing it%n",
            layer, w.quantity(), row, col, w.claimed(), w.computed());
      }
      InferenceCommitments c = InferenceCommitments.of(ModelCommitment.of(model), xm, layers);
      message =
          MsgDisputeEntry.newBuilder()
              .setJobId(id)
              .setEntry(c.entry(layer, row, col).toByteString());
      JsonNode result = sendAndWait();
      out.printf(
          "dispute accepted: job %d disputed, executor slashed %s, refunded %s%n",
          id,
          eventAttribute(result, "job_slashed", "slashed"),
          eventAttribute(result, "job_slashed", "refund"));
      out.flush();
      return 0;
    }
  }
}
