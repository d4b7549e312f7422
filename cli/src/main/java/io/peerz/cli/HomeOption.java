package io.peerz.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --home}: the node's directory (config/, data/, keyring-*). */
final class HomeOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--home",
      paramLabel = "<dir>",
      description = "Node home directory (default: $PEERZ_HOME or ~/.peerz).")
  Path home;

  Path home() {
    if (home != null) {
      return home;
    }
    String env = root().env.get("PEERZ_HOME");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".peerz");
  }

  PeerzCli root() {
    return (PeerzCli) mixee.root().userObject();
  }
}
