package io.peerz.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code peerz query validator <addr>} and {@code peerz query validators}. */
final class ValidatorQueryCommands {
  private ValidatorQueryCommands() {}

  @Command(
      name = "validator",
      mixinStandardHelpOptions = true,
      description = {
        "One consensus validator: bond, power (as consensus has it), next power, jail, slashes.",
        "By its consensus address or its operator's (address or key name)."
      })
  static final class Validator extends QueryCommand.AbciPath {
    @Parameters(paramLabel = "<address|key>", description = "Address (0x...) or key name.")
    String who;

    @Override
    String path() {
      return "/validator/" + keyring.address(home, who);
    }
  }

  @Command(
      name = "validators",
      mixinStandardHelpOptions = true,
      description = "Every consensus validator the state machine knows, in address order.")
  static final class Validators extends QueryCommand.AbciPath {
    @Override
    String path() {
      return "/validators";
    }
  }
}
