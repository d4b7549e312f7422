package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.attest.Int32Matrix;
import io.peerz.attest.Int8Matrix;
import io.peerz.attest.MatrixCommitment;
import io.peerz.attest.NpyFile;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.ElementType;
import io.peerz.attest.proto.MatrixLayout;
import io.peerz.attest.proto.MatrixVector;
import io.peerz.attest.proto.PostedRows;
import io.peerz.ledger.Hex;
import io.peerz.ledger.MalformedTxException;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code peerz job rows}: the rows an executor posted on chain for the job's availability request,
 * read from the block that took them and checked against the output's committed root.
 */
@Command(
    name = "rows",
    mixinStandardHelpOptions = true,
    description = {
      "Extract the rows the executor posted on chain for your availability request (peerz tx",
      "request-rows), when its data endpoint cannot serve the output: reads them from the block",
      "that answered the request, checks each against the output's committed root, and writes",
      "them, in the order asked, as a rows x cols .npy (int32 for c and accumulators, int8 for",
      "outputs). Only the job's latest request is on record. Waits for the executor's post",
      "(--wait-for) when the request is not answered yet.",
      "  peerz tx request-rows 7 --rows 0,17 --from alice --wait",
      "  peerz job rows 7 --out rows.npy"
    })
final class JobRowsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin NodeOption node;

  @Parameters(paramLabel = "<job-id>")
  long id;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "<rows.npy>",
      description = "Where the rows go.")
  Path outFile;

  @Option(
      names = "--wait-for",
      paramLabel = "<duration>",
      defaultValue = "1m",
      converter = DurationConverter.class,
      description =
          "How long to wait for the executor to post the rows when the request is not answered"
              + " yet; 0s does not wait (default: ${DEFAULT-VALUE}).")
  Duration waitFor = Duration.ofMinutes(1);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    RpcClient rpc = node.client();
    JsonNode j = answeredOrLast(rpc);
    JsonNode request = j.path("availability");
    if (request.isMissingNode()) {
      throw new CliException(
          "job "
              + id
              + " has no availability request: ask for rows with peerz tx request-rows "
              + id
              + " --rows 0,1 (a verified data job, by its buyer)");
    }
    long answered = request.path("answered_height").asLong(0);
    if (answered == 0 && j.path("status").asText().equals("refunded")) {
      throw new CliException(
          "job "
              + id
              + "'s request for rows "
              + request.path("rows")
              + " was not answered by height "
              + request.path("deadline_height").asText()
              + ": the executor was slashed and the budget refunded ("
              + j.path("verification").asText()
              + ")");
    }
    if (answered == 0) {
      throw new CliException(
          "job "
              + id
              + "'s request for rows "
              + request.path("rows")
              + " is not answered after "
              + waitFor.toSeconds()
              + " s; the executor must post them by height "
              + request.path("deadline_height").asText()
              + " or be slashed (run this again, or --wait-for longer)");
    }
    CommittedMatrix committed = committed(j, request.path("output").asText());
    List<Integer> asked = new ArrayList<>();
    request.path("rows").forEach(r -> asked.add(r.asInt()));
    PostedRows posted = posted(rpc, answered, committed, asked);
    int cols = committed.getCols();
    int rows = posted.getRowsCount();
    try {
      if (committed.getElementType() == ElementType.ELEMENT_TYPE_INT32) {
        int[] values = new int[rows * cols];
        for (int r = 0; r < rows; r++) {
          byte[] data = posted.getRows(r).getData().toByteArray();
          for (int c = 0; c < cols; c++) {
            values[r * cols + c] = MatrixCommitment.int32At(data, c);
          }
        }
        NpyFile.writeInt32(outFile, new Int32Matrix(rows, cols, values));
      } else {
        byte[] values = new byte[rows * cols];
        for (int r = 0; r < rows; r++) {
          posted.getRows(r).getData().copyTo(values, r * cols);
        }
        NpyFile.writeInt8(outFile, new Int8Matrix(rows, cols, values));
      }
    } catch (IOException e) {
      throw new CliException("cannot write " + outFile + ": " + e.getMessage());
    }
    out.printf(
        "rows %s of %s (%d x %d %s) posted at height %d, each proven against the committed root,"
            + " to %s%n",
        asked,
        committed.getName(),
        rows,
        cols,
        committed.getElementType() == ElementType.ELEMENT_TYPE_INT32 ? "int32" : "int8",
        answered,
        outFile);
    out.flush();
    return 0;
  }

  /**
   * The job once its request is answered, or as it is when {@code --wait-for} runs out, the job has
   * no request, or its request can no longer be answered (the job was refunded).
   */
  private JsonNode answeredOrLast(RpcClient rpc) {
    long deadline = System.nanoTime() + waitFor.toNanos();
    while (true) {
      JsonNode j = JobCommand.job(rpc, id);
      JsonNode request = j.path("availability");
      if (request.isMissingNode()
          || request.path("answered_height").asLong(0) != 0
          || j.path("status").asText().equals("refunded")
          || System.nanoTime() - deadline >= 0) {
        return j;
      }
      try {
        Thread.sleep(POLL.toMillis()); // polling the chain: the block that answers is not ours
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return j;
      }
    }
  }

  private static final Duration POLL = Duration.ofMillis(500);

  /** The job's committed output {@code name} (the first output when empty), from its JSON. */
  private CommittedMatrix committed(JsonNode j, String name) {
    for (JsonNode o : j.path("outputs")) {
      if (name.isEmpty() || o.path("name").asText().equals(name)) {
        return CommittedMatrix.newBuilder()
            .setName(o.path("name").asText())
            .setRows((int) o.path("rows").asLong())
            .setCols((int) o.path("cols").asLong())
            .setElementType(
                o.path("dtype").asText().equals("int32")
                    ? ElementType.ELEMENT_TYPE_INT32
                    : ElementType.ELEMENT_TYPE_INT8)
            .setLayout(
                o.path("layout").asText().equals("columns")
                    ? MatrixLayout.MATRIX_LAYOUT_COLUMNS
                    : MatrixLayout.MATRIX_LAYOUT_ROWS)
            .setRoot(ByteString.copyFrom(Hex.decode(o.path("root").asText())))
            .build();
      }
    }
    throw new CliException("job " + id + " committed no output named '" + name + "'");
  }

  /**
   * The post in block {@code height} that answers the request: a post-rows tx of this job whose
   * rows are the ones asked, each proven against the committed root (a block may also hold posts
   * the chain refused, which fail here).
   */
  private PostedRows posted(
      RpcClient rpc, long height, CommittedMatrix committed, List<Integer> asked) {
    JsonNode txs = rpc.block(height).path("block").path("data").path("txs");
    String refused = null;
    for (JsonNode t : txs) {
      TxBody body;
      try {
        body = Transactions.decode(Base64.getDecoder().decode(t.asText())).body();
      } catch (MalformedTxException | IllegalArgumentException e) {
        continue; // not a peerz tx this command reads
      }
      if (!body.hasPostRows() || body.getPostRows().getJobId() != id) {
        continue;
      }
      PostedRows p;
      try {
        p = PostedRows.parseFrom(body.getPostRows().getRows());
      } catch (InvalidProtocolBufferException e) {
        refused = "a post does not decode: " + e.getMessage();
        continue;
      }
      String bad = check(p, committed, asked);
      if (bad == null) {
        return p;
      }
      refused = bad;
    }
    throw new CliException(
        "block "
            + height
            + " holds no valid post of job "
            + id
            + "'s rows"
            + (refused == null ? "" : " (" + refused + ")")
            + "; is --node a node that keeps that block?");
  }

  /** Null when {@code p} is the asked rows in order, each matching the committed root. */
  private static String check(PostedRows p, CommittedMatrix committed, List<Integer> asked) {
    if (p.getRowsCount() != asked.size()) {
      return "a post holds " + p.getRowsCount() + " rows, the request asked " + asked.size();
    }
    for (int i = 0; i < asked.size(); i++) {
      MatrixVector row = p.getRows(i);
      if (row.getIndex() != asked.get(i)) {
        return "posted row " + i + " is row " + row.getIndex() + ", asked " + asked.get(i);
      }
      String bad = MatrixCommitment.check(committed, row);
      if (bad != null) {
        return bad;
      }
    }
    return null;
  }
}
