package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every {@code peerz tx} command does: resolve the signer, read chain id, fee and nonce from
 * the node when not given, sign, {@code broadcast_tx_sync}, wait for inclusion and print the
 * result, with the code, codespace and log of a failure.
 */
abstract class TxSubcommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin HomeOption home;
  @Mixin KeyringOptions keyring;
  @Mixin NodeOption node;
  @Mixin OutputOption output;

  @Option(
      names = "--from",
      paramLabel = "<key>",
      description = "Signer: a key name or address in the keyring (required).")
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

  @Option(names = "--memo", paramLabel = "<text>", description = "Free text, up to 256 bytes.")
  String memo = "";

  @Option(
      names = "--wait",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Wait until the tx is in a block and print its result (default: on).")
  boolean waitForInclusion = true;

  @Option(
      names = "--timeout",
      paramLabel = "<duration>",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long --wait waits for inclusion (default: ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofSeconds(30);

  /** Sets this command's message on the body. */
  abstract void setMessage(TxBody.Builder body);

  String signer() {
    return from;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Sent sent = sign();
    RpcClient.Broadcast check = node.client().broadcastTxSync(sent.bytes());
    if (check.code() != 0) {
      report(out, sent.hashHex(), 0, check.code(), check.codespace(), check.log(), null);
      throw failure(
          "the node rejected the transaction", check.code(), check.codespace(), check.log());
    }
    if (!waitForInclusion) {
      if (output.json()) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("txhash", sent.hashHex());
        n.put("code", 0);
        out.println(Json.compact(n));
      } else {
        out.println("txhash: " + sent.hashHex());
        out.println("accepted into the mempool (not waiting for inclusion: --no-wait)");
      }
      return 0;
    }
    JsonNode committed = awaitInclusion(node.client(), sent.hash(), sent.hashHex());
    JsonNode result = committed.path("tx_result");
    int code = result.path("code").asInt(0);
    long height = committed.path("height").asLong(0);
    report(
        out,
        sent.hashHex(),
        height,
        code,
        result.path("codespace").asText(""),
        result.path("log").asText(""),
        result.path("events"));
    if (code != 0) {
      throw failure(
          "the transaction failed in block " + height,
          code,
          result.path("codespace").asText(""),
          result.path("log").asText(""));
    }
    return 0;
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
    Sent sent = sign();
    RpcClient.Broadcast check = node.client().broadcastTxSync(sent.bytes());
    if (check.code() != 0) {
      throw failure(
          "the node rejected the transaction", check.code(), check.codespace(), check.log());
    }
    JsonNode committed = awaitInclusion(node.client(), sent.hash(), sent.hashHex());
    JsonNode result = committed.path("tx_result");
    int code = result.path("code").asInt(0);
    if (code != 0) {
      throw failure(
          "the transaction failed in block " + committed.path("height").asText(),
          code,
          result.path("codespace").asText(""),
          result.path("log").asText(""));
    }
    return result;
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

  /** The unsigned body with everything but the message. */
  static TxBody.Builder body(String chainId, byte[] pubKey, long nonce, long fee, String memo) {
    return TxBody.newBuilder()
        .setChainId(chainId)
        .setSignerPubKey(ByteString.copyFrom(pubKey))
        .setNonce(nonce)
        .setFee(fee)
        .setMemo(memo == null ? "" : memo);
  }

  private JsonNode awaitInclusion(RpcClient rpc, byte[] hash, String hashHex) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<JsonNode> found;
      try {
        found = rpc.tx(hash);
      } catch (RpcClient.RpcException e) {
        if (e.rpcError() && e.getMessage().contains("transaction indexing is disabled")) {
          throw new CliException(
              "transaction "
                  + hashHex
                  + " was accepted into the mempool, but the node does not index txs ([tx_index]"
                  + " indexer = \"null\"), so its inclusion cannot be followed there; check it"
                  + " with 'peerz query tx "
                  + hashHex
                  + " --node <a node that indexes>', or send with --no-wait");
        }
        throw e;
      }
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new CliException(
            "transaction "
                + hashHex
                + " was accepted but is not in a block after "
                + timeout.toSeconds()
                + "s; check later with 'peerz query tx "
                + hashHex
                + "'");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted while waiting for " + hashHex);
      }
    }
  }

  private void report(
      PrintWriter out,
      String hash,
      long height,
      int code,
      String codespace,
      String log,
      JsonNode events) {
    if (output.json()) {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("txhash", hash);
      n.put("height", Long.toString(height));
      n.put("code", code);
      n.put("codespace", codespace);
      n.put("log", log);
      n.set("events", events == null ? JsonNodeFactory.instance.arrayNode() : events);
      out.println(Json.compact(n));
      out.flush();
      return;
    }
    out.println("txhash: " + hash);
    if (height > 0) {
      out.println("height: " + height);
    }
    if (code == 0) {
      out.println("code: 0 (success)");
      if (events != null && events.isArray() && !events.isEmpty()) {
        out.println("events:");
        for (JsonNode e : events) {
          StringBuilder line = new StringBuilder("  ").append(e.path("type").asText()).append(':');
          for (JsonNode a : e.path("attributes")) {
            line.append(' ')
                .append(a.path("key").asText())
                .append('=')
                .append(a.path("value").asText());
          }
          out.println(line);
        }
      }
    } else {
      out.println("code: " + code);
      out.println("codespace: " + codespace);
      out.println("log: " + log);
    }
    out.flush();
  }

  private static CliException failure(String what, int code, String codespace, String log) {
    return new CliException(
        what
            + ": code "
            + code
            + (codespace.isEmpty() ? "" : " (" + codespace + ")")
            + (log.isEmpty() ? "" : ": " + log));
  }
}
