package io.peerz.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code peerz keys add-executor executor.json}: a new executor key in CometBFT's priv key file
 * layout. Prints its address (fund it: the executor pays its commit and reveal fees) and public
 * key; never the private key.
 */
@Command(
    name = "add-executor",
    mixinStandardHelpOptions = true,
    description = {
      "Create an executor key file (CometBFT priv_validator_key.json layout, mode 0600).",
      "Fund its address: the executor's commit and reveal transactions pay fees from it."
    })
final class AddExecutorKeyCommand extends KeysCommand.Base {
  @Parameters(paramLabel = "<file>", description = "Where to write the key, e.g. executor.json.")
  Path file;

  @Option(names = "--overwrite", description = "Replace an existing file.")
  boolean overwrite;

  @Override
  public Integer call() {
    if (Files.exists(file) && !overwrite) {
      throw new CliException(file + " exists; pass --overwrite to replace it");
    }
    Ed25519KeyPair key = Ed25519KeyPair.generate(home.root().random);
    ExecutorKey.write(file, key);
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("file", file.toString());
    n.put("address", key.address().toString());
    n.put("pub_key", Base64.getEncoder().encodeToString(key.publicKey()));
    n.put("pub_key_hex", Hex.encodeUpper(key.publicKey()));
    if (output.json()) {
      out().println(Json.compact(n));
    } else {
      out().println("executor key: " + file);
      out().println("address: " + key.address());
      out().println("pub_key: " + n.get("pub_key").asText());
    }
    out().flush();
    return 0;
  }
}
