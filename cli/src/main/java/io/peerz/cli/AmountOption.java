package io.peerz.cli;

import picocli.CommandLine.Option;

/** {@code --amount}: a required amount in integer base units, for the staking and bonding txs. */
final class AmountOption {
  @Option(
      paramLabel = "<amount>",
      names = "--amount",
      required = true,
      converter = AmountConverter.class,
      description = "Amount in base units.")
  long amount;
}
