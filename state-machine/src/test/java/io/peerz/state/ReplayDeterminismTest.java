package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ReplayDeterminismTest {

  @Provide
  Arbitrary<List<RandomOps.Op>> ops() {
    return RandomOps.ops();
  }

  /** Everything a block produced, as bytes: writes in key order, results, end-of-block events. */
  static List<String> fingerprint(List<BlockOutcome> outcomes) {
    List<String> out = new ArrayList<>();
    for (BlockOutcome o : outcomes) {
      StringBuilder b = new StringBuilder();
      for (Map.Entry<byte[], byte[]> w : o.changes().writes().entrySet()) {
        b.append(MsgContext.hex(w.getKey()))
            .append('=')
            .append(w.getValue() == null ? "-" : MsgContext.hex(w.getValue()))
            .append(';');
      }
      o.txResults().forEach(r -> b.append(MsgContext.hex(r.toByteArray())).append('|'));
      o.finalizeEvents().forEach(e -> b.append(MsgContext.hex(e.toByteArray())).append('|'));
      o.validatorUpdates().forEach(u -> b.append(MsgContext.hex(u.toByteArray())).append('|'));
      out.add(b.toString());
    }
    return out;
  }

  @Property(tries = 30)
  void sameBlocksFromGenesisGiveByteIdenticalChangeSets(@ForAll("ops") List<RandomOps.Op> ops) {
    TestChain first = RandomOps.genesis();
    RandomOps.stage(first);
    RandomOps.run(first, ops);
    List<String> a = fingerprint(first.outcomes);
    TestChain second = RandomOps.genesis();
    for (int i = 0; i < first.blocks.size(); i++) {
      second.misbehavior.addAll(first.contexts.get(i).misbehavior());
      second.block(first.blocks.get(i).toArray(byte[][]::new));
    }
    List<String> b = fingerprint(second.outcomes);
    assertThat(b).hasSize(first.blocks.size());
    assertThat(b).isEqualTo(a);
    assertThat(second.state.entries.size()).isEqualTo(first.state.entries.size());
  }
}
