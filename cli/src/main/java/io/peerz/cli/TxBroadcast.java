package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Transactions;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * Sends signed tx bytes with {@code broadcast_tx_sync}, follows the tx into a block (unless {@code
 * --no-wait}) and prints the result: the events, or the code, codespace and log of a failure (then
 * exit code 1). Shared by every {@code peerz tx} command and {@code tx broadcast}.
 */
final class TxBroadcast {
  private final RpcClient rpc;
  private final PrintWriter out;
  private final boolean json;
  private final WaitOptions wait;

  TxBroadcast(RpcClient rpc, PrintWriter out, boolean json, WaitOptions wait) {
    this.rpc = rpc;
    this.out = out;
    this.json = json;
    this.wait = wait;
  }

  /** Sends the tx; returns 0 when it was accepted (and, with --wait, succeeded in its block). */
  int send(byte[] txBytes) {
    byte[] hash = Transactions.hash(txBytes);
    String hashHex = Hex.encodeUpper(hash);
    RpcClient.Broadcast check = rpc.broadcastTxSync(txBytes);
    if (check.code() != 0) {
      report(hashHex, 0, check.code(), check.codespace(), check.log(), null);
      throw failure(
          "the node rejected the transaction", check.code(), check.codespace(), check.log());
    }
    if (!wait.waitForInclusion) {
      if (json) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("txhash", hashHex);
        n.put("code", 0);
        out.println(Json.compact(n));
      } else {
        out.println("txhash: " + hashHex);
        out.println("accepted into the mempool (not waiting for inclusion: --no-wait)");
      }
      out.flush();
      return 0;
    }
    JsonNode committed = awaitInclusion(hash, hashHex);
    JsonNode result = committed.path("tx_result");
    int code = result.path("code").asInt(0);
    long height = committed.path("height").asLong(0);
    report(
        hashHex,
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

  /**
   * Sends the tx and waits for its block without printing; its committed tx_result (code 0), or a
   * CliException with the code, codespace and log of a rejection.
   */
  JsonNode sendAndReturn(byte[] txBytes) {
    byte[] hash = Transactions.hash(txBytes);
    RpcClient.Broadcast check = rpc.broadcastTxSync(txBytes);
    if (check.code() != 0) {
      throw failure(
          "the node rejected the transaction", check.code(), check.codespace(), check.log());
    }
    JsonNode committed = awaitInclusion(hash, Hex.encodeUpper(hash));
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

  private JsonNode awaitInclusion(byte[] hash, String hashHex) {
    long deadline = System.nanoTime() + wait.timeout.toNanos();
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
                + wait.timeout.toSeconds()
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
      String hash, long height, int code, String codespace, String log, JsonNode events) {
    if (json) {
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
