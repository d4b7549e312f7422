package io.peerz.state;

import io.peerz.state.proto.Chain;
import io.peerz.state.proto.Params;

/**
 * The subnet registration cost: base + increment x recent registrations, where the counter drops by
 * one every registration_cost_decay_blocks blocks (applied lazily when read).
 */
final class RegistrationCost {
  private RegistrationCost() {}

  /** The chain record with the recent-registrations counter decayed up to {@code height}. */
  static Chain decayed(Chain chain, Params p, long height) {
    long period = p.getRegistrationCostDecayBlocks();
    long elapsed = height - chain.getLastDecayHeight();
    if (elapsed < period) {
      return chain;
    }
    long periods = elapsed / period;
    long recent = chain.getRecentRegistrations();
    if (periods >= recent) {
      return chain.toBuilder().setRecentRegistrations(0).setLastDecayHeight(height).build();
    }
    return chain.toBuilder()
        .setRecentRegistrations(recent - periods)
        .setLastDecayHeight(chain.getLastDecayHeight() + periods * period)
        .build();
  }

  static long cost(Chain decayed, Params p) {
    return Math.addExact(
        p.getSubnetRegistrationBaseCost(),
        Math.multiplyExact(
            p.getSubnetRegistrationCostIncrement(), decayed.getRecentRegistrations()));
  }
}
