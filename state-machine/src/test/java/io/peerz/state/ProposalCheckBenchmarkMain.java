package io.peerz.state;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link ProposalCheckBenchmark}; JMH command-line options (-f, -wi, -i, ...) override the
 * annotations. The command is in docs/BENCHMARKS.md.
 */
public final class ProposalCheckBenchmarkMain {
  private ProposalCheckBenchmarkMain() {}

  /** Entry point. */
  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    new Runner(
            new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(ProposalCheckBenchmark.class.getName())
                .build())
        .run();
  }
}
