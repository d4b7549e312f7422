package io.peerz.abci;

import static io.peerz.abci.KvApp.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.abci.proto.Response;
import io.peerz.abci.proto.ResponseApplySnapshotChunk;
import io.peerz.abci.proto.ResponseOfferSnapshot;
import io.peerz.abci.proto.ResponseProcessProposal;
import io.peerz.abci.proto.ResponseVerifyVoteExtension;
import io.peerz.consensus.Application;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ABCI socket protocol as CometBFT's socket client sees it, over real sockets. */
class AbciServerTest {

  private KvApp app;
  private AbciServer server;
  private final List<AbciTestClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    app = new KvApp();
    server = AbciServer.start(app, "tcp://127.0.0.1:0");
  }

  @AfterEach
  void stop() throws Exception {
    for (AbciTestClient c : clients) {
      c.close();
    }
    server.close();
  }

  private AbciTestClient connect() throws Exception {
    AbciTestClient c = new AbciTestClient(server.address());
    clients.add(c);
    return c;
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + AbciTestClient.DEADLINE_MILLIS * 1_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within the deadline").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void listensOnTheBoundPortWhenAskedForPortZero() {
    assertThat(server.address()).startsWith("tcp://127.0.0.1:");
    assertThat(server.address()).doesNotEndWith(":0");
  }

  @Test
  void refusesAListenAddressThatIsNotTcp() {
    assertThatThrownBy(() -> AbciServer.start(app, "unix:///tmp/abci.sock"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tcp://host:port");
    assertThatThrownBy(() -> AbciServer.start(app, "127.0.0.1:26658"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void echoRoundTripsWithSpecFieldNumbers() throws Exception {
    AbciTestClient c = connect().send(SpecRequests.echo("hello abci")).flush();
    byte[] echo = c.readFrame();
    // Response.echo = 2 { message = 1 }
    byte[] body = SpecEncoder.field(echo, 2).bytes();
    assertThat(new String(SpecEncoder.field(body, 1).bytes(), "UTF-8")).isEqualTo("hello abci");
    // Response.flush = 3 {}
    assertThat(c.readFrame()).containsExactly(0x1a, 0x00);
  }

  @Test
  void decodesAHandEncodedTwoByteLengthPrefix() throws Exception {
    // Request{echo{message = 200 x 'a'}}: RequestEcho is 0a c8 01 + 200 bytes (203 bytes);
    // Request is 0a cb 01 + 203 bytes (206 bytes); 206 as an unsigned varint is ce 01.
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.writeBytes(
        new byte[] {(byte) 0xce, 0x01, 0x0a, (byte) 0xcb, 0x01, 0x0a, (byte) 0xc8, 0x01});
    byte[] a = new byte[200];
    Arrays.fill(a, (byte) 'a');
    frame.writeBytes(a);
    frame.writeBytes(new byte[] {0x02, 0x12, 0x00}); // Request{flush{}}
    AbciTestClient c = connect().write(frame.toByteArray());

    byte[] echo = c.readFrame();
    assertThat(echo).hasSize(206);
    assertThat(Arrays.copyOf(echo, 6))
        .containsExactly(0x12, 0xcb, 0x01, 0x0a, 0xc8, 0x01); // Response.echo = 2
    assertThat(c.read().hasFlush()).isTrue();
  }

  @Test
  void reassemblesAFrameSplitAcrossTcpWrites() throws Exception {
    byte[] frame = SpecEncoder.frame(SpecRequests.echo("split across writes").toBytes());
    AbciTestClient c = connect();
    for (byte b : frame) {
      c.write(new byte[] {b});
    }
    c.flush();
    assertThat(c.read().getEcho().getMessage()).isEqualTo("split across writes");
    assertThat(c.read().hasFlush()).isTrue();
  }

  @Test
  void servesEveryFrameOfOneWrite() throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 5; i++) {
      all.writeBytes(SpecEncoder.frame(SpecRequests.echo("e" + i).toBytes()));
    }
    all.writeBytes(SpecEncoder.frame(SpecRequests.flush().toBytes()));
    AbciTestClient c = connect().write(all.toByteArray());
    for (int i = 0; i < 5; i++) {
      assertThat(c.read().getEcho().getMessage()).isEqualTo("e" + i);
    }
    assertThat(c.read().hasFlush()).isTrue();
  }

  @Test
  void answersInRequestOrder() throws Exception {
    AbciTestClient c =
        connect()
            .send(SpecRequests.echo("first"))
            .send(SpecRequests.info())
            .send(SpecRequests.checkTx(bytes("a=1"), 0))
            .send(SpecRequests.query("/store", bytes("a"), 0, false))
            .send(SpecRequests.echo("last"))
            .flush();
    assertThat(c.read().getEcho().getMessage()).isEqualTo("first");
    assertThat(c.read().getInfo().getData()).isEqualTo("kv");
    assertThat(c.read().getCheckTx().getCode()).isZero();
    assertThat(c.read().getQuery().getCode()).isEqualTo(2);
    assertThat(c.read().getEcho().getMessage()).isEqualTo("last");
    assertThat(c.read().hasFlush()).isTrue();
  }

  @Test
  void writesNothingBeforeFlush() throws Exception {
    AbciTestClient mempool = connect();
    for (int i = 0; i < 10; i++) {
      mempool.send(SpecRequests.checkTx(bytes("k" + i + "=v"), 0));
    }
    // A query after the checks: once the app has seen it, every CheckTx response has been
    // handed to the server's I/O thread (one connection is served in order).
    mempool.send(SpecRequests.query("/store", bytes("k"), 0, false));
    await(() -> app.calls.contains("query"));
    // A round trip on another connection goes through the same I/O thread after those writes,
    // so had any of them been flushed, its bytes would be here by now.
    AbciTestClient other = connect().send(SpecRequests.echo("after")).flush();
    assertThat(other.read().getEcho().getMessage()).isEqualTo("after");
    assertThat(other.read().hasFlush()).isTrue();
    assertThat(mempool.available()).isZero();

    mempool.flush();
    for (int i = 0; i < 10; i++) {
      assertThat(mempool.read().hasCheckTx()).isTrue();
    }
    assertThat(mempool.read().hasQuery()).isTrue();
    assertThat(mempool.read().hasFlush()).isTrue();
  }

  @Test
  void pipelinedCheckTxGetsAHundredResponsesInOrderAfterOneFlush() throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 100; i++) {
      // Every third tx is invalid, so the order of the answers is visible in their codes.
      String tx = i % 3 == 0 ? "bad" + i : "k" + i + "=v";
      all.writeBytes(SpecEncoder.frame(SpecRequests.checkTx(bytes(tx), i % 2).toBytes()));
    }
    AbciTestClient mempool = connect().write(all.toByteArray()).flush();
    for (int i = 0; i < 100; i++) {
      Response r = mempool.read();
      assertThat(r.getValueCase()).isEqualTo(Response.ValueCase.CHECK_TX);
      assertThat(r.getCheckTx().getCode()).as("tx %d", i).isEqualTo(i % 3 == 0 ? 1 : 0);
      if (i % 3 != 0) {
        assertThat(r.getCheckTx().getLog()).isEqualTo("k" + i + "=v");
      }
    }
    assertThat(mempool.read().hasFlush()).isTrue();
    assertThat(app.calls.stream().filter(s -> s.startsWith("checkTx")).toList())
        .hasSize(100)
        .startsWith("checkTx:NEW", "checkTx:RECHECK");
  }

  @Test
  void refusesAnOversizeFrameWithAnExceptionAndCloses() throws Exception {
    ByteArrayOutputStream prefix = new ByteArrayOutputStream();
    SpecEncoder.uvarint(prefix, AbciServer.MAX_FRAME_BYTES + 1L);
    AbciTestClient c = connect().send(SpecRequests.echo("before")).write(prefix.toByteArray());
    assertThat(c.read().getEcho().getMessage()).isEqualTo("before");
    Response r = c.read();
    assertThat(r.getException().getError()).contains("exceeds the limit");
    assertThat(c.closedByServer()).isTrue();
  }

  @Test
  void refusesGarbageWithAnExceptionAndCloses() throws Exception {
    AbciTestClient c =
        connect()
            .write(SpecEncoder.frame(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}))
            .send(SpecRequests.echo("never answered"))
            .flush();
    byte[] frame = c.readFrame();
    // Response.exception = 1 { error = 1 }
    assertThat(SpecEncoder.fields(frame).get(0).number()).isEqualTo(1);
    assertThat(Response.parseFrom(frame).getException().getError()).contains("unparseable");
    assertThat(c.closedByServer()).isTrue();
  }

  @Test
  void refusesAFrameCutShortByTheEndOfTheStream() throws Exception {
    byte[] frame = SpecEncoder.frame(SpecRequests.echo("x".repeat(40)).toBytes());
    AbciTestClient c = connect().write(Arrays.copyOf(frame, 10));
    c.shutdownOutput();
    assertThat(c.read().getException().getError()).contains("inside a frame");
    assertThat(c.closedByServer()).isTrue();
  }

  @Test
  void refusesAnOverlongLengthPrefix() throws Exception {
    byte[] prefix = new byte[11];
    Arrays.fill(prefix, (byte) 0x80);
    AbciTestClient c = connect().write(prefix);
    assertThat(c.read().getException().getError()).contains("prefix");
    assertThat(c.closedByServer()).isTrue();
  }

  @Test
  void refusesAnAbciOneRequestNamingTheProtocolVersion() throws Exception {
    // Request.deliver_tx = 9 { tx = 1 }: ABCI before 2.0.
    AbciTestClient c =
        connect()
            .send(SpecEncoder.message().message(9, SpecEncoder.message().bytes(1, bytes("a=1"))));
    assertThat(c.read().getException().getError()).contains("[9]").contains("v0.38");
    assertThat(c.closedByServer()).isTrue();
    assertThat(app.calls).isEmpty();
  }

  @Test
  void refusesAnEmptyRequest() throws Exception {
    AbciTestClient c = connect().write(new byte[] {0x00});
    assertThat(c.read().getException().getError()).contains("unknown request");
    assertThat(c.closedByServer()).isTrue();
  }

  @Test
  void refusesAGenesisValidatorWithANonEd25519Key() throws Exception {
    AbciTestClient c =
        connect()
            .send(
                SpecRequests.initChain(
                    SpecRequests.time(1_767_225_600, 0),
                    "peerz-test",
                    List.of(SpecRequests.validator(2, new byte[33], 10)),
                    bytes("{}")))
            .flush();
    assertThat(c.read().getException().getError()).contains("secp256k1").contains("ed25519");
    assertThat(c.closedByServer()).isTrue();
    assertThat(app.calls).doesNotContain("initChain");
  }

  @Test
  void answersProposalAndVoteExtensionRequests() throws Exception {
    byte[] proposer = new byte[20];
    AbciTestClient c =
        connect()
            .send(
                SpecRequests.prepareProposal(
                    5,
                    List.of(bytes("a=1"), bytes("bad"), bytes("bb=22")),
                    1,
                    SpecRequests.time(10, 0),
                    proposer))
            .send(
                SpecRequests.processProposal(
                    List.of(bytes("bad")), new byte[32], 1, SpecRequests.time(10, 0), proposer))
            .send(SpecRequests.extendVote(new byte[32], 1, SpecRequests.time(10, 0), proposer))
            .send(SpecRequests.verifyVoteExtension(new byte[32], proposer, 1))
            .flush();
    assertThat(c.read().getPrepareProposal().getTxsList())
        .extracting(b -> b.toStringUtf8())
        .containsExactly("a=1"); // "bb=22" would pass max_tx_bytes 5 only alone
    assertThat(c.read().getProcessProposal().getStatus())
        .isEqualTo(ResponseProcessProposal.ProposalStatus.REJECT);
    assertThat(c.read().getExtendVote().getVoteExtension().isEmpty()).isTrue();
    assertThat(c.read().getVerifyVoteExtension().getStatus())
        .isEqualTo(ResponseVerifyVoteExtension.VerifyStatus.ACCEPT);
    assertThat(c.read().hasFlush()).isTrue();
    Application.PrepareProposalRequest prepare =
        (Application.PrepareProposalRequest) app.requests.get(0);
    assertThat(prepare.maxTxBytes()).isEqualTo(5);
    assertThat(prepare.timeMillis()).isEqualTo(10_000);
  }

  @Test
  void anApplicationWithoutSnapshotsListsNoneAndRefusesOffersAndChunks() throws Exception {
    AbciTestClient snapshot =
        connect()
            .send(SpecRequests.listSnapshots())
            .send(SpecRequests.offerSnapshot())
            .send(SpecRequests.loadSnapshotChunk())
            .send(SpecRequests.applySnapshotChunk())
            .flush();
    Response list = snapshot.read();
    assertThat(list.hasListSnapshots()).isTrue();
    assertThat(list.getListSnapshots().getSnapshotsList()).isEmpty();
    assertThat(snapshot.read().getOfferSnapshot().getResult())
        .isEqualTo(ResponseOfferSnapshot.Result.REJECT);
    Response load = snapshot.read();
    assertThat(load.hasLoadSnapshotChunk()).isTrue();
    assertThat(load.getLoadSnapshotChunk().getChunk().isEmpty()).isTrue();
    assertThat(snapshot.read().getApplySnapshotChunk().getResult())
        .isEqualTo(ResponseApplySnapshotChunk.Result.ABORT);
    assertThat(snapshot.read().hasFlush()).isTrue();
  }

  @Test
  void serializesApplicationCallsAcrossConnections() throws Exception {
    AbciTestClient consensus = connect();
    AbciTestClient mempool = connect();
    ByteArrayOutputStream checks = new ByteArrayOutputStream();
    for (int i = 0; i < 200; i++) {
      checks.writeBytes(
          SpecEncoder.frame(SpecRequests.checkTx(bytes("k" + i + "=v"), 0).toBytes()));
    }
    mempool.write(checks.toByteArray()).flush();
    for (int h = 1; h <= 20; h++) {
      consensus
          .send(
              SpecRequests.finalizeBlock(
                  List.of(bytes("h=" + h)),
                  SpecEncoder.message(),
                  new byte[32],
                  h,
                  SpecRequests.time(h, 0),
                  new byte[20]))
          .send(SpecRequests.commit())
          .flush();
      assertThat(consensus.read().getFinalizeBlock().getTxResultsCount()).isEqualTo(1);
      assertThat(consensus.read().hasCommit()).isTrue();
      assertThat(consensus.read().hasFlush()).isTrue();
    }
    for (int i = 0; i < 200; i++) {
      assertThat(mempool.read().hasCheckTx()).isTrue();
    }
    assertThat(mempool.read().hasFlush()).isTrue();
    assertThat(app.overlaps.get()).isZero();
  }

  /** Whether some connection thread is parked waiting for the application lock. */
  private static boolean aConnectionWaitsForTheApplication() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("abci-conn-"))
        .filter(e -> e.getKey().getState() == Thread.State.WAITING)
        .anyMatch(
            e ->
                Arrays.stream(e.getValue())
                    .anyMatch(f -> f.getClassName().endsWith("ApplicationAdapter")));
  }

  @Test
  void checkTxWaitsWhileFinalizeBlockHoldsTheApplication() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    app.finalizeGate = gate;
    AbciTestClient consensus =
        connect()
            .send(
                SpecRequests.finalizeBlock(
                    List.of(bytes("a=1")),
                    SpecEncoder.message(),
                    new byte[32],
                    1,
                    SpecRequests.time(1, 0),
                    new byte[20]))
            .flush();
    assertThat(app.finalizeWaiting.await(AbciTestClient.DEADLINE_MILLIS, TimeUnit.MILLISECONDS))
        .isTrue();
    AbciTestClient mempool = connect().send(SpecRequests.checkTx(bytes("b=2"), 0)).flush();
    // Either the check reaches the application (no lock: the test fails below) or its thread
    // parks on the lock; both happen without waiting on a clock.
    await(() -> app.calls.contains("checkTx:NEW") || aConnectionWaitsForTheApplication());
    gate.countDown();
    assertThat(consensus.read().hasFinalizeBlock()).isTrue();
    assertThat(mempool.read().hasCheckTx()).isTrue();
    assertThat(app.calls).containsExactly("finalizeBlock", "checkTx:NEW");
    assertThat(app.overlaps.get()).isZero();
  }

  @Test
  void queryIsAnsweredWhileAConsensusCallHoldsTheApplication() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    app.finalizeGate = gate;
    AbciTestClient consensus =
        connect()
            .send(
                SpecRequests.finalizeBlock(
                    List.of(bytes("a=1")),
                    SpecEncoder.message(),
                    new byte[32],
                    1,
                    SpecRequests.time(1, 0),
                    new byte[20]))
            .flush();
    assertThat(app.finalizeWaiting.await(AbciTestClient.DEADLINE_MILLIS, TimeUnit.MILLISECONDS))
        .isTrue();
    AbciTestClient query =
        connect().send(SpecRequests.query("/store", bytes("a"), 0, false)).flush();
    assertThat(query.read().getQuery().getCode()).isEqualTo(2); // not committed yet
    assertThat(query.read().hasFlush()).isTrue();
    gate.countDown();
    assertThat(consensus.read().getFinalizeBlock().getTxResultsCount()).isEqualTo(1);
  }
}
