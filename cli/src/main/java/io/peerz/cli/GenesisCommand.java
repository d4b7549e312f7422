package io.peerz.cli;

import io.peerz.genesis.GenesisAccount;
import io.peerz.genesis.GenesisDoc;
import io.peerz.genesis.GenesisFile;
import io.peerz.genesis.PrivValidatorKeyFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code peerz genesis}: edit and check {@code config/genesis.json} before a chain starts. */
@Command(
    name = "genesis",
    mixinStandardHelpOptions = true,
    description = "Edit and validate config/genesis.json before the chain starts.",
    subcommands = {
      GenesisCommand.AddAccount.class,
      GenesisCommand.AddValidator.class,
      GenesisCommand.Validate.class
    })
final class GenesisCommand {

  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HomeOption home;

    Path file() {
      return home.home().resolve("config/genesis.json");
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(
      name = "add-account",
      mixinStandardHelpOptions = true,
      description = "Fund an account at genesis.")
  static final class AddAccount extends Base {
    @Mixin KeyringOptions keyring;

    @Parameters(index = "0", paramLabel = "<address|key>")
    String who;

    @Parameters(index = "1", paramLabel = "<balance>", converter = AmountConverter.class)
    long balance;

    @Override
    public Integer call() {
      String address = keyring.address(home, who).toString();
      GenesisFile.write(
          file(),
          GenesisFile.addAccount(GenesisFile.read(file()), new GenesisAccount(address, balance)));
      out().println("added " + address + " with " + balance + " to " + file());
      return 0;
    }
  }

  @Command(
      name = "add-validator",
      mixinStandardHelpOptions = true,
      description = "Add a genesis validator by public key or priv_validator_key.json.")
  static final class AddValidator extends Base {
    static final class Source {
      @Option(
          names = {"--pub-key", "--pub_key"},
          paramLabel = "<base64>",
          description = "Ed25519 public key, base64 (as in genesis.json); required, or --key-file.")
      String pubKey;

      @Option(
          names = {"--key-file", "--key_file"},
          paramLabel = "<file>",
          description =
              "A priv_validator_key.json to take the public key from; required, or --pub-key.")
      Path keyFile;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(
        names = "--power",
        defaultValue = "10",
        description = "Voting power (default: ${DEFAULT-VALUE}).")
    long power;

    @Option(names = "--name", defaultValue = "", description = "Validator name (default: none).")
    String name;

    @Override
    public Integer call() {
      byte[] pub;
      if (source.keyFile != null) {
        pub = PrivValidatorKeyFile.read(source.keyFile).publicKey();
      } else {
        try {
          pub = Base64.getDecoder().decode(source.pubKey);
        } catch (IllegalArgumentException e) {
          throw new CliException("--pub-key: not base64");
        }
        if (pub.length != 32) {
          throw new CliException("--pub-key: an Ed25519 public key is 32 bytes, got " + pub.length);
        }
      }
      if (power <= 0) {
        throw new CliException("--power must be positive");
      }
      GenesisFile.write(
          file(),
          GenesisFile.addValidator(
              GenesisFile.read(file()), new GenesisDoc.Validator(pub, power, name)));
      out()
          .println(
              "added validator "
                  + GenesisFile.validatorAddress(pub)
                  + " (power "
                  + power
                  + ") to "
                  + file());
      return 0;
    }
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description = "Check a genesis file (default: <home>/config/genesis.json).")
  static final class Validate extends Base {
    @Parameters(arity = "0..1", paramLabel = "<file>")
    Path path;

    @Override
    public Integer call() {
      Path f = path != null ? path : file();
      GenesisDoc doc = GenesisFile.read(f);
      // app_state's params (hardware classes, market params, ...) are the state machine's to
      // judge: run its genesis over an empty state, as the node's InitChain will.
      io.peerz.ledger.StateReader empty =
          new io.peerz.ledger.StateReader() {
            @Override
            public byte[] get(byte[] key) {
              return null;
            }

            @Override
            public void scan(byte[] from, byte[] to, EntryVisitor visitor) {}
          };
      new io.peerz.state.StateMachine()
          .initChain(
              doc.chainId(),
              doc.genesisTimeMillis(),
              doc.appStateJson(),
              java.util.List.of(),
              empty);
      out()
          .println(
              f
                  + " is valid: chain_id "
                  + doc.chainId()
                  + ", "
                  + doc.validators().size()
                  + " validator(s)");
      return 0;
    }
  }
}
