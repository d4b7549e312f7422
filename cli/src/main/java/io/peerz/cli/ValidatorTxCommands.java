package io.peerz.cli;

import com.google.protobuf.ByteString;
import io.peerz.genesis.PrivValidatorKeyFile;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.MsgBondValidator;
import io.peerz.ledger.proto.MsgCreateValidator;
import io.peerz.ledger.proto.MsgUnbondValidator;
import io.peerz.ledger.proto.MsgUnjailValidator;
import io.peerz.ledger.proto.TxBody;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code peerz tx create-validator | bond-validator | unbond-validator | unjail-validator}. */
final class ValidatorTxCommands {
  private ValidatorTxCommands() {}

  @Command(
      name = "create-validator",
      mixinStandardHelpOptions = true,
      description = {
        "Make the signer the operator of a consensus validator, bonding <amount> from its balance.",
        "The validator joins the set at the next epoch boundary with power = bond /"
            + " params.power_reduction.",
        "The consensus key is --pubkey, or the pub_key of <home>/config/priv_validator_key.json."
      })
  static final class CreateValidator extends TxSubcommand {
    @Option(
        paramLabel = "<key>",
        names = "--pubkey",
        description =
            "Ed25519 consensus public key: base64 (as in priv_validator_key.json) or 64 hex"
                + " digits (default: the home's config/priv_validator_key.json).")
    String pubkey;

    @Option(
        paramLabel = "<amount>",
        names = "--amount",
        required = true,
        converter = AmountConverter.class,
        description = "Bond in base units (at least params.power_reduction).")
    long amount;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setCreateValidator(
          MsgCreateValidator.newBuilder()
              .setPubKey(ByteString.copyFrom(consensusKey()))
              .setAmount(amount));
    }

    private byte[] consensusKey() {
      if (pubkey != null) {
        return parse(pubkey);
      }
      Path file = home.home().resolve("config").resolve("priv_validator_key.json");
      if (!Files.exists(file)) {
        throw new CliException(
            file + " does not exist: pass --pubkey or --home of a node made by 'peerz init'");
      }
      return PrivValidatorKeyFile.read(file).publicKey();
    }

    static byte[] parse(String text) {
      String t = text.trim();
      byte[] key;
      try {
        String hex = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
        key = hex.matches("[0-9a-fA-F]{64}") ? Hex.decode(hex) : Base64.getDecoder().decode(t);
      } catch (IllegalArgumentException e) {
        throw new CliException("--pubkey is neither base64 nor 64 hex digits: " + e.getMessage());
      }
      if (!Ed25519.isPublicKey(key)) {
        throw new CliException(
            "--pubkey is " + key.length + " bytes, not a 32-byte Ed25519 public key");
      }
      return key;
    }
  }

  @Command(
      name = "bond-validator",
      mixinStandardHelpOptions = true,
      description = "Add to the bond of the signer's validator (power changes at the next epoch).")
  static final class BondValidator extends TxSubcommand {
    @Mixin AmountOption amount;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setBondValidator(MsgBondValidator.newBuilder().setAmount(amount.amount));
    }
  }

  @Command(
      name = "unbond-validator",
      mixinStandardHelpOptions = true,
      description = {
        "Move part of the signer's validator bond into unbonding (claim it with claim-unbonded",
        "after params.unbonding_epochs); power drops at the next epoch boundary."
      })
  static final class UnbondValidator extends TxSubcommand {
    @Mixin AmountOption amount;

    @Override
    void setMessage(TxBody.Builder body) {
      body.setUnbondValidator(MsgUnbondValidator.newBuilder().setAmount(amount.amount));
    }
  }

  @Command(
      name = "unjail-validator",
      aliases = "unjail",
      mixinStandardHelpOptions = true,
      description =
          "Let the signer's jailed validator back into the set at the next epoch boundary"
              + " (after params.jail_epochs).")
  static final class UnjailValidator extends TxSubcommand {
    @Override
    void setMessage(TxBody.Builder body) {
      body.setUnjailValidator(MsgUnjailValidator.getDefaultInstance());
    }
  }
}
