package io.peerz.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peerz bench}: funds many accounts from one key, pre-signs bank sends from them, sends them
 * as fast as the node takes them (or at a rate), follows the committed blocks and reports committed
 * tx/s, commit latency percentiles, the blocks' tx counts and the rejects, with a PNG plot.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Load generator: fund --accounts accounts from --from, pre-sign --txs bank sends (each",
      "account's nonces in order), broadcast them (broadcast_tx_sync, --concurrency requests in",
      "flight over keep-alive HTTP, --batch txs each) at --rate, and follow committed blocks to time each tx from",
      "the node's acceptance to its commit. Prints committed tx/s, latency p50/p95/p99, the",
      "blocks' tx counts and rejects by code; draws tx/s and latency per second to --plot."
    })
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin HomeOption home;
  @Mixin KeyringOptions keyring;
  @Mixin NodeOption node;
  @Mixin OutputOption output;

  @Option(
      names = "--from",
      paramLabel = "<key>",
      defaultValue = "validator",
      description = "Funded key that pays the accounts (default: ${DEFAULT-VALUE}).")
  String from;

  @Option(
      names = "--txs",
      paramLabel = "<n>",
      defaultValue = "10000",
      description = "Transactions to send (default: ${DEFAULT-VALUE}).")
  int txs;

  @Option(
      names = "--accounts",
      paramLabel = "<n>",
      defaultValue = "1000",
      description = "Sending accounts, each funded first (default: ${DEFAULT-VALUE}).")
  int accounts;

  @Option(
      names = "--rate",
      paramLabel = "<tx/s|max>",
      defaultValue = "max",
      description = "Offered load in tx/s, or max: as fast as the node takes them (default: max).")
  String rate;

  @Option(
      names = "--concurrency",
      paramLabel = "<n>",
      defaultValue = "8",
      description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--batch",
      paramLabel = "<n>",
      defaultValue = "100",
      description =
          "Txs per request: more than 1 sends JSON-RPC 2.0 batches of broadcast_tx_sync, 1 sends"
              + " each tx as GET /broadcast_tx_sync, which costs the node more HTTP handling than"
              + " the tx's own signature check (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--plot",
      paramLabel = "<file.png>",
      defaultValue = "peerz-bench.png",
      description = "Where to draw tx/s and latency (default: ./${DEFAULT-VALUE}).")
  Path plot;

  @Option(
      names = "--timeout",
      paramLabel = "<duration>",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "Give up on txs not committed this long after the last commit seen (default: 60s).")
  Duration timeout;

  private static final int MEMPOOL_FULL_COUNT = 2;
  private static final int MEMPOOL_FULL_BYTES = 3;
  private static final int NONCE_SKIPPED = 8;
  // A JSON-RPC error in place of a CheckTx answer (CometBFT's full mempool, for one).
  private static final int RPC_ERROR = -1;
  private static final String RPC_CODESPACE = "rpc";
  private static final int MAX_ATTEMPTS = 10_000;

  @Override
  public Integer call() throws Exception {
    if (txs < 1 || accounts < 1 || concurrency < 1 || batch < 1) {
      throw new CliException("--txs, --accounts, --concurrency and --batch must be positive");
    }
    if (accounts > 4000) {
      throw new CliException("--accounts is at most 4000 (the funding txs share the mempool)");
    }
    accounts = Math.min(accounts, txs);
    double perSecond = parseRate(rate);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    KeyInfo info = keyring.require(home, from);
    Ed25519KeyPair funder = keyring.open(home, info.backend()).unlock(info.name());
    RpcClient rpc = node.client();
    String chainId = NodeFacts.chainId(rpc);
    long fee = NodeFacts.minFee(rpc);
    URI base = URI.create(rpc.endpoint());
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    // 1. Accounts, funded from --from in one burst (consecutive nonces), then wait for commit.
    long t0 = System.nanoTime();
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    Ed25519KeyPair[] keys = new Ed25519KeyPair[accounts];
    IntStream.range(0, accounts)
        .parallel()
        .forEach(i -> keys[i] = Ed25519KeyPair.fromSeed(Sha256.hash(concat(seed, i))));
    int perAccount = (txs + accounts - 1) / accounts;
    long funding = Math.addExact(Math.multiplyExact(perAccount, Math.addExact(fee, 1)), fee);
    long nonce = NodeFacts.nonce(rpc, funder.address().toString());
    byte[] lastFunding = null;
    for (int i = 0; i < accounts; i++) {
      byte[] tx = send(chainId, funder, nonce + i, fee, keys[i], funding);
      int attempts = 0;
      while (true) {
        Answer a = broadcast(http, base, Hex.encode(tx));
        if (a.code == 0) {
          break;
        }
        boolean skipped = a.codespace.equals("ante") && a.code == NONCE_SKIPPED;
        if (!(a.mempoolFull() || skipped) || ++attempts > MAX_ATTEMPTS) {
          throw new CliException(
              "funding account "
                  + i
                  + " was rejected: "
                  + a.codespace
                  + "/"
                  + a.code
                  + " "
                  + a.log);
        }
        Thread.sleep(10);
      }
      lastFunding = Transactions.hash(tx);
    }
    awaitCommitted(rpc, lastFunding, Duration.ofSeconds(120));
    long fundedAt = System.nanoTime();
    err.printf(
        "funded %d accounts with %d each in %.1f s%n", accounts, funding, (fundedAt - t0) / 1e9);
    err.flush();

    // 2. Pre-sign: nonce level by nonce level, so an account's txs are `accounts` apart.
    byte[][] signed = new byte[txs][];
    IntStream.range(0, txs)
        .parallel()
        .forEach(
            j -> {
              int a = j % accounts;
              signed[j] = send(chainId, keys[a], j / accounts, fee, keys[(a + 1) % accounts], 1);
            });
    // Encoded for the wire before the clock starts, like the signatures.
    String[] encoded = new String[txs];
    IntStream.range(0, txs)
        .parallel()
        .forEach(
            j ->
                encoded[j] =
                    batch > 1
                        ? Base64.getEncoder().encodeToString(signed[j])
                        : Hex.encode(signed[j]));
    Map<ByteBuffer, Integer> index = new HashMap<>(txs * 2);
    for (int j = 0; j < txs; j++) {
      index.put(ByteBuffer.wrap(Transactions.hash(signed[j])), j);
    }
    long signedAt = System.nanoTime();
    double signRate = txs / ((signedAt - fundedAt) / 1e9);
    err.printf("signed %d txs in %.1f s (%.0f/s)%n", txs, (signedAt - fundedAt) / 1e9, signRate);
    err.flush();

    // 3. Follow committed blocks while 4. the senders broadcast.
    long startHeight = latestHeight(rpc) + 1;
    AtomicLongArray sentAt = new AtomicLongArray(txs);
    AtomicLongArray committedAt = new AtomicLongArray(txs);
    for (int j = 0; j < txs; j++) {
      sentAt.set(j, -1);
      committedAt.set(j, -1);
    }
    Map<String, AtomicInteger> rejects = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> failedInBlock = new ConcurrentHashMap<>();
    AtomicLong retries = new AtomicLong();
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    List<long[]> blocks = new ArrayList<>(); // height, txs in block, of ours
    long start = System.nanoTime();
    long cpuAtStart = processCpuNanos();
    Thread[] senders = new Thread[concurrency];
    for (int w = 0; w < concurrency; w++) {
      senders[w] =
          new Thread(
              () -> {
                int j;
                while ((j = next.getAndAdd(batch)) < txs) {
                  if (perSecond > 0) {
                    long due = start + (long) (j / perSecond * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                      sleepNanos(wait);
                    }
                  }
                  List<Integer> pending = new ArrayList<>();
                  for (int k = j; k < Math.min(txs, j + batch); k++) {
                    pending.add(k);
                  }
                  sendAll(
                      http,
                      base,
                      encoded,
                      batch > 1,
                      pending,
                      retries,
                      k -> {
                        sentAt.set(k, (System.nanoTime() - start) / 1_000_000);
                        accepted.incrementAndGet();
                      },
                      why ->
                          rejects.computeIfAbsent(why, x -> new AtomicInteger()).incrementAndGet());
                  finished.addAndGet(pending.size());
                }
              },
              "bench-sender-" + w);
      senders[w].setDaemon(true);
      senders[w].start();
    }
    Follower follower =
        new Follower(http, base, startHeight, index, committedAt, failedInBlock, blocks, start);
    long lastProgress = System.nanoTime();
    int seen = 0;
    while (true) {
      int got = follower.poll();
      if (got > 0) {
        seen += got;
        lastProgress = System.nanoTime();
      }
      boolean sendingDone = finished.get() >= txs;
      if (sendingDone && seen >= accepted.get()) {
        break;
      }
      if (sendingDone && System.nanoTime() - lastProgress > timeout.toNanos()) {
        err.printf(
            "gave up: %d accepted txs not committed %ds after the last commit%n",
            accepted.get() - seen, timeout.toSeconds());
        break;
      }
      if (got < 0) {
        Thread.sleep(20);
      }
    }
    long[] sent = new long[txs];
    long[] committed = new long[txs];
    for (int j = 0; j < txs; j++) {
      sent[j] = sentAt.get(j);
      committed[j] = sentAt.get(j) >= 0 ? committedAt.get(j) : -1;
    }
    BenchStats stats = BenchStats.of(sent, committed);
    String title =
        String.format(
            "peerz bench: %d txs, %d accounts, rate %s: %.0f committed tx/s, p99 %d ms",
            txs, accounts, rate, stats.committedPerSecond(), stats.latencyMillis(99));
    BenchPlot.write(stats, title, plot);
    long generatorCpu = processCpuNanos() - cpuAtStart;
    follower.countFailures();
    report(out, stats, blocks, rejects, failedInBlock, retries.get(), signRate, generatorCpu);
    return stats.committed() == txs ? 0 : 1;
  }

  /**
   * Broadcasts the txs at {@code indices} (one request, or one JSON-RPC batch) until the node takes
   * each or rejects it for good: a full mempool is back-pressure and a skipped nonce an earlier tx
   * of the account still in flight, so those are sent again after a pause.
   */
  private static void sendAll(
      HttpClient http,
      URI base,
      String[] encoded,
      boolean batched,
      List<Integer> indices,
      AtomicLong retries,
      java.util.function.IntConsumer accepted,
      java.util.function.Consumer<String> rejected) {
    List<Integer> pending = indices;
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      List<String> txs = new ArrayList<>(pending.size());
      pending.forEach(j -> txs.add(encoded[j]));
      List<Answer> answers;
      try {
        answers = batched ? batch(http, base, txs) : List.of(broadcast(http, base, txs.get(0)));
      } catch (CliException e) {
        if (attempt >= 5) {
          // The reason names what to change (CometBFT's RPC refuses batches over 10 requests).
          pending.forEach(j -> rejected.accept("transport: " + e.getMessage()));
          return;
        }
        retries.addAndGet(pending.size());
        sleepNanos(50_000_000L);
        continue;
      }
      List<Integer> again = new ArrayList<>();
      boolean full = false;
      for (int k = 0; k < pending.size(); k++) {
        Answer a = answers.get(k);
        if (a.code == 0) {
          accepted.accept(pending.get(k));
        } else if ((a.mempoolFull() || (a.codespace.equals("ante") && a.code == NONCE_SKIPPED))
            && attempt < MAX_ATTEMPTS) {
          again.add(pending.get(k));
          full |= a.mempoolFull();
        } else {
          rejected.accept(a.codespace + "/" + a.code);
        }
      }
      if (!again.isEmpty()) {
        retries.addAndGet(again.size());
        // A full mempool is back-pressure: wait longer each time it says so (5 ms ... 200 ms).
        sleepNanos(full ? Math.min(200_000_000L, 5_000_000L << Math.min(attempt, 6)) : 1_000_000L);
      }
      pending = again;
    }
  }

  /**
   * broadcast_tx_sync of each tx (base64) in one JSON-RPC 2.0 batch (POST /); answers in tx order.
   */
  private static List<Answer> batch(HttpClient http, URI base, List<String> txs) {
    StringBuilder requests = new StringBuilder(txs.size() * (txs.get(0).length() + 80)).append('[');
    for (int i = 0; i < txs.size(); i++) {
      requests
          .append(i == 0 ? "" : ",")
          .append("{\"jsonrpc\":\"2.0\",\"id\":")
          .append(i)
          .append(",\"method\":\"broadcast_tx_sync\",\"params\":{\"tx\":\"")
          .append(txs.get(i))
          .append("\"}}");
    }
    HttpRequest req =
        HttpRequest.newBuilder(base)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(requests.append(']').toString()))
            .build();
    try {
      HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      return answers(Json.MAPPER.readTree(resp.body()), txs.size(), resp.statusCode());
    } catch (IOException e) {
      throw new CliException("broadcast batch: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  /** CPU time of this process so far (all threads), or 0 where the JVM does not say. */
  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? Math.max(0, os.getProcessCpuTime())
        : 0;
  }

  /**
   * The answers of a broadcast batch of {@code size} txs, in tx order, from the node's JSON-RPC
   * reply: peerz's and CometBFT's shapes (an array; a single object for a batch of one; a JSON-RPC
   * error per tx for a full mempool; one error object for a refused batch).
   */
  static List<Answer> answers(JsonNode body, int size, int status) {
    if (body != null && body.isObject() && body.hasNonNull("error")) {
      throw new CliException(
          "the node refused the batch: "
              + rpcError(body.get("error"))
              + " (CometBFT takes at most [rpc] max_request_batch_size = 10 requests per batch"
              + " by default: use --batch 10 or raise it)");
    }
    if (body == null || (!body.isArray() && !body.has("id"))) {
      throw new CliException("broadcast batch failed: HTTP " + status);
    }
    Answer[] answers = new Answer[size];
    // CometBFT answers a batch of one with a single object, not an array.
    for (JsonNode r : body.isArray() ? body : List.of(body)) {
      int id = r.path("id").asInt(-1);
      if (id < 0 || id >= answers.length) {
        throw new CliException("broadcast batch: an answer has no id of the batch: " + r);
      }
      JsonNode error = r.get("error");
      if (error != null && !error.isNull()) {
        // CometBFT's broadcast_tx_sync answers a full mempool (and any refusal before CheckTx)
        // with a JSON-RPC error, where peerz answers a code in the mempool codespace.
        answers[id] = new Answer(RPC_ERROR, RPC_CODESPACE, rpcError(error));
        continue;
      }
      JsonNode result = r.path("result");
      answers[id] =
          new Answer(
              result.path("code").asInt(0),
              result.path("codespace").asText(""),
              result.path("log").asText(""));
    }
    for (Answer a : answers) {
      if (a == null) {
        throw new CliException("broadcast batch: an answer is missing");
      }
    }
    return List.of(answers);
  }

  /** A JSON-RPC error's message and data, as one line. */
  private static String rpcError(JsonNode error) {
    String data = error.path("data").asText("");
    return error.path("message").asText("error") + (data.isEmpty() ? "" : ": " + data);
  }

  /** CheckTx's answer to a broadcast. */
  record Answer(int code, String codespace, String log) {
    boolean mempoolFull() {
      return (codespace.equals("mempool")
              && (code == MEMPOOL_FULL_COUNT || code == MEMPOOL_FULL_BYTES))
          || (codespace.equals(RPC_CODESPACE) && log.contains("mempool is full"));
    }
  }

  /** broadcast_tx_sync of one tx (hex) as a URI request. */
  private static Answer broadcast(HttpClient http, URI base, String hexTx) {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve("broadcast_tx_sync?tx=0x" + hexTx))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    try {
      HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode body = Json.MAPPER.readTree(resp.body());
      if (body == null) {
        throw new CliException("broadcast_tx_sync failed: HTTP " + resp.statusCode());
      }
      JsonNode error = body.get("error");
      if (error != null && !error.isNull()) {
        return new Answer(RPC_ERROR, RPC_CODESPACE, rpcError(error));
      }
      JsonNode r = body.path("result");
      return new Answer(
          r.path("code").asInt(0), r.path("codespace").asText(""), r.path("log").asText(""));
    } catch (IOException e) {
      throw new CliException("broadcast_tx_sync: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  /**
   * Reads committed blocks from {@code next} on and marks the bench's txs in them. Blocks and
   * results are read as JSON streams, keeping only the txs and their codes: a block of 30,000 txs
   * has results of many MB (events), which a JSON tree would allocate whole.
   */
  private static final class Follower {
    private final HttpClient http;
    private final URI base;
    private final Map<ByteBuffer, Integer> index;
    private final AtomicLongArray committedAt;
    private final Map<String, AtomicInteger> failedInBlock;
    private final List<long[]> blocks;
    private final long start;
    private final Map<Long, List<Integer>> ours = new TreeMap<>(); // height: positions
    private long next;
    private long executed;

    Follower(
        HttpClient http,
        URI base,
        long next,
        Map<ByteBuffer, Integer> index,
        AtomicLongArray committedAt,
        Map<String, AtomicInteger> failedInBlock,
        List<long[]> blocks,
        long start) {
      this.http = http;
      this.base = base;
      this.next = next;
      this.index = index;
      this.committedAt = committedAt;
      this.failedInBlock = failedInBlock;
      this.blocks = blocks;
      this.start = start;
    }

    /**
     * The bench's txs in the next committed block, or -1 while that block is not committed: while
     * abci_info's last_block_height, the height whose execution results the node has committed, is
     * below it (a node stores a block before it executes it). Only the block is read here; its
     * results (many times larger, with their events) are read once the run is over, by {@link
     * #countFailures}, so that following costs the node little while it is measured.
     */
    int poll() {
      if (next > executed) {
        executed = executedHeight();
        if (next > executed) {
          return -1;
        }
      }
      List<byte[]> txs = new ArrayList<>();
      if (!forEach(
          "block",
          List.of("result", "block", "data", "txs"),
          p -> txs.add(Base64.getDecoder().decode(p.getValueAsString(""))))) {
        throw new CliException("block " + next + " is executed but could not be read");
      }
      long now = (System.nanoTime() - start) / 1_000_000;
      List<Integer> positions = new ArrayList<>();
      for (int i = 0; i < txs.size(); i++) {
        Integer j = index.get(ByteBuffer.wrap(Transactions.hash(txs.get(i))));
        if (j != null) {
          positions.add(i);
          committedAt.set(j, now);
        }
      }
      if (!positions.isEmpty()) {
        ours.put(next, positions);
      }
      blocks.add(new long[] {next, txs.size(), positions.size()});
      next++;
      return positions.size();
    }

    /** Reads the results of the blocks that hold the bench's txs and counts those that failed. */
    void countFailures() {
      for (Map.Entry<Long, List<Integer>> e : ours.entrySet()) {
        next = e.getKey();
        List<String> failures = new ArrayList<>(); // per tx: "codespace/code", or null for code 0
        if (!forEach(
            "block_results",
            List.of("result", "txs_results"),
            p -> {
              int code = 0;
              String codespace = "";
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("code")) {
                  code = p.getValueAsInt(0);
                } else if (field.equals("codespace")) {
                  codespace = p.getValueAsString("");
                } else {
                  p.skipChildren();
                }
              }
              failures.add(code == 0 ? null : codespace + "/" + code);
            })) {
          throw new CliException(
              "block " + next + " is committed but its results could not be read");
        }
        for (int i : e.getValue()) {
          String failure = i < failures.size() ? failures.get(i) : null;
          if (failure != null) {
            failedInBlock.computeIfAbsent(failure, k -> new AtomicInteger()).incrementAndGet();
          }
        }
      }
    }

    private long executedHeight() {
      HttpRequest req =
          HttpRequest.newBuilder(base.resolve("abci_info"))
              .timeout(Duration.ofSeconds(60))
              .GET()
              .build();
      try {
        HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        return Json.MAPPER
            .readTree(resp.body())
            .path("result")
            .path("response")
            .path("last_block_height")
            .asLong(0);
      } catch (IOException e) {
        throw new CliException("abci_info: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted");
      }
    }

    interface ElementReader {
      /** Reads one array element, the parser on its first token, up to its last token. */
      void read(JsonParser p) throws IOException;
    }

    /**
     * GET /{method}?height=next and each element of the array at {@code path} in the answer; false
     * when the answer has no such array (a JSON-RPC error: the height is not committed yet).
     */
    private boolean forEach(String method, List<String> path, ElementReader each) {
      HttpRequest req =
          HttpRequest.newBuilder(base.resolve(method + "?height=" + next))
              .timeout(Duration.ofSeconds(60))
              .GET()
              .build();
      try {
        HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        try (JsonParser p = Json.MAPPER.getFactory().createParser(resp.body())) {
          if (p.nextToken() != JsonToken.START_OBJECT) {
            return false;
          }
          for (String field : path) {
            if (!seek(p, field)) {
              return false;
            }
          }
          if (p.currentToken() == JsonToken.VALUE_NULL) {
            return true; // an empty list, as Go writes it
          }
          if (p.currentToken() != JsonToken.START_ARRAY) {
            return false;
          }
          while (p.nextToken() != JsonToken.END_ARRAY) {
            each.read(p);
          }
          return true;
        }
      } catch (IOException e) {
        throw new CliException(method + " " + next + ": " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted");
      }
    }

    /** Moves into the current object's {@code field}, skipping the others; false if it has none. */
    private static boolean seek(JsonParser p, String field) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals(field)) {
          return true;
        }
        p.skipChildren();
      }
      return false;
    }
  }

  private void report(
      PrintWriter out,
      BenchStats stats,
      List<long[]> blocks,
      Map<String, AtomicInteger> rejects,
      Map<String, AtomicInteger> failedInBlock,
      long retries,
      double signRate,
      long generatorCpuNanos) {
    long generatorMicrosPerTx = generatorCpuNanos / 1000 / Math.max(1, stats.committed());
    List<long[]> used = new ArrayList<>();
    for (long[] b : blocks) {
      if (b[2] > 0) {
        used.add(b);
      }
    }
    long minTxs = used.stream().mapToLong(b -> b[1]).min().orElse(0);
    long maxTxs = used.stream().mapToLong(b -> b[1]).max().orElse(0);
    double meanTxs = used.stream().mapToLong(b -> b[1]).average().orElse(0);
    Map<String, Integer> rejected = sorted(rejects);
    Map<String, Integer> failed = sorted(failedInBlock);
    if (output.json()) {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("node", node.url());
      n.put("txs", txs);
      n.put("accounts", accounts);
      n.put("rate", rate);
      n.put("concurrency", concurrency);
      n.put("batch", batch);
      n.put("signed_per_second", Math.round(signRate));
      n.put("generator_cpu_us_per_tx", generatorMicrosPerTx);
      n.put("accepted", stats.sent());
      n.put("committed", stats.committed());
      n.put("duration_ms", stats.durationMillis());
      n.put("committed_tx_per_second", Math.round(stats.committedPerSecond()));
      ObjectNode lat = n.putObject("latency_ms");
      lat.put("p50", stats.latencyMillis(50));
      lat.put("p95", stats.latencyMillis(95));
      lat.put("p99", stats.latencyMillis(99));
      lat.put("max", stats.maxLatencyMillis());
      n.put("retries", retries);
      ObjectNode rj = n.putObject("rejects");
      rejected.forEach(rj::put);
      ObjectNode fb = n.putObject("failed_in_block");
      failed.forEach(fb::put);
      ArrayNode bl = n.putArray("blocks");
      for (long[] b : used) {
        bl.addObject().put("height", b[0]).put("txs", b[1]).put("bench_txs", b[2]);
      }
      n.put("plot", plot.toString());
      out.println(Json.compact(n));
      out.flush();
      return;
    }
    out.printf("node:          %s%n", node.url());
    out.printf(
        "load:          %d txs from %d accounts, rate %s, %d requests of %d in flight%n",
        txs, accounts, rate, concurrency, batch);
    out.printf(
        "accepted:      %d (%d retries on a full mempool or a nonce in flight)%n",
        stats.sent(), retries);
    out.printf(
        "committed:     %d in %.1f s: %.0f tx/s%n",
        stats.committed(), stats.durationMillis() / 1000.0, stats.committedPerSecond());
    out.printf(
        "latency ms:    p50 %d  p95 %d  p99 %d  max %d (acceptance to commit seen)%n",
        stats.latencyMillis(50),
        stats.latencyMillis(95),
        stats.latencyMillis(99),
        stats.maxLatencyMillis());
    if (!used.isEmpty()) {
      StringBuilder counts = new StringBuilder();
      for (long[] b : used) {
        counts.append(' ').append(b[1]);
      }
      out.printf(
          "blocks:        %d (heights %d..%d), txs per block min %d mean %.0f max %d%n",
          used.size(), used.get(0)[0], used.get(used.size() - 1)[0], minTxs, meanTxs, maxTxs);
      out.printf("block txs:    %s%n", counts);
    }
    out.printf("rejected:      %s%n", rejected.isEmpty() ? "none" : rejected);
    out.printf("failed in block: %s%n", failed.isEmpty() ? "none" : failed);
    out.printf("signing:       %.0f tx/s on this machine%n", signRate);
    out.printf(
        "generator cpu: %d us per committed tx while sending (this process, all threads)%n",
        generatorMicrosPerTx);
    out.printf("plot:          %s%n", plot);
    out.flush();
  }

  private static Map<String, Integer> sorted(Map<String, AtomicInteger> m) {
    Map<String, Integer> s = new TreeMap<>();
    m.forEach((k, v) -> s.put(k, v.get()));
    return s;
  }

  static double parseRate(String rate) {
    if (rate.equalsIgnoreCase("max")) {
      return 0;
    }
    try {
      double r = Double.parseDouble(rate);
      if (r > 0) {
        return r;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new CliException("--rate is a positive number of tx/s or 'max', not '" + rate + "'");
  }

  private static byte[] send(
      String chainId, Ed25519KeyPair from, long nonce, long fee, Ed25519KeyPair to, long amount) {
    TxBody body =
        TxSubcommand.body(chainId, from.publicKey(), nonce, fee, "")
            .setSend(
                MsgSend.newBuilder()
                    .setTo(ByteString.copyFrom(to.address().bytes()))
                    .setAmount(amount))
            .build();
    return Transactions.sign(body, from).toByteArray();
  }

  private static long latestHeight(RpcClient rpc) {
    return rpc.status().path("sync_info").path("latest_block_height").asLong(0);
  }

  private static void awaitCommitted(RpcClient rpc, byte[] hash, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      var found = rpc.tx(hash);
      if (found.isPresent()) {
        int code = found.get().path("tx_result").path("code").asInt(0);
        if (code != 0) {
          throw new CliException(
              "the last funding tx failed in its block: "
                  + found.get().path("tx_result").path("log").asText());
        }
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new CliException("the funding txs were not committed in " + limit.toSeconds() + "s");
      }
      Thread.sleep(100);
    }
  }

  private static byte[] concat(byte[] seed, int i) {
    return ByteBuffer.allocate(seed.length + 4).put(seed).putInt(i).array();
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
