package io.peerz.state;

import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.proto.ConsensusValidator;
import io.peerz.state.proto.Params;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block's changes to the consensus validator set: slashing of proven duplicate votes (jail and
 * remove at once) and, at an epoch boundary, the election of the set from stake. Each validator's
 * {@code power} field is what consensus was last told, so updates are only the differences. The set
 * is never left empty: a change that would remove the last validator is not made.
 */
final class ValidatorUpdates {
  private static final Logger log = LoggerFactory.getLogger(ValidatorUpdates.class);

  /** Largest total power consensus accepts (CometBFT's MaxTotalVotingPower). */
  static final long MAX_TOTAL_POWER = Long.MAX_VALUE / 8;

  private final Store store;
  private final Bank bank;
  private final Params params;
  private final long epoch;
  private final List<Event> events;

  /** Updates by consensus address (hex), so a later change of one validator replaces an earlier. */
  private final TreeMap<String, ValidatorUpdate> updates = new TreeMap<>();

  ValidatorUpdates(Store store, Params params, long epoch, List<Event> events) {
    this.store = store;
    this.bank = new Bank(store);
    this.params = params;
    this.epoch = epoch;
    this.events = events;
  }

  /** The updates so far, in consensus address order. */
  List<ValidatorUpdate> updates() {
    return List.copyOf(updates.values());
  }

  /**
   * Slashes each duplicate vote once: burns params.double_sign_slash_ppm of the bond, jails the
   * validator and removes it from the set. Evidence against an unknown validator, or for a height
   * already slashed, is ignored (with an event saying why).
   */
  void slash(List<Misbehavior> misbehavior) {
    for (Misbehavior m : misbehavior) {
      byte[] address = m.validatorAddress();
      ConsensusValidator v = address.length == 20 ? store.validator(address) : null;
      String id = MsgContext.hex(address);
      if (v == null) {
        ignored(id, m, "unknown_validator");
        continue;
      }
      if (v.getSlashedHeightsList().contains(m.height())) {
        ignored(id, m, "already_slashed");
        continue;
      }
      long burn = MsgContext.mulDiv(v.getBonded(), params.getDoubleSignSlashPpm(), MsgContext.PPM);
      List<Long> heights = new ArrayList<>(v.getSlashedHeightsList());
      heights.add(m.height());
      heights.sort(Long::compareUnsigned);
      ConsensusValidator.Builder slashed =
          v.toBuilder()
              .setBonded(v.getBonded() - burn)
              .setJailed(true)
              .setJailedUntilEpoch(Math.max(v.getJailedUntilEpoch(), jailedUntil()))
              .clearSlashedHeights()
              .addAllSlashedHeights(heights);
      bank.burned(burn);
      boolean removed = false;
      if (v.getPower() > 0) {
        if (othersInSet(address) == 0) {
          log.warn(
              "event=slash_kept_last_validator validator={} height={} reason=set_would_be_empty",
              id,
              m.height());
        } else {
          slashed.setPower(0);
          updates.put(id, update(v, 0));
          removed = true;
        }
      }
      store.putValidator(slashed.build());
      log.info(
          "event=validator_slashed validator={} offence_height={} burned={} removed={}",
          id,
          m.height(),
          burn,
          removed);
      events.add(
          MsgContext.event(
              "slash",
              "validator",
              id,
              "reason",
              "duplicate_vote",
              "offence_height",
              Long.toString(m.height()),
              "burned",
              Long.toString(burn),
              "jailed_until_epoch",
              Long.toString(slashed.getJailedUntilEpoch()),
              "removed",
              Boolean.toString(removed)));
    }
  }

  /**
   * The epoch's election: power = genesis power + bond / power_reduction for each unjailed
   * validator, ordered by power (descending) then address, the first params.max_validators with
   * positive power form the set. Nothing changes when no validator qualifies or the total power
   * would be too large for consensus.
   */
  void elect() {
    try {
      electChecked();
    } catch (ArithmeticException e) {
      // Every sum is taken before anything is written, so an overflow leaves the set as it was.
      kept("power_overflow");
    }
  }

  private void electChecked() {
    List<ConsensusValidator> all = store.validators();
    List<ConsensusValidator> candidates = new ArrayList<>();
    for (ConsensusValidator v : all) {
      if (Validators.power(v, params) > 0) {
        candidates.add(v);
      }
    }
    Comparator<ConsensusValidator> order =
        Comparator.comparingLong((ConsensusValidator v) -> Validators.power(v, params))
            .reversed()
            .thenComparing(Validators::address, Arrays::compareUnsigned);
    candidates.sort(order);
    if (candidates.size() > params.getMaxValidators()) {
      candidates = candidates.subList(0, (int) params.getMaxValidators());
    }
    if (candidates.isEmpty()) {
      kept("no_candidates");
      return;
    }
    long total = 0;
    for (ConsensusValidator v : candidates) {
      total = Math.addExact(total, Validators.power(v, params));
    }
    if (total > MAX_TOTAL_POWER) {
      kept("total_power_too_large");
      return;
    }
    TreeMap<String, Long> elected = new TreeMap<>();
    for (ConsensusValidator v : candidates) {
      elected.put(MsgContext.hex(Validators.address(v)), Validators.power(v, params));
    }
    int changed = 0;
    for (ConsensusValidator v : all) {
      String id = MsgContext.hex(Validators.address(v));
      long next = elected.getOrDefault(id, 0L);
      if (next != v.getPower()) {
        store.putValidator(v.toBuilder().setPower(next).build());
        updates.put(id, update(v, next));
        changed++;
        events.add(
            MsgContext.event(
                "validator_power",
                "validator",
                id,
                "power",
                Long.toString(next),
                "previous",
                Long.toString(v.getPower())));
      }
    }
    log.debug(
        "event=validator_election epoch={} validators={} total_power={} changed={}",
        epoch,
        elected.size(),
        total,
        changed);
  }

  private long jailedUntil() {
    long jail = params.getJailEpochs();
    return epoch > Long.MAX_VALUE - jail ? Long.MAX_VALUE : epoch + jail;
  }

  private long othersInSet(byte[] address) {
    long n = 0;
    for (ConsensusValidator v : store.validators()) {
      if (v.getPower() > 0 && !Arrays.equals(Validators.address(v), address)) {
        n++;
      }
    }
    return n;
  }

  private void ignored(String id, Misbehavior m, String reason) {
    log.info(
        "event=evidence_ignored validator={} offence_height={} reason={}", id, m.height(), reason);
    events.add(
        MsgContext.event(
            "evidence_ignored",
            "validator",
            id,
            "offence_height",
            Long.toString(m.height()),
            "reason",
            reason));
  }

  private void kept(String reason) {
    log.warn("event=validator_set_kept epoch={} reason={}", epoch, reason);
    events.add(
        MsgContext.event("validator_set_kept", "epoch", Long.toString(epoch), "reason", reason));
  }

  private static ValidatorUpdate update(ConsensusValidator v, long power) {
    return ValidatorUpdate.newBuilder().setPubKey(v.getPubKey()).setPower(power).build();
  }
}
