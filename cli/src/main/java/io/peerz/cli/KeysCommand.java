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
import java.util.Arrays;
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
      "Manage account keys (Ed25519, from BIP-39 mnemonics). The 'file' keyring (default)"
          + " encrypts each key with a passphrase (scrypt + AES-256-GCM); 'test' keeps keys"
          + " unencrypted, for local chains only."
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
      description = {
        "Create a key from a new 24-word BIP-39 mnemonic and print the mnemonic once: write it"
            + " down, it is the key's only backup.",
        "--recover restores a key from its mnemonic, typed at the terminal (not echoed) or,"
            + " without one, the first line of standard input; never from a flag.",
        "The key is derived by SLIP-0010 at m/44'/73379'/<account>'/0'/<index>' (docs/keys.md)."
      })
  static final class Add extends Base {
    @Parameters(paramLabel = "<name>")
    String name;

    @Option(
        names = "--recover",
        description = "Restore the key from its BIP-39 mnemonic instead of making a new one.")
    boolean recover;

    @Option(
        names = "--bip39-passphrase",
        description =
            "Ask for a BIP-39 passphrase (default: none), a secret added to the words: the same"
                + " words with another passphrase are another key. Asked at the terminal (twice"
                + " when creating), else read as the next line of standard input.")
    boolean bip39Passphrase;

    @Option(
        names = "--account",
        paramLabel = "<n>",
        defaultValue = "0",
        description = "Account index of the derivation path (default: ${DEFAULT-VALUE}).")
    int account;

    @Option(
        names = "--index",
        paramLabel = "<n>",
        defaultValue = "0",
        description = "Address index of the derivation path (default: ${DEFAULT-VALUE}).")
    int index;

    @Option(
        names = "--hd-path",
        paramLabel = "<path>",
        description =
            "Whole derivation path, every index hardened (default:"
                + " m/44'/73379'/<account>'/0'/<index>').")
    String hdPath;

    @Option(
        names = "--no-backup",
        description = "Do not print the mnemonic (for throwaway keys of tests and demos).")
    boolean noBackup;

    @Override
    public Integer call() {
      Keyring k = keyring.target(home);
      k.checkFree(name);
      HdPath path = path();
      SecretInput secrets = home.root().secrets();
      Mnemonic mnemonic;
      if (recover) {
        char[] typed =
            secrets.read("BIP-39 mnemonic (words separated by spaces): ", "mnemonic", false);
        try {
          mnemonic = Mnemonic.parse(new String(typed));
        } finally {
          Arrays.fill(typed, '\0');
        }
      } else {
        mnemonic = Mnemonic.generate(home.root().random);
      }
      String passphrase = "";
      if (bip39Passphrase) {
        char[] p = secrets.read("BIP-39 passphrase: ", "BIP-39 passphrase", !recover);
        passphrase = new String(p);
        Arrays.fill(p, '\0');
      }
      byte[] seed = mnemonic.seed(passphrase);
      Ed25519KeyPair key;
      try {
        key = Slip10Key.master(seed).derive(path).keyPair();
      } finally {
        Arrays.fill(seed, (byte) 0);
      }
      keyring
          .find(home, key.address().toString())
          .ifPresent(
              existing -> {
                throw new CliException(
                    "this mnemonic's key at "
                        + path
                        + " is already in the "
                        + existing.backend()
                        + " keyring as '"
                        + existing.name()
                        + "' ("
                        + existing.address()
                        + ")");
              });
      KeyInfo info = k.add(name, key, path);
      boolean printMnemonic = !recover && !noBackup;
      if (output.json()) {
        ObjectNode n = json(info);
        n.put("hd_path", path.toString());
        if (printMnemonic) {
          n.put("mnemonic", mnemonic.phrase());
        }
        out().println(Json.compact(n));
        out().flush();
        return 0;
      }
      show(info);
      out().println("hd_path: " + path);
      out().flush();
      if (printMnemonic) {
        // On stderr, as the Cosmos SDK does: a script that keeps the address from stdout does not
        // also keep the words in a file or a log.
        PrintWriter err = spec.commandLine().getErr();
        err.println();
        err.println(
            "Write these "
                + mnemonic.size()
                + " words down, in order, and keep them safe. They are the only backup of this"
                + " key ('peerz keys add "
                + name
                + " --recover' restores it) and are not shown again:");
        err.println();
        err.println(mnemonic.phrase());
        err.println();
        err.flush();
      }
      return 0;
    }

    private HdPath path() {
      if (hdPath != null) {
        return HdPath.parse(hdPath);
      }
      if (account < 0 || index < 0) {
        throw new CliException("--account and --index are 0 to 2147483647");
      }
      return HdPath.peerz(account, index);
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
        description = "Write here (0600) (default: standard output).")
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
