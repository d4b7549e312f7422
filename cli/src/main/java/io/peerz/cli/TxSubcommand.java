package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Address;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every {@code peerz tx} command does: resolve the signer, read chain id, fee and nonce from
 * the node when not given, sign, {@code broadcast_tx_sync}, wait for inclusion and print the
 * result, with the code, codespace and log of a failure. With {@code --generate-only} it writes the
 * unsigned tx as JSON instead, for {@code peerz tx sign} on another machine.
 */
abstract class TxSubcommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin HomeOption home;
  @Mixin KeyringOptions keyring;
  @Mixin NodeOption node;
  @Mixin OutputOption output;
  @Mixin WaitOptions wait;

  @Option(
      names = "--from",
      paramLabel = "<key>",
      description =
          "Signer: a key name or address in the keyring (required; with --generate-only an"
              + " address alone will do).")
  String from;

  @Option(
      names = "--chain-id",
      paramLabel = "<id>",
      description = "Chain id to sign for (default: the node's, from /status).")
  String chainId;

  @Option(
      names = "--fee",
      paramLabel = "<amount>",
      converter = AmountConverter.class,
      description = "Fee in base units (default: the node's min_fee from /params).")
  Long fee;

  @Option(
      names = "--nonce",
      paramLabel = "<n>",
      description = "Account nonce (default: read from the node).")
  Long nonce;

  @Option(
      names = "--memo",
      paramLabel = "<text>",
      defaultValue = "",
      description = "Free text, up to 256 bytes (default: empty).")
  String memo = "";

  @Option(
      names = "--generate-only",
      description =
          "Do not sign or send: write the unsigned tx as JSON to stdout, for 'peerz tx sign'"
              + " (no key is unlocked; default: off).")
  boolean generateOnly;

  @Option(
      names = "--offline",
      description =
          "With --generate-only: do not contact the node; --chain-id, --nonce and --fee are then"
              + " required (default: off).")
  boolean offline;

  /** Sets this command's message on the body. */
  abstract void setMessage(TxBody.Builder body);

  String signer() {
    return from;
  }

  @Override
  public Integer call() {
    if (offline && !generateOnly) {
      throw new CliException(
          "--offline goes with --generate-only (a tx that is sent needs the node); to sign"
              + " without a network use 'peerz tx sign FILE --offline'");
    }
    if (generateOnly) {
      return generate();
    }
    Ed25519KeyPair key = signingKey();
    RpcClient rpc = node.client();
    String chain = chainId != null ? chainId : NodeFacts.chainId(rpc);
    long txFee = fee != null ? fee : defaultFee(rpc);
    long txNonce = nonce != null ? nonce : NodeFacts.nonce(rpc, key.address().toString());
    TxBody.Builder body = body(chain, key.publicKey(), txNonce, txFee, memo);
    setMessage(body);
    Tx tx = Transactions.sign(body.build(), key);
    return new TxBroadcast(rpc, spec.commandLine().getOut(), output.json(), wait)
        .send(tx.toByteArray());
  }

  /** A signed tx: its bytes and hash. */
  record Sent(byte[] bytes, byte[] hash, String hashHex) {}

  /** Signs this command's message with chain id, fee and nonce from the flags or the node. */
  Sent sign() {
    Ed25519KeyPair key = signingKey();
    RpcClient rpc = node.client();
    String chain = chainId != null ? chainId : NodeFacts.chainId(rpc);
    long txFee = fee != null ? fee : defaultFee(rpc);
    long txNonce = nonce != null ? nonce : NodeFacts.nonce(rpc, key.address().toString());
    TxBody.Builder body = body(chain, key.publicKey(), txNonce, txFee, memo);
    setMessage(body);
    byte[] bytes = Transactions.sign(body.build(), key).toByteArray();
    byte[] hash = Transactions.hash(bytes);
    return new Sent(bytes, hash, Hex.encodeUpper(hash));
  }

  /** The fee when --fee is not given: the node's min_fee. */
  long defaultFee(RpcClient rpc) {
    return NodeFacts.minFee(rpc);
  }

  /**
   * Signs, broadcasts and waits for the tx's block; the committed tx_result (code 0), or a
   * CliException with the code, codespace and log of a rejection.
   */
  JsonNode sendAndWait() {
    return new TxBroadcast(node.client(), spec.commandLine().getOut(), output.json(), wait)
        .sendAndReturn(sign().bytes());
  }

  /** The value of attribute {@code key} of the first event of {@code type} in a tx result. */
  static String eventAttribute(JsonNode result, String type, String key) {
    for (JsonNode e : result.path("events")) {
      if (e.path("type").asText().equals(type)) {
        for (JsonNode a : e.path("attributes")) {
          if (a.path("key").asText().equals(key)) {
            return a.path("value").asText();
          }
        }
      }
    }
    throw new CliException("the tx result has no " + type + "." + key + " event");
  }

  /** The key that signs: the keyring key named by --from (executor txs sign with a key file). */
  Ed25519KeyPair signingKey() {
    if (signer() == null || signer().isBlank()) {
      throw new CliException("--from is required: the key name or address that signs");
    }
    KeyInfo info = keyring.require(home, signer());
    return keyring.open(home, info.backend()).unlock(info.name());
  }

  /**
   * Who signs, without unlocking anything: a keyring key's address and public key, or an address
   * alone (its public key is added when the tx is signed).
   */
  Signer signerWithoutSecrets() {
    if (signer() == null || signer().isBlank()) {
      throw new CliException("--from is required: the key name or address that is to sign");
    }
    if (signer().startsWith("0x") || signer().startsWith("0X")) {
      Address address = Address.parse(signer());
      return keyring
          .find(home, signer())
          .map(k -> new Signer(address, k.publicKey()))
          .orElse(new Signer(address, new byte[0]));
    }
    KeyInfo info = keyring.require(home, signer());
    return new Signer(Address.parse(info.address()), info.publicKey());
  }

  /** The signer's address and public key (empty when only the address is known). */
  record Signer(Address address, byte[] publicKey) {}

  private int generate() {
    Signer signer = signerWithoutSecrets();
    RpcClient rpc = offline ? null : node.client();
    String chain = chainId != null ? chainId : NodeFacts.chainId(needNode(rpc, "--chain-id"));
    long txFee = fee != null ? fee : NodeFacts.minFee(needNode(rpc, "--fee"));
    long txNonce =
        nonce != null
            ? nonce
            : NodeFacts.nonce(needNode(rpc, "--nonce"), signer.address().toString());
    TxBody.Builder body = body(chain, signer.publicKey(), txNonce, txFee, memo);
    setMessage(body);
    spec.commandLine()
        .getOut()
        .print(
            new String(
                Json.render(TxFile.unsigned(new TxFile.Unsigned(body.build(), signer.address()))),
                java.nio.charset.StandardCharsets.UTF_8));
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static RpcClient needNode(RpcClient rpc, String flag) {
    if (rpc == null) {
      throw new CliException(
          "--offline: " + flag + " is required, as the node that would tell it is not asked");
    }
    return rpc;
  }

  /** The unsigned body with everything but the message. */
  static TxBody.Builder body(String chainId, byte[] pubKey, long nonce, long fee, String memo) {
    return TxBody.newBuilder()
        .setChainId(chainId)
        .setSignerPubKey(ByteString.copyFrom(pubKey))
        .setNonce(nonce)
        .setFee(fee)
        .setMemo(memo == null ? "" : memo);
  }
}
