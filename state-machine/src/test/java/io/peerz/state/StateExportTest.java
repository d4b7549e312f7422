package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.peerz.ledger.StateRoot;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.proto.Chain;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** app_state.export: the whole state out, and back in as the genesis of a new chain. */
class StateExportTest {
  private static final ValidatorUpdate V =
      ValidatorUpdate.newBuilder()
          .setPubKey(ByteString.copyFrom(TestChain.key("export-validator").publicKey()))
          .setPower(10)
          .build();

  private static MemoryState original() {
    GenesisOutcome g =
        new StateMachine()
            .initChain(
                "old",
                0,
                ("{\"params\":{\"epoch_length\":\"5\"},\"accounts\":[{\"address\":\""
                        + GenesisTest.ADDR
                        + "\",\"balance\":\"1000\"}]}")
                    .getBytes(StandardCharsets.UTF_8),
                List.of(V),
                new MemoryState());
    MemoryState s = new MemoryState();
    s.apply(g.changes());
    return s;
  }

  private static GenesisOutcome load(byte[] appState, String chainId, List<ValidatorUpdate> vals) {
    return new StateMachine().initChain(chainId, 0, appState, vals, new MemoryState());
  }

  @Test
  void anExportLoadsBackAsTheSameStateUnderTheNewChainId() throws Exception {
    MemoryState s = original();
    StateMachine m = new StateMachine();
    byte[] appState = m.exportAppState(s, 7, new byte[32]);
    assertThat(m.exportValidators(s)).containsExactly(V);

    GenesisOutcome same = load(appState, "old", List.of(V));
    assertThat(same.validators()).containsExactly(V);
    // Under the same chain id, the very same state: the same Merkle root.
    assertThat(StateRoot.of(same.changes().writes())).isEqualTo(StateRoot.of(entries(s)));

    GenesisOutcome renamed = load(appState, "new", List.of(V));
    MemoryState n = new MemoryState();
    n.apply(renamed.changes());
    assertThat(Chain.parseFrom(n.get(Keys.CHAIN)).getChainId()).isEqualTo("new");
    assertThat(
            new String(
                m.query(n, "/account/" + GenesisTest.ADDR, new byte[0]).value(),
                StandardCharsets.UTF_8))
        .isEqualTo(
            new String(
                m.query(s, "/account/" + GenesisTest.ADDR, new byte[0]).value(),
                StandardCharsets.UTF_8));
    assertThat(m.query(n, "/params", new byte[0]).value())
        .isEqualTo(m.query(s, "/params", new byte[0]).value());
  }

  @Test
  void badExportsAreRefusedNamingTheField() {
    MemoryState s = original();
    String export =
        new String(new StateMachine().exportAppState(s, 7, new byte[32]), StandardCharsets.UTF_8);
    String withParams = "{\"params\":{}," + export.substring(export.indexOf('{') + 1);
    assertThatThrownBy(() -> load(withParams.getBytes(StandardCharsets.UTF_8), "c", List.of(V)))
        .hasMessageContaining("app_state.export comes alone");
    ValidatorUpdate other = V.toBuilder().setPower(11).build();
    assertThatThrownBy(() -> load(export.getBytes(StandardCharsets.UTF_8), "c", List.of(other)))
        .hasMessageContaining("validators: an exported state starts with the validators it holds");
    assertThatThrownBy(
            () ->
                load(
                    "{\"export\":{\"entries\":[{\"key\":\"zz\",\"value\":\"\"}]}}"
                        .getBytes(StandardCharsets.UTF_8),
                    "c",
                    List.of(V)))
        .hasMessageContaining("app_state.export.entries[0]");
    assertThatThrownBy(
            () ->
                load(
                    ("{\"export\":{\"entries\":[{\"key\":\"02\",\"value\":\"\"},"
                            + "{\"key\":\"01\",\"value\":\"\"}]}}")
                        .getBytes(StandardCharsets.UTF_8),
                    "c",
                    List.of(V)))
        .hasMessageContaining("app_state.export.entries[1].key is not after the entry before it");
    assertThatThrownBy(
            () ->
                load(
                    "{\"export\":{\"entries\":[]}}".getBytes(StandardCharsets.UTF_8),
                    "c",
                    List.of(V)))
        .hasMessageContaining("it is not a peerz state");
  }

  private static java.util.NavigableMap<byte[], byte[]> entries(MemoryState s) {
    java.util.TreeMap<byte[], byte[]> out =
        new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
    s.scan(
        null,
        null,
        (k, v) -> {
          out.put(k, v);
          return true;
        });
    return out;
  }
}
