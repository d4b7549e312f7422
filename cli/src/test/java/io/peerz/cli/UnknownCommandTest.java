package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnknownCommandTest {
  @Test
  void anUnknownCommandIsAnErrorEvenWithHelp() {
    CliRun r = CliRun.run("nosuch", "thing", "--help");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).as("no help is printed as if the command existed").isEmpty();
    assertThat(r.err())
        .contains("unknown command 'nosuch' for 'peerz'")
        .contains("Run 'peerz --help' for the commands.");
  }

  @Test
  void anUnknownCommandWithoutHelpIsTheSameError() {
    CliRun r = CliRun.run("nosuch", "thing");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unknown command 'nosuch' for 'peerz'").doesNotContain("bench");
  }

  @Test
  void anUnknownSubcommandNamesItsParentAndTheNearestCommand() {
    CliRun r = CliRun.run("tx", "regster-subnet", "--help");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("unknown command 'regster-subnet' for 'peerz tx'")
        .contains("Did you mean 'peerz tx register-subnet'?");
  }

  @Test
  void aPrefixOfACommandSuggestsIt() {
    CliRun r = CliRun.run("ke");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Did you mean 'peerz keys'?");
  }

  @Test
  void anExtraWordAfterACommandWithoutSubcommandsIsAnErrorEvenWithHelp() {
    CliRun r = CliRun.run("version", "extra", "--help");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("'extra'");
  }

  @Test
  void helpOfARealCommandStillExitsZero() {
    CliRun r = CliRun.run("tx", "bank", "send", "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Usage: peerz tx bank send");
  }
}
