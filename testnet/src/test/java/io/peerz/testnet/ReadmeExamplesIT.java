package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's {@code ```bash} examples, run as written, one after the other in one shell, as a new
 * user at a fresh machine would type them: {@code ./peerz} is this checkout's (and {@code models/},
 * {@code testnet/} its folders), {@code ~} a fresh home, and each command must exit 0. Two things
 * differ from a terminal, and only these: the default ports (26656, 26657, 26660, 26670, 8090)
 * become free ones, in the text and through {@code PEERZ_NODE}, {@code PEERZ_RPC_LADDR}, {@code
 * PEERZ_P2P_LADDR} and {@code PEERZ_INSTRUMENTATION_PROMETHEUS_LISTEN_ADDR}; and a command that
 * runs until Ctrl-C ({@code peerz start}, {@code peerz server}, {@code peerz data serve}) runs in
 * the background, as in a second terminal, the next lines waiting until it is up; a later {@code
 * peerz start} stops the one before, as Ctrl-C would (one with {@code --halt-height} then runs in
 * the foreground: it exits by itself). The blocks that are not run here are listed in {@link
 * #NOT_HERE} with the test that runs them or why.
 */
class ReadmeExamplesIT {
  private static final Duration LIMIT = Duration.ofMinutes(10);

  /**
   * Blocks (by their first line, without its comment) that this test does not run, and why. A block
   * that is neither run nor listed here fails the test, so a new README example is walked or
   * explained.
   */
  private static final Map<String, String> NOT_HERE =
      Map.of(
          "./testnet/run.sh --demo --reset",
          "the whole demo and mvn -B verify: CI itself runs these (.ci/run)",
          "./testnet/run.sh",
          "a 4-validator network until Ctrl-C: LocalTestnetIT runs testnet init and 4 nodes",
          "./peerz bench --node http://127.0.0.1:26657 --home .testnet/node0 --keyring-backend test \\",
          "200000 txs against run.sh's node0 take minutes: LocalTestnetIT runs peerz bench");

  private static final Pattern LONG_RUNNING =
      Pattern.compile("^\\./peerz (start|server|data serve)\\b.*");
  private static final Pattern COMMENT = Pattern.compile("\\s+#\\s.*$");

  @TempDir Path dir;

  /** One fenced {@code ```bash} block: the README line it starts on and its lines. */
  record Block(int line, List<String> lines) {
    /** The first line without its comment: what NOT_HERE names a block by. */
    String first() {
      return lines.isEmpty() ? "" : COMMENT.matcher(lines.get(0)).replaceFirst("").strip();
    }
  }

  @Test
  void theReadmesShellExamplesRunAsWritten() throws Exception {
    Path repo = repoRoot();
    List<Block> blocks = bashBlocks(Files.readAllLines(repo.resolve("README.md")));
    List<Block> run = new ArrayList<>();
    for (Block b : blocks) {
      if (!NOT_HERE.containsKey(b.first())) {
        run.add(b);
      }
    }
    assertThat(blocks.stream().map(Block::first).toList())
        .as("every block NOT_HERE names is still in the README")
        .containsAll(NOT_HERE.keySet());
    assertThat(run).as("README blocks to run").hasSizeGreaterThanOrEqualTo(4);

    Map<String, String> ports = new LinkedHashMap<>();
    for (String p : List.of("26656", "26657", "26660", "26670", "8090")) {
      ports.put(p, Integer.toString(PeerzCommand.freePort()));
    }
    Path home = Files.createDirectories(dir.resolve("home"));
    Path work = Files.createDirectories(dir.resolve("work"));
    // ./peerz in the examples: this checkout's own script, which runs the build under test.
    Path shim = work.resolve("peerz");
    Files.writeString(shim, "#!/usr/bin/env bash\nexec '" + repo.resolve("peerz") + "' \"$@\"\n");
    Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
    // models/ and testnet/ as the checkout's: the examples read the shipped model and scripts.
    for (String folder : List.of("models", "testnet")) {
      Files.createSymbolicLink(work.resolve(folder), repo.resolve(folder));
    }

    StringBuilder script = new StringBuilder(PREAMBLE);
    for (Block b : run) {
      script.append("\n# README.md line ").append(b.line()).append('\n');
      script.append("echo \"=== README.md line ").append(b.line()).append(" at ${SECONDS}s\"\n");
      for (String line : b.lines()) {
        script.append(rewrite(line, ports)).append('\n');
      }
    }
    // Printed only when every line before it exited 0.
    script.append("{ set +x; } 2>/dev/null\necho \"README examples: all ran in ${SECONDS}s\"\n");
    Path file = dir.resolve("readme-examples.sh");
    Files.writeString(file, script);

    ProcessBuilder pb =
        new ProcessBuilder("bash", file.toString())
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("readme-examples.log").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PEERZ_"));
    env.put("HOME", home.toString());
    // Java takes user.home from the password database, not $HOME: this is the user's ~ here.
    env.put("PEERZ_JAVA_OPTS", "-Duser.home=" + home);
    env.put("PEERZ_NODE", "http://127.0.0.1:" + ports.get("26657"));
    env.put("PEERZ_RPC_LADDR", "tcp://127.0.0.1:" + ports.get("26657"));
    env.put("PEERZ_P2P_LADDR", "tcp://127.0.0.1:" + ports.get("26656"));
    env.put("PEERZ_INSTRUMENTATION_PROMETHEUS_LISTEN_ADDR", ":" + ports.get("26660"));
    Process p = pb.start();
    boolean finished = p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
      p.descendants().forEach(ProcessHandle::destroyForcibly);
    }
    String log = tail(dir.resolve("readme-examples.log"));
    System.out.println(log);
    assertThat(finished).as("the examples finished within %s; output:\n%s", LIMIT, log).isTrue();
    assertThat(p.exitValue()).as("exit status of the README's examples; output:\n%s", log).isZero();
    assertThat(log).contains("README examples: all ran");
    assertThat(p.descendants().filter(ProcessHandle::isAlive).count())
        .as("nothing left running")
        .isZero();
  }

  /**
   * Exits on the first failing command, traces each one, and runs the long-running ones in the
   * background until they are up (their log says so) or have died (then their log is printed).
   */
  private static final String PREAMBLE =
      """
      set -euo pipefail
      PS4='+ '
      set -x
      node_pid=
      others=()
      stop_all() {
        set +x
        for p in $node_pid "${others[@]}"; do kill "$p" 2>/dev/null || true; done
        for p in $node_pid "${others[@]}"; do wait "$p" 2>/dev/null || true; done
      }
      trap stop_all EXIT
      # Waits until the background process $1 wrote $3 to its log $2; fails if it died first.
      up() {
        { set +x; } 2>/dev/null
        local deadline=$((SECONDS + 90))
        until grep -q "$3" "$2"; do
          if ! kill -0 "$1" 2>/dev/null || ((SECONDS > deadline)); then
            echo "not up: $2"; cat "$2"; return 1
          fi
          sleep 0.2
        done
        set -x
      }
      """;

  /** The line with free ports, and a long-running command sent to the background. */
  static String rewrite(String line, Map<String, String> ports) {
    String out = line;
    for (Map.Entry<String, String> e : ports.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    if (!LONG_RUNNING.matcher(out).matches()) {
      return out;
    }
    String command = COMMENT.matcher(out).replaceFirst("");
    int n = Math.abs(command.hashCode());
    String stopNode = "if [ -n \"$node_pid\" ]; then kill $node_pid; wait $node_pid || true; fi\n";
    if (command.startsWith("./peerz start") && command.contains("--halt-height")) {
      // It stops by itself at the halt height: in the foreground, as typed, after Ctrl-C of the
      // node before it (same ports).
      return stopNode + "node_pid=\n" + command;
    }
    if (command.startsWith("./peerz start")) {
      String log = "start-" + n + ".log";
      return stopNode
          + command
          + " > "
          + log
          + " 2>&1 &\nnode_pid=$!\nup $node_pid "
          + log
          + " 'node started'";
    }
    String log = "server-" + n + ".log";
    String ready =
        command.startsWith("./peerz data serve")
            ? "serving "
            : command.contains("--metrics-laddr") ? "metrics: http" : "data endpoint:";
    return command + " > " + log + " 2>&1 &\nothers+=($!)\nup $! " + log + " '" + ready + "'";
  }

  /** Every {@code ```bash} fence of the README with its content. */
  static List<Block> bashBlocks(List<String> readme) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < readme.size(); i++) {
      if (readme.get(i).strip().equals("```bash")) {
        int start = i + 2;
        List<String> lines = new ArrayList<>();
        for (i++; i < readme.size() && !readme.get(i).strip().equals("```"); i++) {
          lines.add(readme.get(i));
        }
        blocks.add(new Block(start, lines));
      }
    }
    return blocks;
  }

  private static Path repoRoot() {
    Path module = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    return Files.exists(module.resolve("README.md")) && Files.exists(module.resolve("peerz"))
        ? module
        : module.getParent();
  }

  private static String tail(Path log) throws IOException {
    String s = Files.readString(log, StandardCharsets.UTF_8);
    return s.length() > 20_000 ? s.substring(s.length() - 20_000) : s;
  }
}
