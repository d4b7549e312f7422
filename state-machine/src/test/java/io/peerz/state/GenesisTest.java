package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenesisTest {
  static final String ADDR = "0x" + "ab".repeat(20);

  GenesisOutcome init(String json) {
    return new StateMachine()
        .initChain("c", 0, json.getBytes(StandardCharsets.UTF_8), List.of(), new MemoryState());
  }

  @Test
  void emptyAppStateGivesLocalNetDefaults() {
    TestChain chain = new TestChain("{}");
    JsonNode p = chain.query("/params");
    assertThat(p.get("epoch_length").asText()).isEqualTo("10");
    assertThat(p.get("min_fee").asText()).isEqualTo("1");
    assertThat(p.get("max_tx_bytes").asText()).isEqualTo("1048576");
    assertThat(p.get("subnet_registration_base_cost").asText()).isEqualTo("100");
    assertThat(p.get("min_subnet_nodes").asText()).isEqualTo("3");
    assertThat(p.get("emission_per_epoch").asText()).isEqualTo("1000");
    assertThat(p.get("owner_share_ppm").asText()).isEqualTo("100000");
    assertThat(p.get("attestation_threshold_ppm").asText()).isEqualTo("666667");
    assertThat(chain.query("/supply").get("total").asText()).isEqualTo("0");
  }

  @Test
  void accountsAndParamsAreWrittenAndValidatorsReturnedUnchanged() {
    ValidatorUpdate v =
        ValidatorUpdate.newBuilder()
            .setPubKey(ByteString.copyFrom(TestChain.key("genesis-validator").publicKey()))
            .setPower(10)
            .build();
    GenesisOutcome g =
        new StateMachine()
            .initChain(
                "c",
                0,
                ("{\"params\":{\"epoch_length\":\"5\"},\"accounts\":[{\"address\":\""
                        + ADDR.toUpperCase().replace("0X", "0x")
                        + "\",\"balance\":\"1000\"}]}")
                    .getBytes(StandardCharsets.UTF_8),
                List.of(v),
                new MemoryState());
    assertThat(g.validators()).containsExactly(v);
    MemoryState s = new MemoryState();
    s.apply(g.changes());
    QueryResult q = new StateMachine().query(s, "/account/" + ADDR, new byte[0]);
    assertThat(new String(q.value(), StandardCharsets.UTF_8)).contains("\"balance\":\"1000\"");
    assertThat(q.key()).isEqualTo(Keys.account(io.peerz.ledger.Hex.decode(ADDR)));
    assertThat(
            new String(
                new StateMachine().query(s, "/params", null).value(), StandardCharsets.UTF_8))
        .contains("\"epoch_length\":\"5\"");
  }

  @Test
  void invalidAppStateNamesTheField() {
    assertThatThrownBy(() -> init("{\"foo\":1}")).hasMessageContaining("app_state.foo");
    assertThatThrownBy(() -> init("{\"params\":{\"epoch_lenght\":1}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epoch_lenght");
    assertThatThrownBy(() -> init("{\"params\":{\"epoch_length\":0}}"))
        .hasMessageContaining("epoch_length");
    assertThatThrownBy(() -> init("{\"params\":{\"min_fee\":-1}}")).hasMessageContaining("min_fee");
    assertThatThrownBy(() -> init("{\"params\":{\"min_fee\":1.5}}"))
        .hasMessageContaining("min_fee");
    assertThatThrownBy(() -> init("{\"params\":{\"owner_share_ppm\":1000001}}"))
        .hasMessageContaining("owner_share_ppm");
    assertThatThrownBy(() -> init("{\"accounts\":[{\"address\":\"0x12\",\"balance\":\"1\"}]}"))
        .hasMessageContaining("accounts[0].address");
    assertThatThrownBy(
            () -> init("{\"accounts\":[{\"address\":\"" + ADDR + "\",\"balance\":\"x\"}]}"))
        .hasMessageContaining("accounts[0].balance");
    assertThatThrownBy(
            () ->
                init(
                    "{\"accounts\":[{\"address\":\""
                        + ADDR
                        + "\",\"balance\":\"1\"},{\"address\":\""
                        + ADDR
                        + "\",\"balance\":\"1\"}]}"))
        .hasMessageContaining("accounts[1].address");
    assertThatThrownBy(
            () -> init("{\"accounts\":[{\"address\":\"" + ADDR + "\",\"coins\":\"1\"}]}"))
        .hasMessageContaining("accounts[0].coins");
    assertThatThrownBy(() -> init("not json")).isInstanceOf(IllegalArgumentException.class);
  }
}
