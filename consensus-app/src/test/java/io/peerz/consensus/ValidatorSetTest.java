package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.Validator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorSetTest {

  private static Validator bare(String name, long power) {
    return Validator.newBuilder()
        .setAddress(ByteString.copyFrom(name, StandardCharsets.UTF_8))
        .setPubKey(ByteString.copyFrom(new byte[32]))
        .setVotingPower(power)
        .build();
  }

  private static String name(ValidatorSet.Member m) {
    return new String(m.address, StandardCharsets.UTF_8);
  }

  @Test
  void proposerSequenceMatchesCometBftTestProposerSelection1() {
    ValidatorSet set =
        ValidatorSet.fromProto(List.of(bare("foo", 1000), bare("bar", 300), bare("baz", 330)));
    set.increment(1); // NewValidatorSet's first rotation
    List<String> proposers = new ArrayList<>();
    for (int i = 0; i < 99; i++) {
      proposers.add(name(set.proposer()));
      set.increment(1);
    }
    String expected =
        "foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar"
            + " foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar"
            + " foo baz foo foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo baz"
            + " foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo"
            + " foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo";
    assertThat(String.join(" ", proposers)).isEqualTo(expected);
  }

  @Test
  void equalPowersProposeInTurnOrderedByAddress() {
    ValidatorSet set =
        ValidatorSet.fromProto(List.of(bare("ccc", 10), bare("aaa", 10), bare("bbb", 10)));
    set.increment(1);
    List<String> proposers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      proposers.add(name(set.proposer()));
      set.increment(1);
    }
    assertThat(proposers).containsExactly("aaa", "bbb", "ccc", "aaa", "bbb", "ccc");
  }

  @Test
  void eachValidatorProposesInProportionToItsPower() {
    ValidatorSet set = ValidatorSet.fromProto(List.of(bare("a", 1), bare("b", 2), bare("c", 7)));
    set.increment(1);
    int[] counts = new int[3];
    for (int i = 0; i < 1000; i++) {
      counts[name(set.proposer()).charAt(0) - 'a']++;
      set.increment(1);
    }
    assertThat(counts).containsExactly(100, 200, 700);
  }

  @Test
  void quorumNeedsMoreThanTwoThirdsOfThePower() {
    ValidatorSet set =
        ValidatorSet.fromProto(List.of(bare("a", 1), bare("b", 1), bare("c", 1), bare("d", 1)));
    assertThat(set.isQuorum(2)).isFalse();
    assertThat(set.isQuorum(3)).isTrue();
    assertThat(set.isOneThird(1)).isFalse();
    assertThat(set.isOneThird(2)).isTrue();
  }

  private static io.peerz.ledger.proto.ValidatorUpdate update(int seed, long power) {
    byte[] pub = new byte[32];
    pub[0] = (byte) seed;
    return io.peerz.ledger.proto.ValidatorUpdate.newBuilder()
        .setPubKey(ByteString.copyFrom(pub))
        .setPower(power)
        .build();
  }

  @Test
  void aNewcomerStartsBehindEveryoneAndAZeroPowerUpdateRemoves() {
    ValidatorSet set = ValidatorSet.of(List.of(update(1, 10), update(2, 10), update(3, 10)));
    ValidatorSet grown = set.next(List.of(update(4, 10)));
    assertThat(grown.size()).isEqualTo(4);
    int newcomer =
        grown.indexOf(io.peerz.ledger.Address.of(update(4, 10).getPubKey().toByteArray()).bytes());
    long lowest = Long.MAX_VALUE;
    for (int i = 0; i < grown.size(); i++) {
      lowest = Math.min(lowest, grown.get(i).priority);
    }
    assertThat(grown.get(newcomer).priority).isEqualTo(lowest);
    assertThat(grown.proposer()).isNotSameAs(grown.get(newcomer));

    ValidatorSet shrunk = grown.next(List.of(update(2, 0)));
    assertThat(shrunk.size()).isEqualTo(3);
    assertThat(shrunk.totalPower()).isEqualTo(30);
    assertThat(
            shrunk.indexOf(
                io.peerz.ledger.Address.of(update(2, 0).getPubKey().toByteArray()).bytes()))
        .isEqualTo(-1);
    assertThat(set.size()).as("next() leaves the original untouched").isEqualTo(3);
  }
}
