package io.peerz.state;

import io.peerz.state.proto.Account;
import io.peerz.state.proto.Supply;
import io.peerz.state.proto.Unbonding;

/**
 * Moves amounts between holdings (balances, the fee collector, unbonding) and keeps the supply
 * record: moves leave the total alone, mint raises it, burn lowers it. Overflow throws
 * ArithmeticException, which the executor turns into a rejected tx.
 */
final class Bank {
  private final Store store;

  Bank(Store store) {
    this.store = store;
  }

  long balance(byte[] address) {
    return store.account(address).getBalance();
  }

  /** Takes {@code amount} from the balance or rejects with {@code insufficient}. */
  void debit(byte[] address, long amount, ErrorCode insufficient) {
    Account a = store.account(address);
    if (a.getBalance() < amount) {
      throw insufficient.reject(
          "balance " + a.getBalance() + " is below the " + amount + " needed");
    }
    store.putAccount(address, a.toBuilder().setBalance(a.getBalance() - amount).build());
  }

  void credit(byte[] address, long amount) {
    Account a = store.account(address);
    store.putAccount(
        address, a.toBuilder().setBalance(Math.addExact(a.getBalance(), amount)).build());
  }

  void creditFeeCollector(long amount) {
    store.putFeeCollector(Math.addExact(store.feeCollector(), amount));
  }

  void debitFeeCollector(long amount) {
    long have = store.feeCollector();
    if (have < amount) {
      throw new IllegalStateException("fee collector holds " + have + ", asked " + amount);
    }
    store.putFeeCollector(have - amount);
  }

  void addUnbonding(byte[] address, long amount, long releaseEpoch) {
    if (amount == 0) {
      return;
    }
    Account a = store.account(address);
    store.putAccount(
        address,
        a.toBuilder()
            .addUnbonding(
                Unbonding.newBuilder().setAmount(amount).setReleaseEpoch(releaseEpoch).build())
            .build());
  }

  /** Removes an amount from circulation (the caller already took it from a holding). */
  void burned(long amount) {
    Supply s = store.supply();
    store.putSupply(
        s.toBuilder()
            .setTotal(Math.subtractExact(s.getTotal(), amount))
            .setBurned(Math.addExact(s.getBurned(), amount))
            .build());
  }

  /** Adds a new amount to circulation (the caller puts it in a holding). */
  void minted(long amount) {
    Supply s = store.supply();
    store.putSupply(
        s.toBuilder()
            .setTotal(Math.addExact(s.getTotal(), amount))
            .setMinted(Math.addExact(s.getMinted(), amount))
            .build());
  }
}
