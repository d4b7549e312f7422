package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The built {@code peerz} CLI (jar + lib/, as ./peerz runs it) as processes for end-to-end tests.
 */
final class PeerzCommand {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(90);

  private final Path home;
  private final String classpath;

  PeerzCommand(Path home) throws IOException {
    this.home = home;
    this.classpath = cliClasspath();
  }

  /** One finished {@code peerz} run. */
  record Run(int exitCode, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON on stdout: " + out + "\nstderr: " + err, e);
      }
    }

    Run ok() {
      assertThat(exitCode).as("exit code; stdout: %s; stderr: %s", out, err).isZero();
      return this;
    }
  }

  /** Runs {@code peerz args...} to completion; {@code context} explains a hang (a node's log). */
  Run run(Supplier<String> context, String... args) {
    return runWithInput(context, "", args);
  }

  /** As {@link #run}, with {@code stdin} as standard input (a file, so no terminal). */
  Run runWithInput(Supplier<String> context, String stdin, String... args) {
    try {
      Path in = Files.createTempFile(home, "in", ".txt");
      Files.writeString(in, stdin, StandardCharsets.UTF_8);
      Path out = Files.createTempFile(home, "out", ".txt");
      Path err = Files.createTempFile(home, "err", ".txt");
      Process p =
          builder(args)
              .redirectInput(in.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            "peerz " + String.join(" ", args) + " did not finish; context:\n" + context.get());
      }
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A {@code peerz args...} process to start, with PEERZ_HOME set to the test's home. */
  ProcessBuilder builder(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add("io.peerz.cli.PeerzCli");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("PEERZ_HOME", home.toString());
    pb.environment().remove("PEERZ_KEYRING_PASSPHRASE");
    return pb;
  }

  /** {@code cli/target/peerz-cli-*.jar:cli/target/lib/*}, as ./peerz runs it. */
  private static String cliClasspath() throws IOException {
    Path root = Path.of(System.getProperty("user.dir"));
    if (!Files.isDirectory(root.resolve("cli"))) {
      root = root.getParent();
    }
    Path target = root.resolve("cli/target");
    Path jar;
    try (Stream<Path> s = Files.list(target)) {
      jar =
          s.filter(p -> p.getFileName().toString().matches("peerz-cli-.*\\.jar"))
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError("build the CLI first: mvn -B install -DskipTests"));
    }
    assertThat(target.resolve("lib")).isDirectory();
    return jar + File.pathSeparator + target.resolve("lib") + File.separator + "*";
  }

  /** The last lines of a process log, for failure messages. */
  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * Polls {@code condition} until it holds; fails with {@code context} when {@code process} exits
   * or the deadline passes.
   */
  static void await(
      Duration limit,
      String what,
      Process process,
      Supplier<String> context,
      BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (process != null && !process.isAlive()) {
        throw new AssertionError(
            "the process exited while waiting for " + what + ":\n" + context.get());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what + ":\n" + context.get());
      }
      Thread.sleep(500); // polling interval of a condition with a deadline
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The value of attribute {@code key} of the first event of {@code type} in a tx result. */
  static String event(JsonNode txResult, String type, String key) {
    for (JsonNode e : txResult.path("events")) {
      if (e.path("type").asText().equals(type)) {
        for (JsonNode a : e.path("attributes")) {
          if (a.path("key").asText().equals(key)) {
            return a.path("value").asText();
          }
        }
      }
    }
    throw new AssertionError("no " + type + "." + key + " event in " + txResult);
  }

  static String randomAddress(Random random) {
    byte[] b = new byte[20];
    random.nextBytes(b);
    return "0x" + java.util.HexFormat.of().formatHex(b);
  }

  /** A well-formed Ed25519 libp2p peer id shape: 12D3KooW + 44 base58 characters. */
  static String randomPeerId(Random random) {
    String base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    StringBuilder sb = new StringBuilder("12D3KooW");
    for (int i = 0; i < 44; i++) {
      sb.append(base58.charAt(random.nextInt(58)));
    }
    return sb.toString();
  }
}
