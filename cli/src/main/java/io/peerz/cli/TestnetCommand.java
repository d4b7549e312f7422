package io.peerz.cli;

import io.peerz.genesis.GenesisAccount;
import io.peerz.genesis.TestnetGenerator;
import io.peerz.ledger.Ed25519KeyPair;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code peerz testnet init}: the homes of a local N-validator network on loopback. */
@Command(
    name = "testnet",
    mixinStandardHelpOptions = true,
    description = "Local multi-validator networks on loopback.",
    subcommands = {TestnetCommand.Init.class})
final class TestnetCommand {

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Write <output>/node0..node<N-1>: one shared genesis with N validators of equal power,",
        "each home's keys, a funded 'validator' account in its test keyring, and a config.toml",
        "with its own loopback ports (node i: p2p <base-port>+10i, RPC <base-port>+10i+1,",
        "Prometheus metrics <base-port>+10i+4, on) and every other node as a persistent peer.",
        "Start each with 'peerz start --home <node>'."
      })
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--validators",
        defaultValue = "4",
        description = "Validators (default: ${DEFAULT-VALUE}).")
    int validators;

    @Option(names = "--output", required = true, paramLabel = "<dir>", description = "Where.")
    Path output;

    @Option(
        names = "--chain-id",
        defaultValue = "peerz-testnet",
        description = "Chain id (default: ${DEFAULT-VALUE}).")
    String chainId;

    @Option(
        names = "--base-port",
        defaultValue = "26656",
        description = "First port (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(
        names = "--epoch-length",
        paramLabel = "<blocks>",
        description = "Blocks per epoch (default: the chain's).")
    Long epochLength;

    @Option(
        names = "--timeout-commit",
        defaultValue = "1s",
        description = "Each node's consensus.timeout_commit (default: ${DEFAULT-VALUE}).")
    String timeoutCommit;

    @Override
    public Integer call() {
      if (validators < 1 || validators > 64) {
        throw new CliException("--validators must be between 1 and 64");
      }
      if (basePort < 1024 || basePort + 10 * validators > 65535) {
        throw new CliException("--base-port leaves no room for " + validators + " nodes");
      }
      DurationConverter.parse(timeoutCommit);
      if (Files.exists(output.resolve("node0/config/genesis.json"))) {
        throw new CliException(output + " already holds a testnet; remove it to start fresh");
      }
      var random = new java.security.SecureRandom();
      List<Keyring> keyrings = new ArrayList<>();
      List<GenesisAccount> accounts = new ArrayList<>();
      for (int i = 0; i < validators; i++) {
        Keyring k =
            new Keyring(
                output.resolve("node" + i),
                KeyringBackend.test,
                new Passphrase(null, Map.of(), null),
                random);
        KeyInfo account = k.add(InitCommand.VALIDATOR_KEY, Ed25519KeyPair.generate(random));
        accounts.add(new GenesisAccount(account.address(), InitCommand.VALIDATOR_FUNDS));
        keyrings.add(k);
      }
      Map<String, Object> params = new TreeMap<>();
      if (epochLength != null) {
        params.put("epoch_length", epochLength);
      }
      List<TestnetGenerator.Node> nodes =
          TestnetGenerator.generate(
              output,
              validators,
              chainId,
              Instant.now().truncatedTo(ChronoUnit.MILLIS),
              params,
              accounts,
              random);
      PrintWriter out = spec.commandLine().getOut();
      for (int i = 0; i < nodes.size(); i++) {
        List<String> peers = new ArrayList<>();
        for (int j = 0; j < nodes.size(); j++) {
          if (j != i) {
            peers.add(nodes.get(j).nodeId() + "@127.0.0.1:" + p2pPort(j));
          }
        }
        String toml =
            ConfigToml.initial("node" + i)
                .replace("tcp://127.0.0.1:26657", "tcp://127.0.0.1:" + (p2pPort(i) + 1))
                .replace("tcp://127.0.0.1:26656", "tcp://127.0.0.1:" + p2pPort(i))
                .replace("timeout_commit = \"1s\"", "timeout_commit = \"" + timeoutCommit + "\"")
                .replace("prometheus = false", "prometheus = true")
                .replace(
                    "prometheus_listen_addr = \":26660\"",
                    "prometheus_listen_addr = \"127.0.0.1:" + metricsPort(i) + "\"")
                .replace(
                    "[p2p]\n", "[p2p]\npersistent_peers = \"" + String.join(",", peers) + "\"\n");
        try {
          Files.writeString(nodes.get(i).home().resolve("config/config.toml"), toml);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        out.println(
            "node"
                + i
                + " home="
                + nodes.get(i).home()
                + " rpc=http://127.0.0.1:"
                + (p2pPort(i) + 1)
                + " metrics=http://127.0.0.1:"
                + metricsPort(i)
                + "/metrics"
                + " node_id="
                + nodes.get(i).nodeId());
      }
      out.flush();
      return 0;
    }

    private int p2pPort(int i) {
      return basePort + 10 * i;
    }

    /** CometBFT's default metrics port is its p2p port + 4 (26660); so is node i's. */
    private int metricsPort(int i) {
      return basePort + 10 * i + 4;
    }
  }
}
