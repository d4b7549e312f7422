package io.peerz.attest;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link AttestationBenchmark}; JMH command-line options (-f, -wi, -i, -p n=2048, ...)
 * override the annotations. The command is in docs/attestation.md.
 */
public final class AttestationBenchmarkMain {
  private AttestationBenchmarkMain() {}

  /** Entry point. */
  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    new Runner(
            new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(AttestationBenchmark.class.getName())
                .build())
        .run();
  }
}
