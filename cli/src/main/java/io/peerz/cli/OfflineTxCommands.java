package io.peerz.cli;

import io.peerz.ledger.Address;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.SignedTx;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tx sign} and {@code tx broadcast}: the second and third steps of offline signing, after
 * {@code tx ... --generate-only} (docs/keys.md).
 */
final class OfflineTxCommands {
  private OfflineTxCommands() {}

  @Command(
      name = "sign",
      mixinStandardHelpOptions = true,
      description = {
        "Sign an unsigned tx file (from 'peerz tx ... --generate-only') and write the signed tx"
            + " as JSON to stdout, for 'peerz tx broadcast'.",
        "With --offline nothing is asked of a node: the chain id and nonce are the file's unless"
            + " --chain-id and --nonce are given. Without it the node's chain id must be the"
            + " file's, and the nonce is the node's unless --nonce is given."
      })
  static final class Sign implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin HomeOption home;
    @Mixin KeyringOptions keyring;
    @Mixin NodeOption node;

    @Parameters(paramLabel = "<file>", description = "The unsigned tx (JSON).")
    Path file;

    @Option(
        names = "--from",
        required = true,
        paramLabel = "<key>",
        description = "The key that signs: its address must be the file's signer (required).")
    String from;

    @Option(names = "--offline", description = "Do not contact a node (default: off).")
    boolean offline;

    @Option(
        names = "--chain-id",
        paramLabel = "<id>",
        description = "The chain id to sign for; it must be the file's (default: the file's).")
    String chainId;

    @Option(
        names = "--nonce",
        paramLabel = "<n>",
        description =
            "Account nonce to sign with (default: the node's, or with --offline the file's).")
    Long nonce;

    @Override
    public Integer call() {
      TxFile.Unsigned unsigned = TxFile.readUnsigned(file);
      TxBody body = unsigned.body();
      KeyInfo info = keyring.require(home, from);
      Address keyAddress = Address.parse(info.address());
      if (!keyAddress.equals(unsigned.signer())) {
        throw new CliException(
            file
                + " is to be signed by "
                + unsigned.signer()
                + ", but key '"
                + info.name()
                + "' is "
                + keyAddress
                + "; nothing signed");
      }
      if (chainId != null && !chainId.equals(body.getChainId())) {
        throw new CliException(
            file
                + " is a tx for chain '"
                + body.getChainId()
                + "', not '"
                + chainId
                + "'; make it again for that chain; nothing signed");
      }
      PrintWriter err = spec.commandLine().getErr();
      RpcClient rpc = offline ? null : node.client();
      long txNonce = body.getNonce();
      if (nonce != null) {
        txNonce = nonce;
      } else if (rpc != null) {
        txNonce = NodeFacts.nonce(rpc, keyAddress.toString());
      }
      if (rpc != null) {
        String nodeChain = NodeFacts.chainId(rpc);
        if (!nodeChain.equals(body.getChainId())) {
          throw new CliException(
              file
                  + " is a tx for chain '"
                  + body.getChainId()
                  + "', but the node at "
                  + node.url()
                  + " runs '"
                  + nodeChain
                  + "'; nothing signed");
        }
      }
      if (txNonce != body.getNonce()) {
        err.println(
            "note: signing with nonce "
                + Long.toUnsignedString(txNonce)
                + " (the file says "
                + Long.toUnsignedString(body.getNonce())
                + ")");
        err.flush();
      }
      TxBody toSign =
          body.toBuilder()
              .setSignerPubKey(com.google.protobuf.ByteString.copyFrom(info.publicKey()))
              .setNonce(txNonce)
              .build();
      err.println("signing: " + TxFile.describe(toSign));
      err.flush();
      Ed25519KeyPair key = keyring.open(home, info.backend()).unlock(info.name());
      PrintWriter out = spec.commandLine().getOut();
      out.print(
          new String(
              Json.render(TxFile.signed(Transactions.sign(toSign, key))), StandardCharsets.UTF_8));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "broadcast",
      mixinStandardHelpOptions = true,
      description = {
        "Send a signed tx file (from 'peerz tx sign') with broadcast_tx_sync, wait until it is in"
            + " a block and print the result, as every 'peerz tx' command does.",
        "A file signed for another chain than the node's, or altered after signing, is refused"
            + " and nothing is sent."
      })
  static final class Broadcast implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin NodeOption node;
    @Mixin OutputOption output;
    @Mixin WaitOptions wait;

    @Parameters(paramLabel = "<file>", description = "The signed tx (JSON).")
    Path file;

    @Override
    public Integer call() {
      SignedTx tx = TxFile.readSigned(file);
      RpcClient rpc = node.client();
      String nodeChain = NodeFacts.chainId(rpc);
      if (!nodeChain.equals(tx.body().getChainId())) {
        throw new CliException(
            file
                + " is signed for chain '"
                + tx.body().getChainId()
                + "', but the node at "
                + node.url()
                + " runs '"
                + nodeChain
                + "'; nothing sent");
      }
      return new TxBroadcast(rpc, spec.commandLine().getOut(), output.json(), wait)
          .send(tx.tx().toByteArray());
    }
  }
}
