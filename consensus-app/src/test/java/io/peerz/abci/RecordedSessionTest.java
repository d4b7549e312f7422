package io.peerz.abci;

import static io.peerz.abci.RecordedSession.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.abci.proto.Response;
import io.peerz.abci.proto.ResponseProcessProposal;
import io.peerz.consensus.Application;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Replays the recorded CometBFT v0.38 session (see {@link RecordedSession} for how its frames were
 * made) against the server and a key-value application, and checks every answer.
 */
class RecordedSessionTest {

  private static String resource() throws Exception {
    try (InputStream in = RecordedSessionTest.class.getResourceAsStream(RecordedSession.RESOURCE)) {
      assertThat(in).as(RecordedSession.RESOURCE).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A request of the session with the responses that answered it. */
  private record Exchange(String connection, String request, byte[] response) {}

  @Test
  void recordedFramesAreExactlyWhatTheSpecEncoderWrites() throws Exception {
    assertThat(resource()).isEqualTo(RecordedSession.render());
  }

  @Test
  void replayedSessionIsAnsweredAsCometBftExpects() throws Exception {
    KvApp app = new KvApp();
    List<Exchange> exchanges = new ArrayList<>();
    try (AbciServer server = AbciServer.start(app, "tcp://127.0.0.1:0")) {
      // CometBFT opens its four connections in this order (proxy/multi_app_conn.go).
      Map<String, AbciTestClient> conns = new LinkedHashMap<>();
      for (String name : List.of("query", "snapshot", "mempool", "consensus")) {
        conns.put(name, new AbciTestClient(server.address()));
      }
      try {
        List<String> pending = new ArrayList<>();
        for (RecordedSession.Line line : RecordedSession.parse(resource())) {
          AbciTestClient c = conns.get(line.connection());
          c.write(line.frame());
          if (!line.request().equals("flush")) {
            pending.add(line.request());
            continue;
          }
          for (String request : pending) {
            exchanges.add(new Exchange(line.connection(), request, c.readFrame()));
          }
          pending.clear();
          assertThat(c.read().hasFlush()).as("flush after %s", line.connection()).isTrue();
        }
        assertThat(pending).isEmpty();
      } finally {
        for (AbciTestClient c : conns.values()) {
          c.close();
        }
      }
    }

    List<String> order = exchanges.stream().map(Exchange::request).toList();
    assertThat(order)
        .containsExactly(
            "info",
            "init_chain",
            "check_tx",
            "check_tx",
            "prepare_proposal",
            "process_proposal",
            "finalize_block",
            "commit",
            "check_tx",
            "check_tx",
            "prepare_proposal",
            "process_proposal",
            "finalize_block",
            "commit",
            "process_proposal",
            "finalize_block",
            "commit",
            "query",
            "info");

    // Info before genesis, read with the spec's numbers: Response.info = 4 { data = 1,
    // version = 2, app_version = 3, last_block_height = 4 (0: absent), app hash = 5 (empty) }.
    byte[] info = SpecEncoder.field(exchanges.get(0).response(), 4).bytes();
    assertThat(new String(SpecEncoder.field(info, 1).bytes(), StandardCharsets.UTF_8))
        .isEqualTo("kv");
    assertThat(new String(SpecEncoder.field(info, 2).bytes(), StandardCharsets.UTF_8))
        .isEqualTo("1.0.0");
    assertThat(SpecEncoder.field(info, 3).varint()).isEqualTo(1);
    assertThat(SpecEncoder.fields(info))
        .extracting(SpecEncoder.Field::number)
        .containsExactly(1, 2, 3);

    // InitChain: Response.init_chain = 6 { validators = 2, app_hash = 3 }.
    Response initChain = Response.parseFrom(exchanges.get(1).response());
    assertThat(SpecEncoder.fields(exchanges.get(1).response()).get(0).number()).isEqualTo(6);
    assertThat(initChain.getInitChain().getValidators(0).getPubKey().getEd25519().toByteArray())
        .isEqualTo(RecordedSession.VALIDATOR_KEY);
    assertThat(initChain.getInitChain().getAppHash().toByteArray())
        .isEqualTo(KvApp.hash(new TreeMap<>()));
    Application.InitChainRequest init = (Application.InitChainRequest) app.requests.get(1);
    assertThat(init.chainId()).isEqualTo(RecordedSession.CHAIN_ID);
    assertThat(init.timeMillis()).isEqualTo(RecordedSession.GENESIS_SECONDS * 1000);
    assertThat(init.initialHeight()).isEqualTo(1);
    assertThat(init.appStateBytes()).isEqualTo(RecordedSession.APP_STATE);
    assertThat(init.validators()).hasSize(1);
    assertThat(init.validators().get(0).getPubKey().toByteArray())
        .isEqualTo(RecordedSession.VALIDATOR_KEY);
    assertThat(init.validators().get(0).getPower()).isEqualTo(10);

    // Every height: CheckTx verdicts, the proposal kept, accepted, executed and committed.
    TreeMap<String, String> state = new TreeMap<>();
    byte[] lastAppHash = null;
    int finalized = 0;
    for (Exchange e : exchanges) {
      Response r = Response.parseFrom(e.response());
      switch (e.request()) {
        case "check_tx" -> assertThat(r.getCheckTx().getCode()).isIn(0, 1);
        case "prepare_proposal" -> assertThat(r.getPrepareProposal().getTxsCount()).isEqualTo(1);
        case "process_proposal" ->
            assertThat(r.getProcessProposal().getStatus())
                .isEqualTo(ResponseProcessProposal.ProposalStatus.ACCEPT);
        case "finalize_block" -> {
          finalized++;
          for (byte[] tx : RecordedSession.blockTxs(finalized)) {
            String[] kv = new String(tx, StandardCharsets.UTF_8).split("=");
            state.put(kv[0], kv[1]);
          }
          // Response.finalize_block = 21 { events = 1, tx_results = 2, app_hash = 5 }.
          byte[] body = SpecEncoder.field(e.response(), 21).bytes();
          assertThat(SpecEncoder.field(body, 5).bytes()).isEqualTo(KvApp.hash(state));
          assertThat(SpecEncoder.fields(body).stream().filter(f -> f.number() == 2))
              .hasSize(RecordedSession.blockTxs(finalized).size());
          assertThat(r.getFinalizeBlock().getTxResultsList())
              .allSatisfy(
                  t -> {
                    assertThat(t.getCode()).isZero();
                    assertThat(t.getGasUsed()).isEqualTo(1);
                    assertThat(t.getEvents(0).getType()).isEqualTo("kv");
                    assertThat(t.getEvents(0).getAttributes(0).getIndex()).isTrue();
                  });
          assertThat(r.getFinalizeBlock().getEvents(0).getType()).isEqualTo("block");
          lastAppHash = r.getFinalizeBlock().getAppHash().toByteArray();
        }
          // Response.commit = 12 {} (retain_height 0 is the default, so nothing is written).
        case "commit" -> assertThat(SpecEncoder.field(e.response(), 12).bytes()).isEmpty();
        default -> {}
      }
    }
    assertThat(order.stream().filter("check_tx"::equals)).hasSize(4);
    assertThat(
            exchanges.stream()
                .filter(e -> e.request().equals("check_tx"))
                .map(e -> parse(e.response()).getCheckTx().getCode())
                .toList())
        .containsExactly(0, 1, 0, 1);

    // What the application was given for each decided block.
    List<Application.FinalizeBlockRequest> blocks =
        app.requests.stream()
            .filter(Application.FinalizeBlockRequest.class::isInstance)
            .map(Application.FinalizeBlockRequest.class::cast)
            .toList();
    assertThat(blocks)
        .extracting(Application.FinalizeBlockRequest::height)
        .containsExactly(1L, 2L, 3L);
    for (Application.FinalizeBlockRequest b : blocks) {
      assertThat(b.timeMillis())
          .isEqualTo((RecordedSession.GENESIS_SECONDS + b.height()) * 1000 + 123);
      assertThat(b.proposerAddress()).isEqualTo(RecordedSession.proposer());
      assertThat(b.hash()).isEqualTo(RecordedSession.blockHash(b.height()));
      assertThat(b.txs()).hasSameSizeAs(RecordedSession.blockTxs(b.height()));
    }
    assertThat(new String(blocks.get(2).txs().get(1), StandardCharsets.UTF_8)).isEqualTo("k1=v3");

    // The proving query: Response.query = 7 { key = 6, value = 7, proof_ops = 8, height = 9 }.
    Exchange query = exchanges.get(exchanges.size() - 2);
    byte[] q = SpecEncoder.field(query.response(), 7).bytes();
    assertThat(SpecEncoder.field(q, 6).bytes()).isEqualTo(utf8("k1"));
    assertThat(SpecEncoder.field(q, 7).bytes()).isEqualTo(utf8("v3"));
    assertThat(SpecEncoder.field(q, 9).varint()).isEqualTo(3);
    // ProofOps { ops = 1 { type = 1, key = 2, data = 3 } }
    byte[] op = SpecEncoder.field(SpecEncoder.field(q, 8).bytes(), 1).bytes();
    assertThat(new String(SpecEncoder.field(op, 1).bytes(), StandardCharsets.UTF_8))
        .isEqualTo("peerz:smt");
    assertThat(SpecEncoder.field(op, 3).bytes()).isEqualTo(utf8("proof:k1"));

    // The second Info reports the committed height and the last FinalizeBlock's app hash.
    Response last = parse(exchanges.get(exchanges.size() - 1).response());
    assertThat(last.getInfo().getLastBlockHeight()).isEqualTo(3);
    assertThat(last.getInfo().getLastBlockAppHash().toByteArray()).isEqualTo(lastAppHash);
    assertThat(app.overlaps.get()).isZero();
  }

  private static Response parse(byte[] frame) {
    try {
      return Response.parseFrom(frame);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
