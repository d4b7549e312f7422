package io.peerz.state;

import io.peerz.ledger.proto.MsgAddStake;
import io.peerz.ledger.proto.MsgDelegateStake;
import io.peerz.ledger.proto.MsgRemoveStake;
import io.peerz.ledger.proto.MsgUndelegateStake;
import io.peerz.state.proto.Account;
import io.peerz.state.proto.Delegation;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.Unbonding;

/** Node stake, unbonding and subnet delegation (shares minted at the pool's current value). */
final class Staking {
  private Staking() {}

  static void addStake(MsgContext c, MsgAddStake m) {
    Node n = NodeRegistry.resolve(c, m.getSubnetId(), m.getNodeId(), false);
    long amount = MsgContext.amount(m.getAmount(), "amount");
    if (amount == 0) {
      throw ErrorCode.STAKE_ZERO_AMOUNT.reject("amount must be positive");
    }
    Subnet s = c.store().subnet(n.getSubnetId());
    long next = Math.addExact(n.getStake(), amount);
    if (next > s.getMaxStake()) {
      throw ErrorCode.STAKE_BOUNDS.reject(
          "stake would be " + next + ", above the subnet's max_stake " + s.getMaxStake());
    }
    c.bank().debit(c.signer(), amount, ErrorCode.STAKE_INSUFFICIENT_FUNDS);
    c.store().putNode(n.toBuilder().setStake(next).build());
    emit(c, "stake_added", n, amount);
  }

  static void removeStake(MsgContext c, MsgRemoveStake m) {
    Node n = NodeRegistry.resolve(c, m.getSubnetId(), m.getNodeId(), false);
    long amount = MsgContext.amount(m.getAmount(), "amount");
    if (amount == 0) {
      throw ErrorCode.STAKE_ZERO_AMOUNT.reject("amount must be positive");
    }
    Subnet s = c.store().subnet(n.getSubnetId());
    if (amount > n.getStake() || n.getStake() - amount < s.getMinStake()) {
      throw ErrorCode.STAKE_BOUNDS.reject(
          "node stake "
              + n.getStake()
              + " minus "
              + amount
              + " would fall below min_stake "
              + s.getMinStake()
              + "; remove the node to withdraw everything");
    }
    c.store().putNode(n.toBuilder().setStake(n.getStake() - amount).build());
    long release = Math.addExact(c.epoch(), c.params().getUnbondingEpochs());
    c.bank().addUnbonding(c.signer(), amount, release);
    emit(c, "stake_removed", n, amount);
  }

  static void claimUnbonded(MsgContext c) {
    Account a = c.store().account(c.signer());
    long claimed = 0;
    Account.Builder kept = a.toBuilder().clearUnbonding();
    for (Unbonding u : a.getUnbondingList()) {
      if (u.getReleaseEpoch() <= c.epoch()) {
        claimed = Math.addExact(claimed, u.getAmount());
      } else {
        kept.addUnbonding(u);
      }
    }
    if (claimed == 0) {
      throw ErrorCode.NOTHING_TO_CLAIM.reject(
          "no unbonding entry is released at epoch "
              + c.epoch()
              + " ("
              + a.getUnbondingCount()
              + " pending)");
    }
    c.store()
        .putAccount(c.signer(), kept.setBalance(Math.addExact(a.getBalance(), claimed)).build());
    c.emit("unbonded_claimed", "address", MsgContext.hex(c.signer()), "amount", "" + claimed);
  }

  static void delegate(MsgContext c, MsgDelegateStake m) {
    Subnet s = subnet(c, m.getSubnetId());
    long amount = MsgContext.amount(m.getAmount(), "amount");
    if (amount == 0) {
      throw ErrorCode.STAKE_ZERO_AMOUNT.reject("amount must be positive");
    }
    long shares =
        s.getDelegationShares() == 0 || s.getDelegationPool() == 0
            ? amount
            : MsgContext.mulDiv(amount, s.getDelegationShares(), s.getDelegationPool());
    if (shares == 0) {
      throw ErrorCode.AMOUNT_TOO_SMALL.reject(
          "amount "
              + amount
              + " buys no share: the pool holds "
              + s.getDelegationPool()
              + " for "
              + s.getDelegationShares()
              + " shares");
    }
    c.bank().debit(c.signer(), amount, ErrorCode.STAKE_INSUFFICIENT_FUNDS);
    c.store()
        .putSubnet(
            s.toBuilder()
                .setDelegationPool(Math.addExact(s.getDelegationPool(), amount))
                .setDelegationShares(Math.addExact(s.getDelegationShares(), shares))
                .build());
    Delegation d = c.store().delegation(c.signer(), s.getId());
    c.store()
        .putDelegation(
            c.signer(),
            s.getId(),
            d.toBuilder().setShares(Math.addExact(d.getShares(), shares)).build());
    c.emit(
        "stake_delegated",
        "subnet_id",
        Long.toString(s.getId()),
        "delegator",
        MsgContext.hex(c.signer()),
        "amount",
        Long.toString(amount),
        "shares",
        Long.toString(shares));
  }

  static void undelegate(MsgContext c, MsgUndelegateStake m) {
    Subnet s = subnet(c, m.getSubnetId());
    long shares = MsgContext.amount(m.getShares(), "shares");
    if (shares == 0) {
      throw ErrorCode.STAKE_ZERO_AMOUNT.reject("shares must be positive");
    }
    Delegation d = c.store().delegation(c.signer(), s.getId());
    if (d.getShares() < shares) {
      throw ErrorCode.INSUFFICIENT_SHARES.reject(
          "signer holds " + d.getShares() + " shares in subnet " + s.getId() + ", asked " + shares);
    }
    long value = MsgContext.mulDiv(shares, s.getDelegationPool(), s.getDelegationShares());
    c.store()
        .putSubnet(
            s.toBuilder()
                .setDelegationPool(s.getDelegationPool() - value)
                .setDelegationShares(s.getDelegationShares() - shares)
                .build());
    c.store()
        .putDelegation(
            c.signer(), s.getId(), d.toBuilder().setShares(d.getShares() - shares).build());
    long release = Math.addExact(c.epoch(), c.params().getUnbondingEpochs());
    c.bank().addUnbonding(c.signer(), value, release);
    c.emit(
        "stake_undelegated",
        "subnet_id",
        Long.toString(s.getId()),
        "delegator",
        MsgContext.hex(c.signer()),
        "shares",
        Long.toString(shares),
        "amount",
        Long.toString(value));
  }

  private static Subnet subnet(MsgContext c, long id) {
    Subnet s = c.store().subnet(id);
    if (s == null) {
      throw ErrorCode.STAKE_SUBNET_NOT_FOUND.reject(
          "subnet " + Long.toUnsignedString(id) + " does not exist");
    }
    return s;
  }

  private static void emit(MsgContext c, String type, Node n, long amount) {
    c.emit(
        type,
        "subnet_id",
        Long.toString(n.getSubnetId()),
        "node_id",
        Long.toString(n.getId()),
        "amount",
        Long.toString(amount));
  }
}
