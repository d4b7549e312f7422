package io.peerz.genesis;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Ed25519KeyPair;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

/**
 * CometBFT's {@code priv_validator_key.json}: address, pub_key and priv_key, where the private
 * key's value is base64 of the 32-byte seed followed by the 32-byte public key. Written 0600.
 */
public final class PrivValidatorKeyFile {
  static final String PRIV_KEY_TYPE = "tendermint/PrivKeyEd25519";

  private PrivValidatorKeyFile() {}

  /** Writes the key file for {@code key}. */
  public static void write(Path file, Ed25519KeyPair key) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("address", GenesisFile.validatorAddress(key.publicKey()));
    root.putObject("pub_key")
        .put("type", GenesisFile.PUB_KEY_TYPE)
        .put("value", Base64.getEncoder().encodeToString(key.publicKey()));
    root.set("priv_key", privKeyNode(key));
    JsonFiles.write(file, JsonFiles.render(root), true);
  }

  /** Reads the key file; checks that the public key matches the private key. */
  public static Ed25519KeyPair read(Path file) {
    ObjectNode root = JsonFiles.parseObject(JsonFiles.read(file), file.getFileName().toString());
    Ed25519KeyPair key = privKey(root, file.getFileName().toString());
    byte[] pub = GenesisFile.base64(root.path("pub_key").get("value"), "pub_key.value", 32);
    if (!Arrays.equals(pub, key.publicKey())) {
      throw GenesisFile.invalid(file.getFileName() + ": pub_key", "does not match priv_key");
    }
    return key;
  }

  static ObjectNode privKeyNode(Ed25519KeyPair key) {
    byte[] both = new byte[64];
    System.arraycopy(key.privateKey(), 0, both, 0, 32);
    System.arraycopy(key.publicKey(), 0, both, 32, 32);
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", PRIV_KEY_TYPE);
    n.put("value", Base64.getEncoder().encodeToString(both));
    Arrays.fill(both, (byte) 0);
    return n;
  }

  static Ed25519KeyPair privKey(ObjectNode root, String fileName) {
    if (!PRIV_KEY_TYPE.equals(root.path("priv_key").path("type").asText())) {
      throw GenesisFile.invalid(fileName + ": priv_key.type", "expected " + PRIV_KEY_TYPE);
    }
    byte[] both =
        GenesisFile.base64(root.path("priv_key").get("value"), fileName + ": priv_key.value", 64);
    Ed25519KeyPair key = Ed25519KeyPair.fromSeed(Arrays.copyOf(both, 32));
    if (!Arrays.equals(Arrays.copyOfRange(both, 32, 64), key.publicKey())) {
      throw GenesisFile.invalid(
          fileName + ": priv_key.value", "public half does not match the seed");
    }
    Arrays.fill(both, (byte) 0);
    return key;
  }
}
