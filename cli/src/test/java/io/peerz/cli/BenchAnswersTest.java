package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code peerz bench} reads broadcast batches as peerz and CometBFT v0.38.17 answer them. */
class BenchAnswersTest {

  private static JsonNode json(String s) throws Exception {
    return Json.MAPPER.readTree(s);
  }

  @Test
  void anArrayOfResultsIsOneAnswerPerTxInIdOrder() throws Exception {
    List<BenchCommand.Answer> a =
        BenchCommand.answers(
            json(
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"code\":8,\"codespace\":\"ante\","
                    + "\"log\":\"nonce 3 is ahead\"}},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"code\":0,\"codespace\":\"\"}}]"),
            2,
            200);
    assertThat(a.get(0).code()).isZero();
    assertThat(a.get(1).codespace()).isEqualTo("ante");
    assertThat(a.get(1).code()).isEqualTo(8);
  }

  @Test
  void cometBftsSingleObjectForABatchOfOneIsItsAnswer() throws Exception {
    List<BenchCommand.Answer> a =
        BenchCommand.answers(
            json("{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"code\":0,\"codespace\":\"\"}}"),
            1,
            200);
    assertThat(a).hasSize(1);
    assertThat(a.get(0).code()).isZero();
  }

  @Test
  void cometBftsFullMempoolErrorIsBackPressureNotAFailure() throws Exception {
    List<BenchCommand.Answer> a =
        BenchCommand.answers(
            json(
                "[{\"jsonrpc\":\"2.0\",\"id\":0,\"error\":{\"code\":-32603,\"message\":\"Internal"
                    + " error\",\"data\":\"mempool is full: number of txs 5000 (max: 5000)\"}},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":"
                    + "\"Internal error\",\"data\":\"tx already exists in cache\"}}]"),
            2,
            200);
    assertThat(a.get(0).mempoolFull()).isTrue();
    assertThat(a.get(1).mempoolFull()).isFalse();
    assertThat(a.get(1).log()).contains("tx already exists in cache");
  }

  @Test
  void aRefusedBatchSaysWhatToChange() throws Exception {
    JsonNode refused =
        json(
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"Invalid Request\","
                + "\"data\":\"batch request exceeds maximum (10) allowed number of requests\"}}");
    assertThatThrownBy(() -> BenchCommand.answers(refused, 100, 200))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("exceeds maximum (10)")
        .hasMessageContaining("--batch 10");
  }
}
