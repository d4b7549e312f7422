package io.peerz.state;

/**
 * The market's module account: pool deposits and job budgets move in from balances and out to
 * balances (payments, refunds); the supply total counts it like any holding.
 */
final class Escrow {
  private Escrow() {}

  static void lock(MsgContext c, byte[] from, long amount, ErrorCode insufficient) {
    c.bank().debit(from, amount, insufficient);
    c.store().putEscrow(Math.addExact(c.store().escrow(), amount));
  }

  static void release(Store store, Bank bank, byte[] to, long amount) {
    if (amount == 0) {
      return;
    }
    long have = store.escrow();
    if (have < amount) {
      throw new IllegalStateException("escrow holds " + have + ", asked " + amount);
    }
    store.putEscrow(have - amount);
    bank.credit(to, amount);
  }
}
