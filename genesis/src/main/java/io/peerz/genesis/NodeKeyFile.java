package io.peerz.genesis;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Address;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import java.nio.file.Path;

/** CometBFT's {@code node_key.json} ({@code {"priv_key":{type,value}}}) and the node id. */
public final class NodeKeyFile {
  private NodeKeyFile() {}

  /** Writes the node key file (0600). */
  public static void write(Path file, Ed25519KeyPair key) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("priv_key", PrivValidatorKeyFile.privKeyNode(key));
    JsonFiles.write(file, JsonFiles.render(root), true);
  }

  /** Reads the node key file. */
  public static Ed25519KeyPair read(Path file) {
    ObjectNode root = JsonFiles.parseObject(JsonFiles.read(file), file.getFileName().toString());
    return PrivValidatorKeyFile.privKey(root, file.getFileName().toString());
  }

  /** CometBFT's node id: lower-case hex of the first 20 bytes of SHA-256 of the public key. */
  public static String nodeId(byte[] publicKey) {
    return Hex.encode(Address.of(publicKey).bytes());
  }
}
