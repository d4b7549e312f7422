package io.peerz.cli;

import io.peerz.genesis.GenesisAccount;
import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import io.peerz.genesis.NodeKeyFile;
import io.peerz.genesis.PrivValidatorKeyFile;
import io.peerz.genesis.PrivValidatorStateFile;
import io.peerz.ledger.Ed25519KeyPair;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code peerz init}: a one-validator home ready for {@code peerz start}. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create a node home: config/genesis.json (one validator, power 10), config/",
      "priv_validator_key.json, config/node_key.json, config/config.toml,",
      "data/priv_validator_state.json, and a 'validator' account in the test keyring funded",
      "with 1000000000 base units."
    })
final class InitCommand implements Callable<Integer> {
  static final long VALIDATOR_FUNDS = 1_000_000_000L;
  static final String VALIDATOR_KEY = "validator";

  @Spec CommandSpec spec;
  @Mixin HomeOption home;

  @Option(
      names = "--chain-id",
      defaultValue = "peerz-local",
      description = "Chain id (default: ${DEFAULT-VALUE}).")
  String chainId = "peerz-local";

  @Option(names = "--moniker", description = "Node name (default: $HOSTNAME or peerz-node).")
  String moniker;

  @Option(
      names = "--epoch-length",
      paramLabel = "<blocks>",
      description = "Blocks per epoch (app_state.params.epoch_length; default: the chain's).")
  Long epochLength;

  @Option(names = "--overwrite", description = "Replace an existing genesis and keys.")
  boolean overwrite;

  @Override
  public Integer call() {
    Path h = home.home();
    Path config = h.resolve("config");
    Path genesisFile = config.resolve("genesis.json");
    if (Files.exists(genesisFile) && !overwrite) {
      throw new CliException(
          genesisFile + " already exists; pass --overwrite to replace the genesis and keys");
    }
    if (epochLength != null && epochLength < 1) {
      throw new CliException("--epoch-length must be at least 1");
    }
    PeerzCli root = home.root();
    Ed25519KeyPair validatorKey = Ed25519KeyPair.generate(root.random);
    Ed25519KeyPair nodeKey = Ed25519KeyPair.generate(root.random);
    String name = moniker != null ? moniker : root.env.getOrDefault("HOSTNAME", "peerz-node");

    Keyring testKeyring =
        new Keyring(h, KeyringBackend.test, new Passphrase(null, Map.of(), null), root.random);
    if (overwrite && testKeyring.find(VALIDATOR_KEY).isPresent()) {
      testKeyring.delete(VALIDATOR_KEY);
    }
    KeyInfo account = testKeyring.add(VALIDATOR_KEY, Ed25519KeyPair.generate(root.random));

    Map<String, Object> params = new TreeMap<>();
    if (epochLength != null) {
      params.put("epoch_length", epochLength);
    }
    GenesisDoc genesis =
        GenesisFile.create(
            chainId,
            Instant.now().truncatedTo(ChronoUnit.MILLIS),
            List.of(new GenesisDoc.Validator(validatorKey.publicKey(), 10, name)),
            params,
            List.of(new GenesisAccount(account.address(), VALIDATOR_FUNDS)));

    PrivValidatorKeyFile.write(config.resolve("priv_validator_key.json"), validatorKey);
    NodeKeyFile.write(config.resolve("node_key.json"), nodeKey);
    PrivValidatorStateFile.writeInitial(h.resolve("data/priv_validator_state.json"));
    try {
      Files.writeString(config.resolve("config.toml"), ConfigToml.initial(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GenesisFile.write(genesisFile, genesis);

    PrintWriter out = spec.commandLine().getOut();
    out.println("initialized " + h);
    out.println("chain_id: " + chainId);
    out.println("moniker: " + name);
    out.println("node_id: " + NodeKeyFile.nodeId(nodeKey.publicKey()));
    out.println("validator_address: " + GenesisFile.validatorAddress(validatorKey.publicKey()));
    out.println(
        "account 'validator' (test keyring): "
            + account.address()
            + " funded with "
            + VALIDATOR_FUNDS);
    out.println("next: peerz start --home " + h);
    out.flush();
    return 0;
  }
}
