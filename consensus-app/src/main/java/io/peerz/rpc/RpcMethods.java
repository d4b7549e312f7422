package io.peerz.rpc;

import static io.peerz.rpc.CometJson.hex;
import static io.peerz.rpc.CometJson.int64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.BlockStore.TxLocation;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.TxIndexDisabledException;
import io.peerz.ledger.TxQuery;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.Validator;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.rpc.RpcBackend.AppInfo;
import io.peerz.rpc.RpcBackend.CommittedTx;
import io.peerz.rpc.RpcBackend.MempoolSnapshot;
import io.peerz.rpc.RpcBackend.NodeStatus;
import io.peerz.rpc.RpcBackend.QueryAnswer;
import io.peerz.rpc.RpcParams.BytesForm;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CometBFT v0.38's RPC methods over an {@link RpcBackend}: argument names, defaults, validation and
 * error texts as CometBFT's {@code rpc/core}, results in CometBFT's JSON shapes.
 */
final class RpcMethods {
  private static final Logger LOG = LoggerFactory.getLogger(RpcMethods.class);

  /** One method: its argument names in positional order and what it computes. */
  record Method(List<String> args, Function<RpcParams, JsonNode> call) {}

  static final Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(10);

  // CometBFT's blockchain method returns at most this many block metas.
  private static final int MAX_BLOCKCHAIN_METAS = 20;
  private static final int DEFAULT_PER_PAGE = 30;
  private static final int MAX_PER_PAGE = 100;
  // tx_search loads every match to count and order them; this bounds one request's memory.
  static final int MAX_SEARCH_RESULTS = 10_000;

  private static final String PROOF_OP_TYPE = "peerz:smt";

  private final RpcBackend backend;
  private final Supplier<String> rpcAddress;
  private final Executor asyncBroadcasts;
  private final Duration commitTimeout;
  private final ObjectMapper mapper = new ObjectMapper();
  private final Map<String, Method> methods = new TreeMap<>();

  RpcMethods(
      RpcBackend backend,
      Supplier<String> rpcAddress,
      Executor asyncBroadcasts,
      Duration commitTimeout) {
    this.backend = backend;
    this.rpcAddress = rpcAddress;
    this.asyncBroadcasts = asyncBroadcasts;
    this.commitTimeout = commitTimeout;
    register("health", List.of(), p -> CometJson.object());
    register("status", List.of(), p -> status());
    register("abci_info", List.of(), p -> abciInfo());
    register("abci_query", List.of("path", "data", "height", "prove"), this::abciQuery);
    register("broadcast_tx_async", List.of("tx"), this::broadcastTxAsync);
    register("broadcast_tx_sync", List.of("tx"), this::broadcastTxSync);
    register("broadcast_tx_commit", List.of("tx"), this::broadcastTxCommit);
    register("check_tx", List.of("tx"), p -> CometJson.txResult(backend.checkTx(txArg(p))));
    register("block", List.of("height"), p -> blockResult(height(p, "height")));
    register("block_by_hash", List.of("hash"), this::blockByHash);
    register("block_results", List.of("height"), this::blockResults);
    register("blockchain", List.of("minHeight", "maxHeight"), this::blockchain);
    register("commit", List.of("height"), this::commit);
    register("header", List.of("height"), p -> headerResult(height(p, "height")));
    register("header_by_hash", List.of("hash"), this::headerByHash);
    register("tx", List.of("hash", "prove"), this::tx);
    register(
        "tx_search", List.of("query", "prove", "page", "per_page", "order_by"), this::txSearch);
    register("validators", List.of("height", "page", "per_page"), this::validators);
    register("genesis", List.of(), p -> genesis());
    register("num_unconfirmed_txs", List.of(), p -> numUnconfirmedTxs());
    register("unconfirmed_txs", List.of("limit"), this::unconfirmedTxs);
  }

  private void register(String name, List<String> args, Function<RpcParams, JsonNode> call) {
    methods.put(name, new Method(args, call));
  }

  Optional<Method> find(String name) {
    return Optional.ofNullable(methods.get(name));
  }

  /** Method names, sorted. */
  List<String> names() {
    return List.copyOf(methods.keySet());
  }

  private BlockStore store() {
    return backend.blocks();
  }

  // ---- info

  private JsonNode status() {
    NodeStatus s = backend.status();
    ObjectNode result = CometJson.object();
    ObjectNode nodeInfo = result.putObject("node_info");
    ObjectNode protocol = nodeInfo.putObject("protocol_version");
    protocol.put("p2p", "8");
    protocol.put("block", "11");
    protocol.put("app", Long.toUnsignedString(backend.appInfo().appVersion()));
    nodeInfo.put("id", nullToEmpty(s.nodeId()));
    nodeInfo.put("listen_addr", nullToEmpty(s.listenAddress()));
    nodeInfo.put("network", nullToEmpty(s.chainId()));
    nodeInfo.put("version", CometJson.COMET_VERSION);
    nodeInfo.put("channels", "40202122233038606100");
    nodeInfo.put("moniker", nullToEmpty(s.moniker()));
    ObjectNode other = nodeInfo.putObject("other");
    other.put("tx_index", "on");
    other.put("rpc_address", "tcp://" + rpcAddress.get());

    ObjectNode sync = result.putObject("sync_info");
    sync.put("latest_block_hash", hex(s.latestBlockHash()));
    sync.put("latest_app_hash", hex(s.latestAppHash()));
    sync.put("latest_block_height", int64(s.latestHeight()));
    sync.put("latest_block_time", CometJson.timeMillis(s.latestBlockTimeMillis()));
    sync.put("earliest_block_hash", hex(s.earliestBlockHash()));
    sync.put("earliest_app_hash", hex(s.earliestAppHash()));
    sync.put("earliest_block_height", int64(s.earliestHeight()));
    sync.put("earliest_block_time", CometJson.timeMillis(s.earliestBlockTimeMillis()));
    sync.put("catching_up", s.catchingUp());

    ObjectNode validator = result.putObject("validator_info");
    validator.put("address", hex(s.validatorAddress()));
    validator.set("pub_key", CometJson.pubKey(s.validatorPubKey()));
    validator.put("voting_power", int64(s.validatorPower()));
    return result;
  }

  private JsonNode abciInfo() {
    AppInfo info = backend.appInfo();
    // InfoResponse goes through CometBFT's plain JSON encoder, which honours omitempty.
    ObjectNode response = CometJson.object();
    if (info.data() != null && !info.data().isEmpty()) {
      response.put("data", info.data());
    }
    if (info.version() != null && !info.version().isEmpty()) {
      response.put("version", info.version());
    }
    if (info.appVersion() != 0) {
      response.put("app_version", Long.toUnsignedString(info.appVersion()));
    }
    if (info.lastBlockHeight() != 0) {
      response.put("last_block_height", int64(info.lastBlockHeight()));
    }
    if (info.lastBlockAppHash() != null && info.lastBlockAppHash().length > 0) {
      response.set("last_block_app_hash", CometJson.base64(info.lastBlockAppHash()));
    }
    ObjectNode result = CometJson.object();
    result.set("response", response);
    return result;
  }

  private JsonNode abciQuery(RpcParams p) {
    String path = p.string("path");
    byte[] data = p.bytes("data", BytesForm.HEX);
    long height = p.int64("height", 0);
    if (height < 0) {
      throw RpcException.invalidRequest(
          "height must be greater than or equal to zero (requested height: " + height + ")");
    }
    boolean prove = p.bool("prove", false);
    if (data == null) {
      data = new byte[0];
    }
    QueryAnswer answer = backend.query(path == null ? "" : path, data, height, prove);
    ObjectNode response = CometJson.object();
    response.put("code", Integer.toUnsignedLong(answer.code()));
    response.put("log", nullToEmpty(answer.log()));
    response.put("info", "");
    response.put("index", "0");
    byte[] key = answer.key() == null ? data : answer.key();
    response.set("key", key.length == 0 ? NullNode.getInstance() : CometJson.base64(key));
    response.set("value", CometJson.base64(answer.value()));
    if (answer.proof() != null) {
      ObjectNode op = CometJson.object();
      op.put("type", PROOF_OP_TYPE);
      op.set("key", CometJson.base64(key));
      op.set("data", CometJson.base64(answer.proof()));
      response.putObject("proofOps").putArray("ops").add(op);
    } else {
      response.putNull("proofOps");
    }
    response.put("height", int64(answer.height()));
    response.put("codespace", nullToEmpty(answer.codespace()));
    ObjectNode result = CometJson.object();
    result.set("response", response);
    return result;
  }

  private JsonNode genesis() {
    byte[] raw = backend.genesis().rawJson();
    try {
      ObjectNode result = CometJson.object();
      result.set("genesis", mapper.readTree(raw));
      return result;
    } catch (IOException e) {
      throw RpcException.internal("genesis is not valid JSON: " + e.getMessage());
    }
  }

  // ---- txs

  /** The txs of a JSON-RPC batch, before its requests run: see {@link RpcBackend#prepareTxs}. */
  void prepareTxs(List<byte[]> txs) {
    backend.prepareTxs(txs);
  }

  private static byte[] txArg(RpcParams p) {
    byte[] tx = p.bytes("tx", BytesForm.BASE64);
    if (tx == null) {
      throw p.error("tx", "missing");
    }
    return tx;
  }

  private JsonNode broadcastTxAsync(RpcParams p) {
    byte[] tx = txArg(p);
    byte[] hash = Sha256.hash(tx);
    asyncBroadcasts.execute(
        () -> {
          try {
            TxResult check = backend.broadcastTx(tx);
            LOG.debug("broadcast_tx_async hash={} code={}", hex(hash), check.getCode());
          } catch (RuntimeException e) {
            LOG.warn("broadcast_tx_async failed hash={} error={}", hex(hash), e.toString());
          }
        });
    return broadcastResult(TxResult.getDefaultInstance(), hash);
  }

  private JsonNode broadcastTxSync(RpcParams p) {
    byte[] tx = txArg(p);
    return broadcastResult(backend.broadcastTx(tx), Sha256.hash(tx));
  }

  private static JsonNode broadcastResult(TxResult check, byte[] hash) {
    ObjectNode result = CometJson.object();
    result.put("code", Integer.toUnsignedLong(check.getCode()));
    result.put("data", hex(check.getData()));
    result.put("log", check.getLog());
    result.put("codespace", check.getCodespace());
    result.put("hash", hex(hash));
    return result;
  }

  private JsonNode broadcastTxCommit(RpcParams p) {
    byte[] tx = txArg(p);
    byte[] hash = Sha256.hash(tx);
    // Wait registered before the tx can commit, so a fast commit is not missed.
    CompletableFuture<CommittedTx> committed = backend.awaitCommit(hash, commitTimeout);
    TxResult check = backend.broadcastTx(tx);
    ObjectNode result = CometJson.object();
    result.set("check_tx", CometJson.txResult(check));
    if (check.getCode() != 0) {
      committed.cancel(false);
      result.set("tx_result", CometJson.txResult(TxResult.getDefaultInstance()));
      result.put("hash", hex(hash));
      result.put("height", "0");
      return result;
    }
    CommittedTx done = awaitCommitted(committed);
    result.set("tx_result", CometJson.txResult(done.result()));
    result.put("hash", hex(hash));
    result.put("height", int64(done.height()));
    return result;
  }

  private CommittedTx awaitCommitted(CompletableFuture<CommittedTx> committed) {
    String timedOut = "timed out waiting for tx to be included in a block";
    try {
      // The backend times out by itself; the slack only guards against one that does not.
      return committed.get(commitTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | CancellationException e) {
      committed.cancel(false);
      throw RpcException.internal(timedOut);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw RpcException.internal(timedOut);
      }
      throw RpcException.internal("error on broadcastTxCommit: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RpcException.internal("interrupted waiting for tx to be included in a block");
    }
  }

  private JsonNode tx(RpcParams p) {
    requireTxIndex();
    byte[] hash = p.bytes("hash", BytesForm.HASH);
    if (hash == null) {
      throw p.error("hash", "missing");
    }
    TxLocation location =
        store()
            .tx(hash)
            .orElseThrow(() -> RpcException.internal("tx (" + hex(hash) + ") not found"));
    TxResult result =
        txResult(location)
            .orElseThrow(() -> RpcException.internal("tx (" + hex(hash) + ") not found"));
    return txJson(location, result);
  }

  private Optional<TxResult> txResult(TxLocation location) {
    return store()
        .results(location.height())
        .filter(r -> location.index() >= 0 && location.index() < r.getTxResultsCount())
        .map(r -> r.getTxResults(location.index()));
  }

  private static ObjectNode txJson(TxLocation location, TxResult result) {
    ObjectNode node = CometJson.object();
    node.put("hash", hex(location.hash()));
    node.put("height", int64(location.height()));
    node.put("index", Integer.toUnsignedLong(location.index()));
    node.set("tx_result", CometJson.txResult(result));
    node.set("tx", CometJson.base64(location.tx()));
    return node;
  }

  /** As CometBFT answers tx and tx_search on a node with {@code indexer = "null"}. */
  private void requireTxIndex() {
    if (!store().indexesTxs()) {
      throw RpcException.internal(TxIndexDisabledException.MESSAGE);
    }
  }

  private JsonNode txSearch(RpcParams p) {
    requireTxIndex();
    String query = p.string("query");
    if (query == null || query.isBlank()) {
      throw p.error("query", "missing");
    }
    List<TxQuery.Condition> conditions;
    try {
      conditions = TxQuery.parse(query);
    } catch (IllegalArgumentException e) {
      throw RpcException.invalidParams("invalid query " + query + ": " + e.getMessage());
    }
    int perPage = perPage(p.int32("per_page"));
    String order = p.string("order_by");
    boolean descending;
    if (order == null || order.isEmpty() || order.equals("asc")) {
      descending = false;
    } else if (order.equals("desc")) {
      descending = true;
    } else {
      throw RpcException.invalidRequest(
          "expected order_by to be either `asc` or `desc` or empty, got " + order);
    }
    List<TxLocation> found = new ArrayList<>(store().searchTxs(conditions, MAX_SEARCH_RESULTS));
    if (descending) {
      Collections.reverse(found);
    }
    int page = page(p.int32("page"), perPage, found.size());
    int from = (page - 1) * perPage;
    int to = Math.min(found.size(), from + perPage);
    ObjectNode result = CometJson.object();
    ArrayNode txs = result.putArray("txs");
    for (TxLocation location : found.subList(from, to)) {
      txs.add(txJson(location, txResult(location).orElse(TxResult.getDefaultInstance())));
    }
    result.put("total_count", Integer.toString(found.size()));
    return result;
  }

  private JsonNode numUnconfirmedTxs() {
    MempoolSnapshot mempool = backend.mempool(0);
    ObjectNode result = CometJson.object();
    result.put("n_txs", Integer.toString(mempool.count()));
    result.put("total", Integer.toString(mempool.count()));
    result.put("total_bytes", int64(mempool.totalBytes()));
    result.putNull("txs");
    return result;
  }

  private JsonNode unconfirmedTxs(RpcParams p) {
    int limit = perPage(p.int32("limit"));
    MempoolSnapshot mempool = backend.mempool(limit);
    List<byte[]> txs = mempool.txs().subList(0, Math.min(limit, mempool.txs().size()));
    ObjectNode result = CometJson.object();
    result.put("n_txs", Integer.toString(txs.size()));
    result.put("total", Integer.toString(mempool.count()));
    result.put("total_bytes", int64(mempool.totalBytes()));
    ArrayNode array = result.putArray("txs");
    for (byte[] tx : txs) {
      array.add(Base64.getEncoder().encodeToString(tx));
    }
    return result;
  }

  // ---- blocks

  /** CometBFT's getHeight: absent = latest; must be in [base, latest]. */
  private long height(RpcParams p, String name) {
    Long requested = p.int64(name);
    long latest = store().lastHeight();
    if (requested == null) {
      return latest;
    }
    return checkHeight(requested, latest);
  }

  /**
   * CometBFT v0.38's getHeight (rpc/core/env.go): its error texts, each an internal error (-32603)
   * as v0.38's JSON-RPC server answers every error a method returns.
   */
  private long checkHeight(long requested, long latest) {
    if (requested <= 0) {
      throw RpcException.internal("height must be greater than 0, but got " + requested);
    }
    if (requested > latest) {
      throw RpcException.internal(
          "height "
              + requested
              + " must be less than or equal to the current blockchain height "
              + latest);
    }
    long base = store().baseHeight();
    if (requested < base) {
      // Pruned (min-retain-blocks), or below a state-sync snapshot.
      throw RpcException.internal(
          "height " + requested + " is not available, lowest height is " + base);
    }
    return requested;
  }

  private BlockId blockId(long height) {
    return blockId(store(), height);
  }

  /** The id of the block at {@code height}: its hash and the part set its seen commit names. */
  static BlockId blockId(BlockStore store, long height) {
    BlockId.Builder id = BlockId.newBuilder();
    store.seenCommit(height).ifPresent(c -> id.mergeFrom(c.getBlockId()));
    store.blockHash(height).ifPresent(h -> id.setHash(ByteString.copyFrom(h)));
    return id.build();
  }

  private JsonNode blockResult(long height) {
    ObjectNode result = CometJson.object();
    Optional<Block> block = height > 0 ? store().block(height) : Optional.empty();
    if (block.isEmpty()) {
      // CometBFT answers an empty block id and a null block for a block it does not have.
      result.set("block_id", CometJson.blockId(BlockId.getDefaultInstance()));
      result.putNull("block");
      return result;
    }
    result.set("block_id", CometJson.blockId(blockId(height)));
    result.set("block", CometJson.block(block.get()));
    return result;
  }

  private byte[] hashArg(RpcParams p) {
    byte[] hash = p.bytes("hash", BytesForm.HASH);
    if (hash == null) {
      throw p.error("hash", "missing");
    }
    return hash;
  }

  private JsonNode blockByHash(RpcParams p) {
    byte[] hash = hashArg(p);
    return blockResult(store().heightOfHash(hash).orElse(0L));
  }

  private JsonNode headerResult(long height) {
    ObjectNode result = CometJson.object();
    Optional<Block> block = height > 0 ? store().block(height) : Optional.empty();
    if (block.isPresent()) {
      result.set("header", CometJson.header(block.get().getHeader()));
    } else {
      result.putNull("header");
    }
    return result;
  }

  private JsonNode headerByHash(RpcParams p) {
    byte[] hash = hashArg(p);
    return headerResult(store().heightOfHash(hash).orElse(0L));
  }

  private JsonNode blockResults(RpcParams p) {
    Long requested = p.int64("height");
    long latest = store().lastHeight();
    long height;
    if (requested != null) {
      height = checkHeight(requested, latest);
    } else if (latest > store().baseHeight() && store().results(latest).isEmpty()) {
      // The newest block may be appended but not yet executed: answer the last executed one.
      height = latest - 1;
    } else {
      height = latest;
    }
    BlockResults results =
        store()
            .results(height)
            .orElseThrow(
                () -> RpcException.internal("could not find results for height #" + height));
    ObjectNode result = CometJson.object();
    result.put("height", int64(height));
    ArrayNode txs = result.putArray("txs_results");
    for (TxResult tx : results.getTxResultsList()) {
      txs.add(CometJson.txResult(tx));
    }
    result.set("finalize_block_events", CometJson.events(results.getFinalizeBlockEventsList()));
    ArrayNode updates = result.putArray("validator_updates");
    for (ValidatorUpdate update : results.getValidatorUpdatesList()) {
      updates.add(CometJson.validatorUpdate(update));
    }
    result.putNull("consensus_param_updates");
    result.set("app_hash", CometJson.base64(results.getAppHash().toByteArray()));
    return result;
  }

  private JsonNode blockchain(RpcParams p) {
    long min = p.int64("minHeight", 0);
    long max = p.int64("maxHeight", 0);
    long latest = store().lastHeight();
    long base = store().baseHeight();
    if (min < 0 || max < 0) {
      throw RpcException.invalidRequest("heights must be non-negative");
    }
    if (min == 0) {
      min = 1;
    }
    if (max == 0) {
      max = latest;
    }
    max = Math.min(latest, max);
    min = Math.max(base, min);
    min = Math.max(min, max - MAX_BLOCKCHAIN_METAS + 1);
    if (min > max) {
      throw RpcException.internal("min height " + min + " can't be greater than max height " + max);
    }
    ObjectNode result = CometJson.object();
    result.put("last_height", int64(latest));
    ArrayNode metas = result.putArray("block_metas");
    for (long height = max; height >= min; height--) {
      Optional<Block> block = store().block(height);
      if (block.isEmpty()) {
        continue;
      }
      ObjectNode meta = metas.addObject();
      meta.set("block_id", CometJson.blockId(blockId(height)));
      meta.put("block_size", Integer.toString(block.get().getSerializedSize()));
      meta.set("header", CometJson.header(block.get().getHeader()));
      meta.put("num_txs", Integer.toString(block.get().getTxsCount()));
    }
    return result;
  }

  private JsonNode commit(RpcParams p) {
    long height = height(p, "height");
    Optional<Block> block = height > 0 ? store().block(height) : Optional.empty();
    if (block.isEmpty()) {
      return NullNode.getInstance();
    }
    // As CometBFT: the next block's last_commit is canonical; the newest height only has the
    // commit this node saw, which a later block may replace.
    boolean canonical = height < store().lastHeight();
    Optional<Commit> commit =
        canonical
            ? store().block(height + 1).map(Block::getLastCommit)
            : store().seenCommit(height);
    if (commit.isEmpty()) {
      return NullNode.getInstance();
    }
    ObjectNode result = CometJson.object();
    ObjectNode signed = result.putObject("signed_header");
    signed.set("header", CometJson.header(block.get().getHeader()));
    signed.set("commit", CometJson.commit(commit.get()));
    result.put("canonical", canonical);
    return result;
  }

  private JsonNode validators(RpcParams p) {
    long height = height(p, "height");
    List<Validator> set =
        backend
            .validators(height)
            .orElseThrow(
                () -> RpcException.internal("could not find validator set for height #" + height));
    int perPage = perPage(p.int32("per_page"));
    int page = page(p.int32("page"), perPage, set.size());
    int from = (page - 1) * perPage;
    int to = Math.min(set.size(), from + perPage);
    ObjectNode result = CometJson.object();
    result.put("block_height", int64(height));
    ArrayNode validators = result.putArray("validators");
    for (Validator v : set.subList(from, to)) {
      ObjectNode node = validators.addObject();
      byte[] pubKey = v.getPubKey().toByteArray();
      // CometBFT's address is the first 20 bytes of SHA-256 of the Ed25519 key, as peerz's.
      byte[] address =
          v.getAddress().isEmpty()
              ? Arrays.copyOf(Sha256.hash(pubKey), 20)
              : v.getAddress().toByteArray();
      node.put("address", hex(address));
      node.set("pub_key", CometJson.pubKey(pubKey));
      node.put("voting_power", int64(v.getVotingPower()));
      node.put("proposer_priority", int64(v.getProposerPriority()));
    }
    result.put("count", Integer.toString(to - from));
    result.put("total", Integer.toString(set.size()));
    return result;
  }

  // ---- paging, as CometBFT's validatePage / validatePerPage

  private static int perPage(Integer requested) {
    if (requested == null || requested <= 0) {
      return DEFAULT_PER_PAGE;
    }
    return Math.min(requested, MAX_PER_PAGE);
  }

  private static int page(Integer requested, int perPage, int total) {
    int pages = Math.max(1, (total + perPage - 1) / perPage);
    if (requested == null) {
      return 1;
    }
    if (requested <= 0 || requested > pages) {
      throw RpcException.invalidRequest(
          "page should be within [1, " + pages + "] range, given " + requested);
    }
    return requested;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
