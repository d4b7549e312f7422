package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.peerz.state.proto.Supply;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SupplyConservationTest {

  @Provide
  Arbitrary<List<RandomOps.Op>> ops() {
    return RandomOps.ops();
  }

  @Property(tries = 40)
  void recordedSupplyEqualsTheSumOfHoldings(@ForAll("ops") List<RandomOps.Op> ops) {
    TestChain chain = RandomOps.genesis();
    long genesis = Store.readOnly(chain.state).supply().getTotal();
    assertThat(genesis).isEqualTo(4 * 50_000L);
    RandomOps.stage(chain);
    RandomOps.run(chain, ops);
    Supply s = Store.readOnly(chain.state).supply();
    assertThat(s.getTotal()).isEqualTo(RandomOps.holdings(chain.state));
    assertThat(s.getTotal()).isEqualTo(genesis + s.getMinted() - s.getBurned());
  }

  @Property(tries = 30)
  void supplyIsConservedAfterEveryBlock(@ForAll("ops") List<RandomOps.Op> ops) {
    TestChain chain = RandomOps.genesis();
    long genesis = Store.readOnly(chain.state).supply().getTotal();
    chain.afterBlock =
        () -> {
          Supply s = Store.readOnly(chain.state).supply();
          assertThat(s.getTotal())
              .as("height %d", chain.height)
              .isEqualTo(RandomOps.holdings(chain.state))
              .isEqualTo(genesis + s.getMinted() - s.getBurned());
        };
    RandomOps.stage(chain);
    RandomOps.run(chain, ops);
  }
}
