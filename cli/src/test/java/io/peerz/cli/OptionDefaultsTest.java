package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Console;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The first hour with peerz: every option of every command either is required (and its help says
 * so), or has a default shown in {@code --help} ({@code ${DEFAULT-VALUE}} or "default: ..." in its
 * description), or is a switch or filter whose absence means something its help text says.
 */
class OptionDefaultsTest {

  @Test
  void everyOptionOfEveryCommandIsRequiredOrSaysWhatItsAbsenceMeans() {
    CommandLine root =
        PeerzCli.commandLine(new PeerzCli(Map.of(), (Console) null, new SecureRandom()));
    List<String> silent = new ArrayList<>();
    walk(root, silent);
    assertThat(silent)
        .as(
            "options that are neither required nor say in --help what happens without them"
                + " (add 'default: ...' or ${DEFAULT-VALUE} to the description, or make them"
                + " required)")
        .isEmpty();
  }

  @Test
  void theWalkSeesEveryCommandAndFindsASilentOption() {
    CommandLine cl =
        new CommandLine(CommandSpec.create().name("t"))
            .addSubcommand(
                "sub",
                new CommandLine(
                    CommandSpec.create()
                        .addOption(
                            OptionSpec.builder("--quiet-flag")
                                .type(String.class)
                                .description("Does something.")
                                .build())
                        .addOption(
                            OptionSpec.builder("--told")
                                .type(String.class)
                                .description("Something (default: none, all of them).")
                                .build())
                        .addOption(
                            OptionSpec.builder("--must")
                                .type(String.class)
                                .required(true)
                                .description("Required: something.")
                                .build())
                        .addOption(
                            OptionSpec.builder("--given")
                                .type(String.class)
                                .defaultValue("7")
                                .description("Something (default: ${DEFAULT-VALUE}).")
                                .build())));
    List<String> silent = new ArrayList<>();
    walk(cl, silent);
    assertThat(silent).containsExactly("t sub --quiet-flag");
  }

  private static void walk(CommandLine cl, List<String> silent) {
    CommandSpec spec = cl.getCommandSpec();
    for (OptionSpec o : spec.options()) {
      if (o.usageHelp() || o.versionHelp() || o.hidden()) {
        continue;
      }
      String text = String.join(" ", o.description());
      if (o.required()) {
        if (!text.toLowerCase(java.util.Locale.ROOT).contains("required")) {
          silent.add(spec.qualifiedName() + " " + o.longestName() + " (required, not said)");
        }
        continue;
      }
      if (o.defaultValue() != null && text.contains("${DEFAULT-VALUE}")) {
        continue;
      }
      if (saysItsDefault(text) || isSwitch(o)) {
        continue;
      }
      silent.add(spec.qualifiedName() + " " + o.longestName());
    }
    // A command's aliases map to the same CommandLine: walk each one once.
    java.util.Set<CommandLine> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (seen.add(sub)) {
        walk(sub, silent);
      }
    }
  }

  /** A boolean flag: absent means off, which is what the flag's own words describe. */
  private static boolean isSwitch(OptionSpec o) {
    return o.arity().max() == 0 && (o.type() == boolean.class || o.type() == Boolean.class);
  }

  private static boolean saysItsDefault(String text) {
    String t = text.toLowerCase(java.util.Locale.ROOT);
    return t.contains("default") || t.contains("required");
  }
}
