package io.peerz.cli;

import io.peerz.consensus.GenesisExport;
import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code peerz export}: the genesis.json of a new chain that starts from the state at a height. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write the genesis.json of a new chain that starts from this node's state",
      "at --height: the path of a breaking upgrade (stop every validator with",
      "halt-height, export, start the new chain from the export). The new chain",
      "keeps the chain id (edit it for a new one), the consensus params and the",
      "heights (initial_height = height + 1); its validators are the state's.",
      "Run it on a stopped node, at a height the node keeps (app.toml pruning)."
    })
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin HomeOption home;

  @Option(
      names = "--height",
      paramLabel = "<height>",
      description = "The committed height whose state to export (default: 0, the latest).")
  long height;

  @Option(
      names = {"--output", "-o"},
      paramLabel = "<file>",
      description = "Write the genesis here, refusing an existing file (default: standard output).")
  Path output;

  @Override
  public Integer call() throws Exception {
    if (height < 0) {
      throw new CliException(
          "--height must be 0 (the latest) or a committed height, got " + height);
    }
    if (output != null && Files.exists(output)) {
      throw new CliException(
          output + " exists: give another --output, or remove it first (nothing was written)");
    }
    Path h = home.home();
    GenesisDoc original = GenesisFile.read(h.resolve("config/genesis.json"));
    GenesisDoc exported;
    try {
      exported = GenesisExport.of(h, original, height);
    } catch (IllegalStateException e) {
      throw new CliException(e.getMessage());
    }
    if (output == null) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(new String(exported.rawJson(), StandardCharsets.UTF_8));
      out.flush();
      return 0;
    }
    GenesisFile.write(output, exported);
    spec.commandLine()
        .getErr()
        .println(
            "exported the state at height "
                + (exported.initialHeight() - 1)
                + " to "
                + output
                + " (initial_height "
                + exported.initialHeight()
                + ")");
    return 0;
  }
}
