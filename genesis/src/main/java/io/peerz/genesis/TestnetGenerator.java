package io.peerz.genesis;

import io.peerz.ledger.Ed25519KeyPair;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the homes of an N-validator testnet: {@code <dir>/node<i>/config/{genesis.json,
 * priv_validator_key.json, node_key.json}} and {@code data/priv_validator_state.json}, every node
 * sharing one genesis with each validator at power 10.
 */
public final class TestnetGenerator {
  private TestnetGenerator() {}

  /** One generated node: its home, validator key and node id. */
  public record Node(Path home, Ed25519KeyPair validatorKey, String nodeId) {}

  /** Generates {@code count} homes under {@code dir}; returns them in order. */
  public static List<Node> generate(
      Path dir,
      int count,
      String chainId,
      Instant genesisTime,
      Map<String, ?> paramOverrides,
      List<GenesisAccount> accounts,
      SecureRandom random) {
    if (count < 1) {
      throw new IllegalArgumentException("count: at least one validator is required");
    }
    List<GenesisDoc.Validator> validators = new ArrayList<>();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Path home = dir.resolve("node" + i);
      Ed25519KeyPair validatorKey = Ed25519KeyPair.generate(random);
      Ed25519KeyPair nodeKey = Ed25519KeyPair.generate(random);
      PrivValidatorKeyFile.write(home.resolve("config/priv_validator_key.json"), validatorKey);
      NodeKeyFile.write(home.resolve("config/node_key.json"), nodeKey);
      PrivValidatorStateFile.writeInitial(home.resolve("data/priv_validator_state.json"));
      validators.add(new GenesisDoc.Validator(validatorKey.publicKey(), 10, "node" + i));
      nodes.add(new Node(home, validatorKey, NodeKeyFile.nodeId(nodeKey.publicKey())));
    }
    GenesisDoc genesis =
        GenesisFile.create(chainId, genesisTime, validators, paramOverrides, accounts);
    for (Node n : nodes) {
      GenesisFile.write(n.home().resolve("config/genesis.json"), genesis);
    }
    return List.copyOf(nodes);
  }
}
