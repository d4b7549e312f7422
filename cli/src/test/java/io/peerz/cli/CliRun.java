package io.peerz.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the CLI in-process and captures what it printed. */
record CliRun(int exitCode, String out, String err) {
  static CliRun run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PeerzCli.execute(args, new PrintWriter(out), new PrintWriter(err), env, null);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** Runs with {@code stdin} as standard input and no terminal, as a pipe or a script does. */
  static CliRun withInput(String stdin, Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        PeerzCli.execute(
            args,
            new PrintWriter(out),
            new PrintWriter(err),
            env,
            null,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    return new CliRun(code, out.toString(), err.toString());
  }

  static CliRun run(String... args) {
    return run(Map.of(), args);
  }
}
