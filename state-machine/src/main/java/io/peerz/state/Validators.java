package io.peerz.state;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Address;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.proto.MsgBondValidator;
import io.peerz.ledger.proto.MsgCreateValidator;
import io.peerz.ledger.proto.MsgUnbondValidator;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.proto.ConsensusValidator;
import io.peerz.state.proto.Params;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Consensus validators from stake: the genesis set, create-validator, bond, unbond and unjail. The
 * set consensus sees changes only at epoch boundaries ({@link ValidatorElection}) and on slashing.
 */
final class Validators {
  private Validators() {}

  /** Voting power the validator would have now: 0 while jailed. */
  static long power(ConsensusValidator v, Params p) {
    if (v.getJailed()) {
      return 0;
    }
    return Math.addExact(v.getGenesisPower(), v.getBonded() / p.getPowerReduction());
  }

  static byte[] address(ConsensusValidator v) {
    return Address.of(v.getPubKey().toByteArray()).bytes();
  }

  /**
   * Records the genesis validators with their powers (unbacked by tokens); each is operated by the
   * account of its own consensus key. Throws IllegalArgumentException for a bad or repeated key.
   */
  static void recordGenesis(Store store, List<ValidatorUpdate> genesis) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < genesis.size(); i++) {
      ValidatorUpdate u = genesis.get(i);
      byte[] pub = u.getPubKey().toByteArray();
      String at = "validators[" + i + "]";
      if (!Ed25519.isPublicKey(pub)) {
        throw new IllegalArgumentException(at + ".pub_key is not an Ed25519 public key");
      }
      if (u.getPower() <= 0) {
        throw new IllegalArgumentException(at + ".power must be positive, got " + u.getPower());
      }
      byte[] address = Address.of(pub).bytes();
      if (!seen.add(MsgContext.hex(address))) {
        throw new IllegalArgumentException(at + ".pub_key repeats an earlier validator's");
      }
      store.putValidator(
          ConsensusValidator.newBuilder()
              .setPubKey(u.getPubKey())
              .setOperator(ByteString.copyFrom(address))
              .setGenesisPower(u.getPower())
              .setPower(u.getPower())
              .build());
      store.putValidatorOperator(address, address);
    }
  }

  static void create(MsgContext c, MsgCreateValidator m) {
    byte[] pub = m.getPubKey().toByteArray();
    if (!Ed25519.isPublicKey(pub)) {
      throw ErrorCode.INVALID_CONSENSUS_KEY.reject(
          "pub_key is "
              + pub.length
              + " bytes"
              + (pub.length == Ed25519.KEY_LENGTH ? " but not an Ed25519 curve point" : "")
              + "; give the 32-byte Ed25519 key of priv_validator_key.json");
    }
    byte[] address = Address.of(pub).bytes();
    if (c.store().validator(address) != null) {
      throw ErrorCode.CONSENSUS_KEY_TAKEN.reject(
          "validator " + MsgContext.hex(address) + " already uses this consensus key");
    }
    byte[] existing = c.store().validatorOf(c.signer());
    if (existing != null) {
      throw ErrorCode.OPERATOR_HAS_VALIDATOR.reject(
          MsgContext.hex(c.signer())
              + " already operates validator "
              + MsgContext.hex(existing)
              + "; bond to it with bond-validator");
    }
    long amount = positive(m.getAmount());
    long reduction = c.params().getPowerReduction();
    if (amount < reduction) {
      throw ErrorCode.BOND_BELOW_POWER_REDUCTION.reject(
          "bond " + amount + " is below power_reduction " + reduction + ": it gives no power");
    }
    c.bank().debit(c.signer(), amount, ErrorCode.VALIDATOR_INSUFFICIENT_FUNDS);
    c.store()
        .putValidator(
            ConsensusValidator.newBuilder()
                .setPubKey(m.getPubKey())
                .setOperator(ByteString.copyFrom(c.signer()))
                .setBonded(amount)
                .setCreatedHeight(c.height())
                .build());
    c.store().putValidatorOperator(c.signer(), address);
    emit(c, "validator_created", address, amount);
  }

  static void bond(MsgContext c, MsgBondValidator m) {
    ConsensusValidator v = own(c);
    long amount = positive(m.getAmount());
    long bonded = Math.addExact(v.getBonded(), amount);
    c.bank().debit(c.signer(), amount, ErrorCode.VALIDATOR_INSUFFICIENT_FUNDS);
    c.store().putValidator(v.toBuilder().setBonded(bonded).build());
    emit(c, "validator_bonded", address(v), amount);
  }

  static void unbond(MsgContext c, MsgUnbondValidator m) {
    ConsensusValidator v = own(c);
    long amount = positive(m.getAmount());
    if (amount > v.getBonded()) {
      throw ErrorCode.UNBOND_ABOVE_BOND.reject(
          "validator "
              + MsgContext.hex(address(v))
              + " has "
              + v.getBonded()
              + " bonded, asked to unbond "
              + amount);
    }
    long release = Math.addExact(c.epoch(), c.params().getUnbondingEpochs());
    c.store().putValidator(v.toBuilder().setBonded(v.getBonded() - amount).build());
    c.bank().addUnbonding(c.signer(), amount, release);
    emit(c, "validator_unbonded", address(v), amount);
  }

  static void unjail(MsgContext c) {
    ConsensusValidator v = own(c);
    String id = MsgContext.hex(address(v));
    if (!v.getJailed()) {
      throw ErrorCode.VALIDATOR_NOT_JAILED.reject("validator " + id + " is not jailed");
    }
    if (c.epoch() < v.getJailedUntilEpoch()) {
      throw ErrorCode.JAIL_NOT_OVER.reject(
          "validator "
              + id
              + " is jailed until epoch "
              + v.getJailedUntilEpoch()
              + "; this is epoch "
              + c.epoch());
    }
    ConsensusValidator free = v.toBuilder().setJailed(false).build();
    if (power(free, c.params()) == 0) {
      throw ErrorCode.UNJAIL_WITHOUT_POWER.reject(
          "validator "
              + id
              + " has "
              + v.getBonded()
              + " bonded, below power_reduction "
              + c.params().getPowerReduction()
              + "; bond more first");
    }
    c.store().putValidator(free);
    c.emit("validator_unjailed", "validator", id, "operator", MsgContext.hex(c.signer()));
  }

  private static ConsensusValidator own(MsgContext c) {
    byte[] address = c.store().validatorOf(c.signer());
    if (address == null) {
      throw ErrorCode.VALIDATOR_NOT_FOUND.reject(
          MsgContext.hex(c.signer()) + " operates no validator; create-validator first");
    }
    return c.store().validator(address);
  }

  private static long positive(long raw) {
    long amount = MsgContext.amount(raw, "amount");
    if (amount == 0) {
      throw ErrorCode.VALIDATOR_ZERO_AMOUNT.reject("amount must be positive");
    }
    return amount;
  }

  private static void emit(MsgContext c, String type, byte[] validator, long amount) {
    c.emit(
        type,
        "validator",
        MsgContext.hex(validator),
        "operator",
        MsgContext.hex(c.signer()),
        "amount",
        Long.toString(amount));
  }
}
