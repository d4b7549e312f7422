package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The query refusals the node builds from the state machine's codes (docs/errors.md, query/4-6).
 */
class QueryResultTest {

  private static void assertRefused(QueryResult r, ErrorCode error) {
    assertThat(r.codespace() + "/" + r.code())
        .as(r.log())
        .isEqualTo(error.codespace + "/" + error.code);
    assertThat(r.value()).isEmpty();
  }

  @Test
  void aHeightThatIsNotKeptAndAProofOfAListGetTheirCodes() {
    assertRefused(QueryResult.heightUnavailable("height 3 is not 7"), ErrorCode.HEIGHT_UNAVAILABLE);
    assertRefused(QueryResult.notProvable("/subnets lists many"), ErrorCode.NOT_PROVABLE);
  }

  @Test
  void aQueryBeforeGenesisIsNoStateRatherThanAnException() {
    QueryResult r = new StateMachine().query(new MemoryState(), "/epoch", new byte[0]);
    assertRefused(r, ErrorCode.NO_STATE);
    assertThat(r.log()).contains("no state yet");
  }
}
