package io.peerz.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json}. */
final class OutputOption {
  enum Format {
    text,
    json
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "<format>",
      defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format output = Format.text;

  boolean json() {
    return output == Format.json;
  }
}
