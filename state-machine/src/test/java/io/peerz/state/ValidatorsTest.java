package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.MsgBondValidator;
import io.peerz.ledger.proto.MsgClaimUnbonded;
import io.peerz.ledger.proto.MsgCreateValidator;
import io.peerz.ledger.proto.MsgUnbondValidator;
import io.peerz.ledger.proto.MsgUnjailValidator;
import io.peerz.ledger.proto.TxBody;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.proto.Supply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ValidatorsTest {
  static final String PARAMS =
      "{\"epoch_length\":4,\"power_reduction\":100,\"max_validators\":3,"
          + "\"double_sign_slash_ppm\":100000,\"jail_epochs\":1,\"unbonding_epochs\":1}";

  final Ed25519KeyPair op1 = TestChain.key("op1");
  final Ed25519KeyPair op2 = TestChain.key("op2");
  final Ed25519KeyPair op3 = TestChain.key("op3");
  final Ed25519KeyPair cons1 = TestChain.key("cons1");
  final Ed25519KeyPair cons2 = TestChain.key("cons2");
  final Ed25519KeyPair cons3 = TestChain.key("cons3");
  final Ed25519KeyPair genesisKey = TestChain.key("genesis-validator");

  final TestChain chain = chain(List.of(update(genesisKey, 5)));

  TestChain chain(List<ValidatorUpdate> genesis) {
    StringBuilder accounts = new StringBuilder();
    for (Ed25519KeyPair k : List.of(op1, op2, op3)) {
      accounts.append(accounts.length() == 0 ? "" : ",");
      accounts.append("{\"address\":\"" + MsgContext.hex(TestChain.addr(k)) + "\",");
      accounts.append("\"balance\":\"10000\"}");
    }
    return new TestChain("{\"params\":" + PARAMS + ",\"accounts\":[" + accounts + "]}", genesis);
  }

  static ValidatorUpdate update(Ed25519KeyPair k, long power) {
    return ValidatorUpdate.newBuilder()
        .setPubKey(ByteString.copyFrom(k.publicKey()))
        .setPower(power)
        .build();
  }

  static Consumer<TxBody.Builder> create(Ed25519KeyPair cons, long amount) {
    return b ->
        b.setCreateValidator(
            MsgCreateValidator.newBuilder()
                .setPubKey(ByteString.copyFrom(cons.publicKey()))
                .setAmount(amount));
  }

  static Consumer<TxBody.Builder> bond(long amount) {
    return b -> b.setBondValidator(MsgBondValidator.newBuilder().setAmount(amount));
  }

  static Consumer<TxBody.Builder> unbond(long amount) {
    return b -> b.setUnbondValidator(MsgUnbondValidator.newBuilder().setAmount(amount));
  }

  static Consumer<TxBody.Builder> unjail() {
    return b -> b.setUnjailValidator(MsgUnjailValidator.getDefaultInstance());
  }

  /**
   * A tx in a block that is not an epoch's last (where the election would already see it), so that
   * the next {@link #toEpochEnd} reports its effect.
   */
  void ok(Ed25519KeyPair signer, Consumer<TxBody.Builder> msg) {
    if ((chain.height + 1) % 4 == 0) {
      chain.block();
    }
    chain.ok(signer, msg);
  }

  static String hex(Ed25519KeyPair k) {
    return MsgContext.hex(TestChain.addr(k));
  }

  JsonNode validator(Ed25519KeyPair cons) {
    return chain.query("/validator/" + hex(cons));
  }

  /** Runs empty blocks through the next epoch boundary; returns the boundary block's updates. */
  List<ValidatorUpdate> toEpochEnd() {
    long length = Store.readOnly(chain.state).params().getEpochLength();
    chain.advanceTo((chain.height / length + 1) * length - 1);
    return chain.block().validatorUpdates();
  }

  static List<Event> events(BlockOutcome o, String type) {
    return o.finalizeEvents().stream().filter(e -> e.getType().equals(type)).toList();
  }

  static String attr(Event e, String key) {
    return e.getAttributesList().stream()
        .filter(a -> a.getKey().equals(key))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  @Test
  void genesisValidatorsAreRecordedWithTheirPowerAndNoBond() {
    JsonNode v = validator(genesisKey);
    assertThat(v.get("power").asText()).isEqualTo("5");
    assertThat(v.get("genesis_power").asText()).isEqualTo("5");
    assertThat(v.get("bonded").asText()).isEqualTo("0");
    assertThat(v.get("operator").asText()).isEqualTo(hex(genesisKey));
    assertThat(chain.query("/supply").get("total").asText()).isEqualTo("30000");
  }

  @Test
  void genesisRejectsBadOrRepeatedValidatorKeys() {
    assertThatThrownBy(() -> chain(List.of(update(genesisKey, 5), update(genesisKey, 3))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("validators[1].pub_key repeats");
    assertThatThrownBy(
            () ->
                chain(
                    List.of(
                        ValidatorUpdate.newBuilder()
                            .setPubKey(ByteString.copyFrom(new byte[31]))
                            .setPower(1)
                            .build())))
        .hasMessageContaining("validators[0].pub_key");
    assertThatThrownBy(() -> chain(List.of(update(genesisKey, 0))))
        .hasMessageContaining("validators[0].power must be positive");
  }

  @Test
  void createValidatorBondsAndJoinsTheSetAtTheEpochBoundaryWithBondOverPowerReduction() {
    ok(op1, create(cons1, 1000));
    assertThat(chain.balance(op1)).isEqualTo(10000 - 1000 - 1);
    JsonNode v = validator(cons1);
    assertThat(v.get("bonded").asText()).isEqualTo("1000");
    assertThat(v.get("power").asText()).isEqualTo("0");
    assertThat(v.get("next_power").asText()).isEqualTo("10");
    assertThat(chain.query("/validator/" + hex(op1)).get("address").asText()).isEqualTo(hex(cons1));
    // Only the boundary block changes the set.
    assertThat(chain.block().validatorUpdates()).isEmpty();
    assertThat(toEpochEnd()).containsExactly(update(cons1, 10));
    assertThat(validator(cons1).get("power").asText()).isEqualTo("10");
    assertThat(toEpochEnd()).isEmpty();
    Supply s = Store.readOnly(chain.state).supply();
    assertThat(s.getTotal()).isEqualTo(RandomOps.holdings(chain.state));
  }

  @Test
  void createValidatorRejectionsChangeNothingButTheFee() {
    chain.rejects(
        op1,
        b ->
            b.setCreateValidator(
                MsgCreateValidator.newBuilder()
                    .setPubKey(ByteString.copyFrom(new byte[31]))
                    .setAmount(1000)),
        ErrorCode.INVALID_CONSENSUS_KEY);
    byte[] notAPoint = new byte[32];
    Arrays.fill(notAPoint, (byte) 0xff);
    chain.rejects(
        op1,
        b ->
            b.setCreateValidator(
                MsgCreateValidator.newBuilder()
                    .setPubKey(ByteString.copyFrom(notAPoint))
                    .setAmount(1000)),
        ErrorCode.INVALID_CONSENSUS_KEY);
    chain.rejects(op1, create(genesisKey, 1000), ErrorCode.CONSENSUS_KEY_TAKEN);
    chain.rejects(op1, create(cons1, 0), ErrorCode.VALIDATOR_ZERO_AMOUNT);
    chain.rejects(op1, create(cons1, 99), ErrorCode.BOND_BELOW_POWER_REDUCTION);
    chain.rejects(op1, create(cons1, 20000), ErrorCode.VALIDATOR_INSUFFICIENT_FUNDS);
    chain.rejects(op1, create(cons1, Long.MIN_VALUE), ErrorCode.OVERFLOW);
    ok(op1, create(cons1, 1000));
    chain.rejects(op1, create(cons2, 1000), ErrorCode.OPERATOR_HAS_VALIDATOR);
    chain.rejects(op2, create(cons1, 1000), ErrorCode.CONSENSUS_KEY_TAKEN);
  }

  @Test
  void bondAndUnbondChangePowerAtTheNextBoundaryAndUnbondingIsClaimableAfterThePeriod() {
    chain.rejects(op1, bond(100), ErrorCode.VALIDATOR_NOT_FOUND);
    chain.rejects(op1, unbond(100), ErrorCode.VALIDATOR_NOT_FOUND);
    chain.rejects(op1, unjail(), ErrorCode.VALIDATOR_NOT_FOUND);
    ok(op1, create(cons1, 1000));
    assertThat(toEpochEnd()).containsExactly(update(cons1, 10));
    chain.rejects(op1, bond(0), ErrorCode.VALIDATOR_ZERO_AMOUNT);
    chain.rejects(op1, bond(10000), ErrorCode.VALIDATOR_INSUFFICIENT_FUNDS);
    ok(op1, bond(550));
    assertThat(toEpochEnd()).containsExactly(update(cons1, 15));
    chain.rejects(op1, unbond(0), ErrorCode.VALIDATOR_ZERO_AMOUNT);
    chain.rejects(op1, unbond(1551), ErrorCode.UNBOND_ABOVE_BOND);
    ok(op1, unbond(1000));
    JsonNode account = chain.query("/account/" + hex(op1));
    assertThat(account.get("unbonding_total").asText()).isEqualTo("1000");
    long releaseEpoch = account.get("unbonding").get(0).get("release_epoch").asLong();
    assertThat(releaseEpoch).isEqualTo(chain.epoch() + 1);
    assertThat(toEpochEnd()).containsExactly(update(cons1, 5));
    long before = chain.balance(op1);
    ok(op1, b -> b.setClaimUnbonded(MsgClaimUnbonded.getDefaultInstance()));
    assertThat(chain.balance(op1)).isEqualTo(before - 1 + 1000);
    // Unbonding everything removes the validator with a zero-power update.
    ok(op1, unbond(550));
    assertThat(toEpochEnd()).containsExactly(update(cons1, 0));
    assertThat(validator(cons1).get("power").asText()).isEqualTo("0");
  }

  @Test
  void theElectionOrdersByPowerThenAddressAndCapsAtMaxValidators() {
    // Genesis validator power 5; three bonded validators of power 7, 7 and 3: max_validators 3.
    ok(op1, create(cons1, 700));
    ok(op2, create(cons2, 700));
    ok(op3, create(cons3, 300));
    List<ValidatorUpdate> first = toEpochEnd();
    assertThat(first).containsExactlyInAnyOrder(update(cons1, 7), update(cons2, 7));
    // Updates come in consensus address order.
    assertThat(first.stream().map(u -> hexOf(u)).toList()).isSorted();
    assertThat(validator(cons3).get("power").asText()).isEqualTo("0");
    // cons3 rises to 6 > 5: it takes the genesis validator's place, which leaves with power 0.
    ok(op3, bond(300));
    assertThat(toEpochEnd()).containsExactlyInAnyOrder(update(cons3, 6), update(genesisKey, 0));
    // Only changed powers are reported.
    ok(op3, bond(100));
    assertThat(toEpochEnd()).containsExactly(update(cons3, 7));
    JsonNode set = chain.query("/validators");
    assertThat(set.get("validators")).hasSize(4);
  }

  static String hexOf(ValidatorUpdate u) {
    return MsgContext.hex(io.peerz.ledger.Address.of(u.getPubKey().toByteArray()).bytes());
  }

  @Test
  void aTieAtTheCapGoesToTheLowerAddresses() {
    TestChain c = chain(List.of(update(genesisKey, 1)));
    List<Ed25519KeyPair> ops = List.of(op1, op2, op3);
    List<Ed25519KeyPair> cons = List.of(cons1, cons2, cons3);
    for (int i = 0; i < 3; i++) {
      c.ok(ops.get(i), create(cons.get(i), 900));
    }
    c.advanceTo(3);
    List<ValidatorUpdate> u = c.block().validatorUpdates();
    List<Ed25519KeyPair> sorted = new ArrayList<>(cons);
    sorted.sort((a, b) -> Arrays.compareUnsigned(TestChain.addr(a), TestChain.addr(b)));
    // Four candidates (9, 9, 9, 1) for three seats: the three 9s, the genesis validator leaves.
    assertThat(u)
        .containsExactly(
            sortedByAddress(
                update(sorted.get(0), 9),
                update(sorted.get(1), 9),
                update(sorted.get(2), 9),
                update(genesisKey, 0)));
    TestChain capped =
        new TestChain(
            "{\"params\":"
                + PARAMS.replace("\"max_validators\":3", "\"max_validators\":2")
                + ",\"accounts\":[{\"address\":\""
                + hex(op1)
                + "\",\"balance\":\"10000\"},{\"address\":\""
                + hex(op2)
                + "\",\"balance\":\"10000\"},{\"address\":\""
                + hex(op3)
                + "\",\"balance\":\"10000\"}]}",
            List.of(update(genesisKey, 1)));
    for (int i = 0; i < 3; i++) {
      capped.ok(ops.get(i), create(cons.get(i), 900));
    }
    capped.advanceTo(3);
    assertThat(capped.block().validatorUpdates())
        .containsExactly(
            sortedByAddress(
                update(sorted.get(0), 9), update(sorted.get(1), 9), update(genesisKey, 0)));
  }

  static ValidatorUpdate[] sortedByAddress(ValidatorUpdate... updates) {
    List<ValidatorUpdate> l = new ArrayList<>(List.of(updates));
    l.sort((a, b) -> hexOf(a).compareTo(hexOf(b)));
    return l.toArray(ValidatorUpdate[]::new);
  }

  @Test
  void aDuplicateVoteSlashesBurnsJailsAndRemovesInThatBlock() {
    ok(op1, create(cons1, 1000));
    toEpochEnd();
    Supply before = Store.readOnly(chain.state).supply();
    chain.misbehavior.add(new Misbehavior(TestChain.addr(cons1), chain.height, 10));
    BlockOutcome o = chain.block();
    assertThat(o.validatorUpdates()).containsExactly(update(cons1, 0));
    Event slash = events(o, "slash").get(0);
    assertThat(attr(slash, "burned")).isEqualTo("100");
    assertThat(attr(slash, "removed")).isEqualTo("true");
    JsonNode v = validator(cons1);
    assertThat(v.get("bonded").asText()).isEqualTo("900");
    assertThat(v.get("jailed").asBoolean()).isTrue();
    assertThat(v.get("power").asText()).isEqualTo("0");
    Supply after = Store.readOnly(chain.state).supply();
    assertThat(after.getTotal()).isEqualTo(before.getTotal() - 100);
    assertThat(after.getBurned()).isEqualTo(before.getBurned() + 100);
    assertThat(after.getTotal()).isEqualTo(RandomOps.holdings(chain.state));
    // A jailed validator stays out at the boundary.
    assertThat(toEpochEnd()).isEmpty();
  }

  @Test
  void evidenceAlreadySlashedOrAgainstAnUnknownValidatorIsIgnored() {
    ok(op1, create(cons1, 1000));
    toEpochEnd();
    long offence = chain.height;
    chain.misbehavior.add(new Misbehavior(TestChain.addr(cons1), offence, 10));
    chain.misbehavior.add(new Misbehavior(TestChain.addr(cons1), offence, 10));
    chain.misbehavior.add(new Misbehavior(TestChain.addr(cons2), offence, 10));
    chain.misbehavior.add(new Misbehavior(new byte[3], offence, 10));
    BlockOutcome o = chain.block();
    assertThat(events(o, "slash")).hasSize(1);
    assertThat(events(o, "evidence_ignored").stream().map(e -> attr(e, "reason")))
        .containsExactly("already_slashed", "unknown_validator", "unknown_validator");
    // The same offence in a later block burns nothing more.
    Supply s = Store.readOnly(chain.state).supply();
    chain.misbehavior.add(new Misbehavior(TestChain.addr(cons1), offence, 10));
    BlockOutcome again = chain.block();
    assertThat(again.validatorUpdates()).isEmpty();
    assertThat(Store.readOnly(chain.state).supply()).isEqualTo(s);
    // Another height is another offence.
    chain.misbehavior.add(new Misbehavior(TestChain.addr(cons1), offence + 1, 10));
    assertThat(attr(events(chain.block(), "slash").get(0), "burned")).isEqualTo("90");
    assertThat(validator(cons1).get("slashed_heights").toString())
        .isEqualTo("[\"" + offence + "\",\"" + (offence + 1) + "\"]");
  }

  @Test
  void unjailAfterTheJailPeriodRejoinsAtTheNextBoundary() {
    ok(op1, create(cons1, 1000));
    chain.rejects(op1, unjail(), ErrorCode.VALIDATOR_NOT_JAILED);
    toEpochEnd();
    chain.misbehavior.add(new Misbehavior(TestChain.addr(cons1), chain.height, 10));
    chain.block();
    long until = validator(cons1).get("jailed_until_epoch").asLong();
    assertThat(until).isEqualTo(chain.epoch() + 1);
    chain.rejects(op1, unjail(), ErrorCode.JAIL_NOT_OVER);
    toEpochEnd();
    ok(op1, unbond(850));
    chain.rejects(op1, unjail(), ErrorCode.UNJAIL_WITHOUT_POWER);
    ok(op1, bond(50));
    ok(op1, unjail());
    assertThat(validator(cons1).get("jailed").asBoolean()).isFalse();
    assertThat(toEpochEnd()).containsExactly(update(cons1, 1));
  }

  @Test
  void theLastValidatorIsNeverRemoved() {
    // The genesis validator alone: slashing jails it but keeps it, the election keeps the set.
    chain.misbehavior.add(new Misbehavior(TestChain.addr(genesisKey), 1, 5));
    BlockOutcome o = chain.block();
    assertThat(o.validatorUpdates()).isEmpty();
    assertThat(attr(events(o, "slash").get(0), "removed")).isEqualTo("false");
    assertThat(validator(genesisKey).get("jailed").asBoolean()).isTrue();
    assertThat(validator(genesisKey).get("power").asText()).isEqualTo("5");
    chain.advanceTo(3);
    BlockOutcome boundary = chain.block();
    assertThat(boundary.validatorUpdates()).isEmpty();
    assertThat(attr(events(boundary, "validator_set_kept").get(0), "reason"))
        .isEqualTo("no_candidates");
    // Once someone else qualifies, the jailed validator leaves.
    ok(op1, create(cons1, 100));
    assertThat(toEpochEnd())
        .containsExactly(sortedByAddress(update(cons1, 1), update(genesisKey, 0)));
  }

  @Test
  void replayingTheBlocksWithTheirMisbehaviorGivesTheSameOutcomes() {
    ok(op1, create(cons1, 1000));
    ok(op2, create(cons2, 2000));
    toEpochEnd();
    chain.misbehavior.add(new Misbehavior(TestChain.addr(cons2), chain.height, 20));
    ok(op1, bond(123));
    toEpochEnd();
    ok(op2, unbond(500));
    toEpochEnd();
    TestChain replay = chain(List.of(update(genesisKey, 5)));
    List<BlockOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < chain.blocks.size(); i++) {
      BlockOutcome o =
          replay.sm.executeBlock(replay.state, chain.contexts.get(i), chain.blocks.get(i));
      replay.state.apply(o.changes());
      outcomes.add(o);
    }
    assertThat(ReplayDeterminismTest.fingerprint(outcomes))
        .isEqualTo(ReplayDeterminismTest.fingerprint(chain.outcomes));
    for (int i = 0; i < outcomes.size(); i++) {
      assertThat(outcomes.get(i).validatorUpdates())
          .isEqualTo(chain.outcomes.get(i).validatorUpdates());
    }
    assertThat(dump(replay.state)).isEqualTo(dump(chain.state));
  }

  static List<String> dump(MemoryState state) {
    List<String> out = new ArrayList<>();
    state.entries.forEach((k, v) -> out.add(MsgContext.hex(k) + "=" + MsgContext.hex(v)));
    return out;
  }

  @Test
  void genesisRejectsValidatorParamsThatCannotWork() {
    for (String bad :
        List.of(
            "{\"power_reduction\":0}",
            "{\"max_validators\":0}",
            "{\"double_sign_slash_ppm\":1000001}")) {
      assertThatThrownBy(() -> new TestChain("{\"params\":" + bad + "}"))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("app_state.params.");
    }
  }

  @Test
  void aSetWhoseTotalPowerConsensusCannotHoldIsNotElected() {
    TestChain c = chain(List.of(update(genesisKey, ValidatorUpdates.MAX_TOTAL_POWER)));
    c.ok(op1, create(cons1, 100));
    c.advanceTo(3);
    BlockOutcome boundary = c.block();
    assertThat(boundary.validatorUpdates()).isEmpty();
    assertThat(attr(events(boundary, "validator_set_kept").get(0), "reason"))
        .isEqualTo("total_power_too_large");
    assertThat(c.query("/validator/" + hex(cons1)).get("power").asText()).isEqualTo("0");
  }
}
