package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.ledger.Ed25519KeyPair;
import org.junit.jupiter.api.Test;

class QueriesTest {
  final Ed25519KeyPair alice = TestChain.key("alice");
  final TestChain chain = TestChain.funded("{}", 500, alice);

  @Test
  void errorsHaveTheirOwnCodes() {
    assertThat(chain.rawQuery("/nope").code()).isEqualTo(ErrorCode.UNKNOWN_PATH.code);
    assertThat(chain.rawQuery("").code()).isEqualTo(ErrorCode.UNKNOWN_PATH.code);
    assertThat(chain.rawQuery("/subnet").code()).isEqualTo(ErrorCode.UNKNOWN_PATH.code);
    assertThat(chain.rawQuery("/subnet/abc").code()).isEqualTo(ErrorCode.BAD_ARGUMENT.code);
    assertThat(chain.rawQuery("/subnet/-1").code()).isEqualTo(ErrorCode.BAD_ARGUMENT.code);
    assertThat(chain.rawQuery("/account/0x12").code()).isEqualTo(ErrorCode.BAD_ARGUMENT.code);
    QueryResult missing = chain.rawQuery("/subnet/3");
    assertThat(missing.code()).isEqualTo(ErrorCode.NOT_FOUND.code);
    assertThat(missing.codespace()).isEqualTo("query");
    assertThat(missing.log()).contains("subnet 3");
    assertThat(chain.rawQuery("/scores/1/0").code()).isEqualTo(ErrorCode.NOT_FOUND.code);
    assertThat(chain.rawQuery("/nodes/1").code()).isEqualTo(ErrorCode.NOT_FOUND.code);
  }

  @Test
  void accountAndEpochWriteIntegersAsStrings() {
    chain.advanceTo(12);
    JsonNode a = chain.query("/account/" + MsgContext.hex(TestChain.addr(alice)));
    assertThat(a.get("balance").isTextual()).isTrue();
    assertThat(a.get("balance").asText()).isEqualTo("500");
    assertThat(a.get("nonce").asText()).isEqualTo("0");
    JsonNode e = chain.query("/epoch");
    assertThat(e.get("epoch").asText()).isEqualTo("1");
    assertThat(e.get("height").asText()).isEqualTo("12");
    assertThat(e.get("epoch_length").asText()).isEqualTo("10");
    assertThat(e.get("next_epoch_height").asText()).isEqualTo("21");
    assertThat(e.get("subnet_registration_cost").asText()).isEqualTo("100");
    assertThat(chain.rawQuery("/epoch").key()).isEqualTo(Keys.CHAIN);
    JsonNode s = chain.query("/supply");
    assertThat(s.get("total").asText()).isEqualTo("500");
  }
}
