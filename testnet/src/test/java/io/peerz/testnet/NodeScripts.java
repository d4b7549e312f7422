package io.peerz.testnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Node.js scripts of {@code testnet/src/test/js} (a wallet's and a browser's view of a node):
 * installed once under {@code testnet/target/cosmjs} with {@code npm ci} from the committed lock
 * file, then run as processes. npm must reach its registry: without it the tests that need it fail,
 * they do not skip.
 */
final class NodeScripts {
  private static final Duration NPM_LIMIT = Duration.ofMinutes(5);
  private static final List<String> FILES =
      List.of(
          "package.json",
          "package-lock.json",
          "cosmjs-e2e.js",
          "verify-proof.js",
          "explorer-e2e.js");

  private final Path dir;

  private NodeScripts(Path dir) {
    this.dir = dir;
  }

  /** What a script printed and how it ended. */
  record Result(boolean finished, int exitCode, String output) {}

  /**
   * Copies the committed package.json, lock file and scripts under target/ and runs {@code npm ci}
   * there (pinned {@code @cosmjs/tendermint-rpc} and {@code playwright-core}, whose browser is
   * Debian's: it downloads none), unless an earlier test of the build installed that lock file.
   */
  static NodeScripts install() throws Exception {
    Path module = Path.of(System.getProperty("user.dir"));
    if (!Files.isDirectory(module.resolve("src/test/js"))) {
      module = module.resolve("testnet");
    }
    Path source = module.resolve("src/test/js");
    Path target = module.resolve("target/cosmjs");
    Files.createDirectories(target);
    // Installed already from this very lock file (by an earlier test of this build): keep it.
    boolean installed =
        Files.exists(target.resolve("package-lock.json"))
            && Files.mismatch(
                    source.resolve("package-lock.json"), target.resolve("package-lock.json"))
                == -1
            && Files.exists(target.resolve("node_modules/.package-lock.json"));
    for (String file : FILES) {
      Files.copy(source.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (installed) {
      return new NodeScripts(target);
    }
    Path log = target.resolve("npm.log");
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
            .directory(target.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = npm.waitFor(NPM_LIMIT.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      npm.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished && npm.exitValue() == 0)
        .as(
            "npm ci of testnet/src/test/js in %s (needs node, npm and the npm registry);"
                + " output:\n%s",
            target, output)
        .isTrue();
    assertThat(target.resolve("node_modules/@cosmjs/tendermint-rpc/package.json")).exists();
    assertThat(target.resolve("node_modules/playwright-core/package.json")).exists();
    return new NodeScripts(target);
  }

  /** Runs {@code node script args...} with {@code env} added, writing its output to {@code out}. */
  Result run(String script, Map<String, String> env, Path out, Duration limit, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean finished = p.waitFor(limit.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    return new Result(finished, finished ? p.exitValue() : -1, output);
  }
}
