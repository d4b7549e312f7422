package io.peerz.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

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
      DataCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class PeerzCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  final Map<String, String> env;
  final Console console;
  final SecureRandom random;

  /** Standard input, for secrets piped in when there is no terminal (see {@link SecretInput}). */
  final BufferedReader stdin;

  PeerzCli(Map<String, String> env, Console console, SecureRandom random) {
    this(env, console, random, InputStream.nullInputStream());
  }

  PeerzCli(Map<String, String> env, Console console, SecureRandom random, InputStream stdin) {
    this.env = env;
    this.console = console;
    this.random = random;
    this.stdin = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
  }

  /** A mnemonic or BIP-39 passphrase: from the terminal, else from standard input. */
  SecretInput secrets() {
    return new SecretInput(console, stdin);
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
            System.console(),
            System.in);
    System.exit(code);
  }

  /** Runs one command line with nothing on standard input; returns the exit code. */
  static int execute(
      String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Console console) {
    return execute(args, out, err, env, console, InputStream.nullInputStream());
  }

  /** Runs one command line with the given streams and environment; returns the exit code. */
  static int execute(
      String[] args,
      PrintWriter out,
      PrintWriter err,
      Map<String, String> env,
      Console console,
      InputStream stdin) {
    CommandLine cl = commandLine(new PeerzCli(env, console, new SecureRandom(), stdin));
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine commandLine(PeerzCli root) {
    CommandLine cl = new CommandLine(root);
    addSnakeCaseAliases(cl);
    sayRequired(cl);
    cl.setExecutionStrategy(PeerzCli::refuseUnmatchedThenRun);
    CommandLine.IParameterExceptionHandler picocliHandler = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler(
        (e, args) -> {
          Optional<Integer> unknown = unknownCommand(e);
          return unknown.isPresent() ? unknown.get() : picocliHandler.handleParseException(e, args);
        });
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
   * picocli lets {@code --help} win over words it could not match, so {@code peerz nosuch --help}
   * printed the root help and exited 0; an unknown command is an error with or without it.
   */
  private static int refuseUnmatchedThenRun(ParseResult parsed) {
    ParseResult last = parsed;
    while (true) {
      if (!last.unmatched().isEmpty()) {
        throw new UnmatchedArgumentException(last.commandSpec().commandLine(), last.unmatched());
      }
      if (!last.hasSubcommand()) {
        break;
      }
      last = last.subcommand();
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  /**
   * A word where a command should be is an unknown command: named as such, with the nearest real
   * one, and exit code 2 (picocli's own message for it suggested any command at all, e.g. 'bench'
   * for 'nosuch'). Empty for every other bad argument, which picocli reports.
   */
  private static Optional<Integer> unknownCommand(ParameterException e) {
    CommandLine cl = e.getCommandLine();
    if (!(e instanceof UnmatchedArgumentException u)
        || cl.getSubcommands().isEmpty()
        || u.getUnmatched().isEmpty()
        || u.getUnmatched().get(0).startsWith("-")) {
      return Optional.empty();
    }
    String word = u.getUnmatched().get(0);
    String path = cl.getCommandSpec().qualifiedName();
    PrintWriter err = cl.getErr();
    err.println("Error: unknown command '" + word + "' for '" + path + "'");
    err.println(
        suggestion(word, cl)
            .map(s -> "Did you mean '" + path + " " + s + "'?")
            .orElse("Run '" + path + " --help' for the commands."));
    err.flush();
    return Optional.of(cl.getCommandSpec().exitCodeOnInvalidInput());
  }

  /** A subcommand that starts with {@code word}, else one at most two edits from it. */
  private static Optional<String> suggestion(String word, CommandLine cl) {
    List<String> names = new ArrayList<>(cl.getSubcommands().keySet());
    for (String n : names) {
      if (n.startsWith(word) && !n.contains("_")) {
        return Optional.of(n);
      }
    }
    return EditDistance.closest(word, names, 2);
  }

  /**
   * A required option says so in its own line of {@code --help} (picocli only leaves the brackets
   * off in the synopsis), added here once instead of in every annotation; OptionDefaultsTest holds
   * every option to saying either that or its default.
   */
  static void sayRequired(CommandLine cl) {
    CommandSpec spec = cl.getCommandSpec();
    for (OptionSpec opt : new ArrayList<>(spec.options())) {
      String[] text = opt.description();
      if (!opt.required()
          || opt.group() != null
          || String.join(" ", text).toLowerCase(Locale.ROOT).contains("required")) {
        continue;
      }
      String[] said = text.length == 0 ? new String[] {""} : text.clone();
      String last = said[said.length - 1].strip();
      said[said.length - 1] =
          last.isEmpty()
              ? "Required."
              : last.endsWith(".")
                  ? last.substring(0, last.length() - 1) + "; required."
                  : last + " (required)";
      spec.remove(opt);
      spec.addOption(opt.toBuilder().description(said).build());
    }
    // An alias maps to the same command again: a second pass finds it said already.
    for (CommandLine sub : cl.getSubcommands().values()) {
      sayRequired(sub);
    }
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
