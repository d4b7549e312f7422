package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.attest.Int32Matrix;
import io.peerz.attest.MatrixCommitment;
import io.peerz.attest.NpyFile;
import io.peerz.attest.proto.MatrixVector;
import io.peerz.attest.proto.PostedRows;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgPostRows;
import io.peerz.ledger.proto.TxBody;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peerz job rows}: the posted rows read from their block and checked against the root. */
class JobRowsCommandTest {
  @TempDir Path dir;
  FakeNode node;
  final Ed25519KeyPair executor = Ed25519KeyPair.fromSeed(new byte[32]);
  final int[] c = new int[6 * 5];
  MatrixCommitment committed;

  @BeforeEach
  void start() throws Exception {
    node = new FakeNode();
    for (int i = 0; i < c.length; i++) {
      c[i] = i * 1_000_003 - 7;
    }
    committed = MatrixCommitment.int32Rows("c", 6, 5, c);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private void job(long answeredHeight) {
    node.queries.put(
        "/job/7",
        "{\"id\":\"7\",\"status\":\"verified\",\"workload\":\"gemm-int8\",\"outputs\":[{\"name\":"
            + "\"c\",\"rows\":\"6\",\"cols\":\"5\",\"dtype\":\"int32\",\"layout\":\"rows\","
            + "\"root\":\""
            + Hex.encodeUpper(committed.committed().getRoot().toByteArray())
            + "\"}],\"availability\":{\"output\":\"c\",\"rows\":[4,1],\"requested_height\":\"12\","
            + "\"deadline_height\":\"15\",\"answered_height\":\""
            + answeredHeight
            + "\"}}");
  }

  /** A signed post-rows tx of job 7 holding {@code rows}, base64 as a block lists it. */
  private String post(MatrixVector... rows) {
    PostedRows p =
        PostedRows.newBuilder().setJobId(7).setOutput("c").addAllRows(Arrays.asList(rows)).build();
    TxBody body =
        TxBody.newBuilder()
            .setChainId("peerz-test")
            .setSignerPubKey(ByteString.copyFrom(executor.publicKey()))
            .setNonce(1)
            .setFee(7)
            .setPostRows(MsgPostRows.newBuilder().setJobId(7).setRows(p.toByteString()))
            .build();
    return Base64.getEncoder().encodeToString(Transactions.sign(body, executor).toByteArray());
  }

  private void block(String... txs) {
    node.blocks.put(
        "13",
        "{\"block_id\":{},\"block\":{\"header\":{\"height\":\"13\"},\"data\":{\"txs\":[\""
            + String.join("\",\"", txs)
            + "\"]}}}");
  }

  @Test
  void writesThePostedRowsInTheOrderAskedAfterCheckingThemAgainstTheRoot() throws Exception {
    job(13);
    MatrixVector four = committed.prove(4);
    MatrixVector lying =
        four.toBuilder().setData(ByteString.copyFrom(new byte[four.getData().size()])).build();
    // A post the chain refused (row 4's bytes are not the committed ones), then the one it took.
    block(post(lying, committed.prove(1)), post(four, committed.prove(1)));
    Path out = dir.resolve("rows.npy");
    CliRun r = CliRun.run("job", "rows", "7", "--out", out.toString(), "--node", node.url());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("rows [4, 1] of c (2 x 5 int32) posted at height 13");
    Int32Matrix rows = NpyFile.readInt32(out);
    assertThat(rows.rows()).isEqualTo(2);
    assertThat(rows.data())
        .isEqualTo(
            java.util.stream.IntStream.concat(Arrays.stream(c, 20, 25), Arrays.stream(c, 5, 10))
                .toArray());
  }

  @Test
  void waitsForThePostWhenTheRequestIsNotAnsweredYet() throws Exception {
    job(0);
    block(post(committed.prove(4), committed.prove(1)));
    Path out = dir.resolve("rows.npy");
    var run =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> CliRun.run("job", "rows", "7", "--out", out.toString(), "--node", node.url()));
    // The executor posts only after the command has seen the unanswered request.
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (!node.asked.containsKey("/job/7") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(node.asked).containsKey("/job/7");
    job(13);
    CliRun r = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("rows [4, 1] of c (2 x 5 int32) posted at height 13");
    assertThat(node.asked.get("/job/7").get()).isGreaterThan(1);
  }

  @Test
  void aRequestTheExecutorLetExpireSaysTheJobWasRefunded() {
    node.queries.put(
        "/job/7",
        "{\"id\":\"7\",\"status\":\"refunded\",\"verification\":\"unavailable: rows [4, 1]"
            + " of c not posted by height 15\",\"outputs\":[],\"availability\":{\"output\":"
            + "\"c\",\"rows\":[4,1],\"deadline_height\":\"15\",\"answered_height\":\"0\"}}");
    CliRun r =
        CliRun.run(
            "job", "rows", "7", "--out", dir.resolve("rows.npy").toString(), "--node", node.url());
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.err())
        .contains("was not answered by height 15")
        .contains("the executor was slashed and the budget refunded");
  }

  @Test
  void refusesAnUnansweredRequestAndABlockWithoutAValidPost() {
    job(0);
    Path out = dir.resolve("rows.npy");
    CliRun unanswered =
        CliRun.run(
            "job", "rows", "7", "--out", out.toString(), "--node", node.url(), "--wait-for", "0s");
    assertThat(unanswered.exitCode()).isNotZero();
    assertThat(unanswered.err()).contains("not answered after 0 s").contains("height 15");
    job(13);
    MatrixVector four = committed.prove(4);
    block(
        post(
            four.toBuilder().setData(ByteString.copyFrom(new byte[20])).build(),
            committed.prove(1)));
    CliRun lying = CliRun.run("job", "rows", "7", "--out", out.toString(), "--node", node.url());
    assertThat(lying.exitCode()).isNotZero();
    assertThat(lying.err()).contains("block 13 holds no valid post").contains("Merkle proof");
    assertThat(out).doesNotExist();
  }
}
