package io.peerz.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.PeerId;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peerz keys}: account keys in the keyring. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "Manage account keys (Ed25519). The 'file' keyring (default) encrypts each key with a",
      "passphrase (scrypt + AES-256-GCM); 'test' keeps keys unencrypted, for local chains only."
    },
    subcommands = {
      KeysCommand.Add.class,
      KeysCommand.ListKeys.class,
      KeysCommand.Show.class,
      KeysCommand.Delete.class,
      KeysCommand.Export.class,
      KeysCommand.Import.class,
      AddExecutorKeyCommand.class
    })
final class KeysCommand {

  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HomeOption home;
    @Mixin KeyringOptions keyring;
    @Mixin OutputOption output;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    ObjectNode json(KeyInfo k) {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("name", k.name());
      n.put("type", "ed25519");
      n.put("address", k.address());
      n.put("pub_key", Base64.getEncoder().encodeToString(k.publicKey()));
      n.put("peer_id", PeerId.ofEd25519(k.publicKey()));
      n.put("keyring", k.backend().name());
      return n;
    }

    void show(KeyInfo k) {
      if (output.json()) {
        out().println(Json.compact(json(k)));
      } else {
        out().println("name: " + k.name());
        out().println("address: " + k.address());
        out().println("pub_key: " + Base64.getEncoder().encodeToString(k.publicKey()));
        out().println("peer_id: " + PeerId.ofEd25519(k.publicKey()));
        out().println("keyring: " + k.backend());
      }
      out().flush();
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Create a new key. Prints its address; the private key is never printed.")
  static final class Add extends Base {
    @Parameters(paramLabel = "<name>")
    String name;

    @Override
    public Integer call() {
      Keyring k = keyring.target(home);
      show(k.add(name, Ed25519KeyPair.generate(home.root().random)));
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List keys (both keyrings unless --keyring-backend is given).")
  static final class ListKeys extends Base {
    @Override
    public Integer call() {
      List<KeyInfo> keys = new ArrayList<>();
      for (KeyringBackend b : KeyringBackend.values()) {
        if (keyring.backend == null || keyring.backend == b) {
          keys.addAll(keyring.open(home, b).list());
        }
      }
      if (output.json()) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        keys.forEach(k -> a.add(json(k)));
        out().println(Json.compact(a));
      } else if (keys.isEmpty()) {
        out()
            .println("no keys under " + home.home() + " (create one with 'peerz keys add <name>')");
      } else {
        for (KeyInfo k : keys) {
          out().printf("%-20s %s  (%s)%n", k.name(), k.address(), k.backend());
        }
      }
      out().flush();
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a key's address.")
  static final class Show extends Base {
    @Parameters(paramLabel = "<name|address>")
    String name;

    @Option(
        names = {"-a", "--address"},
        description = "Print only the address.")
    boolean addressOnly;

    @Option(names = "--peer-id", description = "Print only the libp2p peer id of the key.")
    boolean peerIdOnly;

    @Override
    public Integer call() {
      KeyInfo k = keyring.require(home, name);
      if (addressOnly) {
        out().println(k.address());
      } else if (peerIdOnly) {
        out().println(PeerId.ofEd25519(k.publicKey()));
      } else {
        show(k);
      }
      out().flush();
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a key.")
  static final class Delete extends Base {
    @Parameters(paramLabel = "<name>")
    String name;

    @Option(
        names = {"-y", "--yes"},
        description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() {
      KeyInfo k = keyring.require(home, name);
      if (!yes) {
        var console = home.root().console;
        if (console == null) {
          throw new CliException("deleting '" + name + "' needs confirmation: pass --yes");
        }
        String answer = console.readLine("Delete key '%s' (%s)? [y/N] ", k.name(), k.address());
        if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
          out().println("not deleted");
          return 1;
        }
      }
      keyring.open(home, k.backend()).delete(k.name());
      out().println("deleted key '" + k.name() + "' (" + k.address() + ")");
      return 0;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Export a key, encrypted under a passphrase (asked twice), to a file or stdout.",
        "With --unsafe the private key is written in plain hex: keep that file secret."
      })
  static final class Export extends Base {
    @Parameters(paramLabel = "<name>")
    String name;

    @Option(names = "--unsafe", description = "Export the private key unencrypted.")
    boolean unsafe;

    @Option(
        names = "--out",
        paramLabel = "<file>",
        description = "Write here (0600) instead of stdout.")
    Path file;

    @Override
    public Integer call() {
      KeyInfo k = keyring.require(home, name);
      byte[] export = keyring.open(home, k.backend()).export(k.name(), unsafe);
      if (file == null) {
        out().print(new String(export, java.nio.charset.StandardCharsets.UTF_8));
        out().flush();
        return 0;
      }
      try {
        Files.deleteIfExists(file);
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, export, StandardOpenOption.TRUNCATE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
      out().println("exported '" + k.name() + "' to " + file + (unsafe ? " (UNENCRYPTED)" : ""));
      return 0;
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description = "Import a key from a 'keys export' file (encrypted or --unsafe).")
  static final class Import extends Base {
    @Parameters(index = "0", paramLabel = "<name>")
    String name;

    @Parameters(index = "1", paramLabel = "<file>")
    Path file;

    @Override
    public Integer call() {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      show(keyring.target(home).importKey(name, bytes));
      return 0;
    }
  }
}
