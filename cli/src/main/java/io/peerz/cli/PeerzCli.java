package io.peerz.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/** The {@code peerz} command: keys, init, genesis, start, tx, query, replay and version. */
@Command(
    name = "peerz",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    sortOptions = false,
    description = {
      "peerz: a ledger node for decentralized GPU compute.",
      "",
      "Start a local chain:  peerz init --chain-id peerz-local && peerz start",
      "Every command but 'start' answers without starting a server."
    },
    subcommands = {
      InitCommand.class,
      StartCommand.class,
      ServerCommand.class,
      JobCommand.class,
      KeysCommand.class,
      TxCommand.class,
      QueryCommand.class,
      GenesisCommand.class,
      ReplayCommand.class,
      TestnetCommand.class,
      EvaluateCommand.class,
      RunWorkloadCommand.class,
      VerifyOutputCommand.class,
      BenchCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class PeerzCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  final Map<String, String> env;
  final Console console;
  final SecureRandom random;

  PeerzCli(Map<String, String> env, Console console, SecureRandom random) {
    this.env = env;
    this.console = console;
    this.random = random;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("Missing command: try 'peerz --help'");
    spec.commandLine().usage(err);
    return 2;
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    int code =
        execute(
            args,
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true),
            System.getenv(),
            System.console());
    System.exit(code);
  }

  /** Runs one command line with the given streams and environment; returns the exit code. */
  static int execute(
      String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Console console) {
    CommandLine cl = commandLine(new PeerzCli(env, console, new SecureRandom()));
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine commandLine(PeerzCli root) {
    CommandLine cl = new CommandLine(root);
    addSnakeCaseAliases(cl);
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof CliException c) {
            err.println("Error: " + c.getMessage());
            err.flush();
            return c.exitCode();
          }
          if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException) {
            err.println("Error: " + e.getMessage());
            err.flush();
            return 1;
          }
          err.println("Error: " + e);
          e.printStackTrace(err);
          err.flush();
          return 1;
        });
    return cl;
  }

  /**
   * The seeds spell flags in snake_case ({@code --subnet_id}); every kebab-case flag also answers
   * to that spelling, added here once instead of in every annotation.
   */
  static void addSnakeCaseAliases(CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    for (OptionSpec opt : new ArrayList<>(spec.options())) {
      if (opt.group() != null) {
        continue; // picocli cannot re-add grouped options; those spell their aliases out
      }
      List<String> names = new ArrayList<>(Arrays.asList(opt.names()));
      List<String> extra = new ArrayList<>();
      for (String n : names) {
        if (n.startsWith("--") && n.indexOf('-', 2) > 0) {
          String snake = "--" + n.substring(2).replace('-', '_');
          if (!names.contains(snake) && spec.findOption(snake) == null) {
            extra.add(snake);
          }
        }
      }
      if (!extra.isEmpty()) {
        names.addAll(extra);
        spec.remove(opt);
        spec.addOption(opt.toBuilder().names(names.toArray(String[]::new)).build());
      }
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      addSnakeCaseAliases(sub);
    }
  }
}
