package io.peerz.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait}/{@code --no-wait} and {@code --timeout}: whether and how long to follow a tx. */
final class WaitOptions {
  @Option(
      names = "--wait",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Wait until the tx is in a block and print its result (default: on).")
  boolean waitForInclusion = true;

  @Option(
      names = "--timeout",
      paramLabel = "<duration>",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long --wait waits for inclusion (default: ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofSeconds(30);
}
