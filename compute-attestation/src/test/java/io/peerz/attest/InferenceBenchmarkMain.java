package io.peerz.attest;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link InferenceBenchmark}; JMH command-line options (-f, -wi, -i, -p batch=4096, ...)
 * override the annotations. The command is in docs/BENCHMARKS.md.
 */
public final class InferenceBenchmarkMain {
  private InferenceBenchmarkMain() {}

  /** Entry point. */
  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    new Runner(
            new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(InferenceBenchmark.class.getName())
                .build())
        .run();
  }
}
