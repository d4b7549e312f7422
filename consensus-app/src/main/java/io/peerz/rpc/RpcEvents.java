package io.peerz.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.TxQuery;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CometBFT v0.38's event subscriptions ({@code subscribe}, {@code unsubscribe}, {@code
 * unsubscribe_all}) and the events of committed blocks: {@code NewBlock}, {@code NewBlockHeader},
 * {@code NewBlockEvents} and one {@code Tx} per transaction, in CometBFT's order and JSON shapes.
 * Events are built and sent on one thread of their own, so the consensus loop that announces a
 * block never waits on a client.
 */
final class RpcEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RpcEvents.class);

  /** CometBFT's {@code rpc.max_subscription_clients} default. */
  static final int MAX_CLIENTS = 100;

  /** CometBFT's {@code rpc.max_subscriptions_per_client} default. */
  static final int MAX_SUBSCRIPTIONS_PER_CLIENT = 5;

  static final String NEW_BLOCK = "NewBlock";
  static final String NEW_BLOCK_HEADER = "NewBlockHeader";
  static final String NEW_BLOCK_EVENTS = "NewBlockEvents";
  static final String TX = "Tx";

  private static final String EVENT_TYPE_KEY = "tm.event";

  /** Where a subscriber's messages go: a websocket connection with a bounded queue. */
  interface Subscriber {
    /** The client's address, for logs. */
    String remote();

    /** Queues one message; false when the queue is full. */
    boolean offer(String json);

    /** Closes the connection, telling the client why. */
    void close(String reason);
  }

  /** One subscription: the request id its events answer and the parsed query. */
  private record Subscription(JsonNode id, String query, List<TxQuery.Condition> conditions) {}

  /** One event: its type, its {@code data} and its {@code events} map. */
  private record Published(JsonNode data, SortedMap<String, List<String>> events) {}

  private final Supplier<BlockStore> blocks;
  private final ObjectMapper mapper = new ObjectMapper();
  // Guarded by this; insertion order keeps delivery order stable.
  private final Map<Subscriber, Map<String, Subscription>> clients = new LinkedHashMap<>();
  private final ExecutorService publisher =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "rpc-events");
            thread.setDaemon(true);
            return thread;
          });

  RpcEvents(Supplier<BlockStore> blocks) {
    this.blocks = blocks;
  }

  /** Subscribes {@code client} to {@code query}; events answer with {@code id}. */
  synchronized void subscribe(Subscriber client, JsonNode id, String query) {
    if (query == null || query.isBlank()) {
      throw RpcException.invalidParams("error converting json params to arguments: query missing");
    }
    List<TxQuery.Condition> conditions;
    try {
      conditions = TxQuery.parse(query);
    } catch (IllegalArgumentException e) {
      throw RpcException.internal("failed to parse query: " + e.getMessage());
    }
    Map<String, Subscription> subscriptions = clients.get(client);
    if (subscriptions == null) {
      if (clients.size() >= MAX_CLIENTS) {
        throw RpcException.internal("max_subscription_clients " + MAX_CLIENTS + " reached");
      }
    } else if (subscriptions.containsKey(query)) {
      throw RpcException.internal("failed to subscribe: already subscribed");
    } else if (subscriptions.size() >= MAX_SUBSCRIPTIONS_PER_CLIENT) {
      throw RpcException.internal(
          "max_subscriptions_per_client " + MAX_SUBSCRIPTIONS_PER_CLIENT + " reached");
    }
    clients
        .computeIfAbsent(client, c -> new LinkedHashMap<>())
        .put(query, new Subscription(id, query, conditions));
    LOG.info("rpc subscribed remote={} query={}", client.remote(), query);
  }

  /** Ends {@code client}'s subscription to {@code query}. */
  synchronized void unsubscribe(Subscriber client, String query) {
    Map<String, Subscription> subscriptions = clients.get(client);
    if (query == null || subscriptions == null || subscriptions.remove(query) == null) {
      throw RpcException.internal("subscription not found");
    }
    if (subscriptions.isEmpty()) {
      clients.remove(client);
    }
    LOG.info("rpc unsubscribed remote={} query={}", client.remote(), query);
  }

  /** Ends every subscription of {@code client}. */
  synchronized void unsubscribeAll(Subscriber client) {
    if (clients.remove(client) == null) {
      throw RpcException.internal("subscription not found");
    }
    LOG.info("rpc unsubscribed remote={} query=all", client.remote());
  }

  /** Forgets a client whose connection closed. */
  synchronized void remove(Subscriber client) {
    clients.remove(client);
  }

  /** Number of clients with at least one subscription. */
  synchronized int clientCount() {
    return clients.size();
  }

  /**
   * Announces that the block at {@code height} is committed and its results stored; its events go
   * out on the events thread.
   */
  void publishCommitted(long height) {
    try {
      publisher.execute(() -> deliver(height));
    } catch (RejectedExecutionException e) {
      // Closed: the server is stopping.
    }
  }

  private void deliver(long height) {
    synchronized (this) {
      if (clients.isEmpty()) {
        // Nobody listens: do not read the block or build its events.
        return;
      }
    }
    BlockStore store = blocks.get();
    Optional<Block> block = store.block(height);
    Optional<BlockResults> results = store.results(height);
    if (block.isEmpty() || results.isEmpty()) {
      LOG.warn(
          "rpc events skipped height={} reason=block or results not stored block={} results={}",
          height,
          block.isPresent(),
          results.isPresent());
      return;
    }
    List<Published> events = new ArrayList<>();
    try {
      events.add(newBlock(store, block.get(), results.get()));
      events.add(newBlockHeader(block.get()));
      events.add(newBlockEvents(block.get(), results.get()));
      for (int i = 0; i < block.get().getTxsCount(); i++) {
        TxResult result =
            i < results.get().getTxResultsCount()
                ? results.get().getTxResults(i)
                : TxResult.getDefaultInstance();
        events.add(tx(height, i, block.get().getTxs(i).toByteArray(), result));
      }
    } catch (RuntimeException e) {
      LOG.warn("rpc events failed height={} error={}", height, e.toString());
      return;
    }
    List<Map.Entry<Subscriber, List<Subscription>>> targets = new ArrayList<>();
    synchronized (this) {
      for (Map.Entry<Subscriber, Map<String, Subscription>> client : clients.entrySet()) {
        targets.add(Map.entry(client.getKey(), List.copyOf(client.getValue().values())));
      }
    }
    for (Map.Entry<Subscriber, List<Subscription>> target : targets) {
      send(target.getKey(), target.getValue(), events);
    }
  }

  private void send(Subscriber client, List<Subscription> subscriptions, List<Published> events) {
    for (Published event : events) {
      for (Subscription subscription : subscriptions) {
        if (!matches(subscription.conditions(), event.events())) {
          continue;
        }
        if (!client.offer(message(subscription, event))) {
          // As CometBFT: a subscriber that cannot keep up is cancelled, not waited for.
          LOG.warn(
              "rpc subscriber dropped remote={} reason=slow client, send queue full",
              client.remote());
          remove(client);
          client.close("client is not pulling messages fast enough");
          return;
        }
      }
    }
  }

  private String message(Subscription subscription, Published event) {
    ObjectNode response = mapper.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", subscription.id());
    ObjectNode result = response.putObject("result");
    result.put("query", subscription.query());
    result.set("data", event.data());
    ObjectNode map = result.putObject("events");
    for (Map.Entry<String, List<String>> entry : event.events().entrySet()) {
      ArrayNode values = map.putArray(entry.getKey());
      entry.getValue().forEach(values::add);
    }
    try {
      return mapper.writeValueAsString(response);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  // ---- events, as CometBFT's types/events.go and state/execution.go fireEvents

  private static Published newBlock(BlockStore store, Block block, BlockResults results) {
    ObjectNode value = CometJson.object();
    value.set("block", CometJson.block(block));
    value.set(
        "block_id", CometJson.blockId(RpcMethods.blockId(store, block.getHeader().getHeight())));
    ObjectNode finalize = value.putObject("result_finalize_block");
    finalize.set("events", CometJson.events(results.getFinalizeBlockEventsList()));
    ArrayNode txResults = finalize.putArray("tx_results");
    for (TxResult tx : results.getTxResultsList()) {
      txResults.add(CometJson.txResult(tx));
    }
    ArrayNode updates = finalize.putArray("validator_updates");
    for (ValidatorUpdate update : results.getValidatorUpdatesList()) {
      updates.add(CometJson.validatorUpdate(update));
    }
    finalize.set("app_hash", CometJson.base64(results.getAppHash().toByteArray()));
    SortedMap<String, List<String>> events = attributes(results.getFinalizeBlockEventsList());
    events.put(EVENT_TYPE_KEY, List.of(NEW_BLOCK));
    return new Published(data(NEW_BLOCK, value), events);
  }

  private static Published newBlockHeader(Block block) {
    ObjectNode value = CometJson.object();
    value.set("header", CometJson.header(block.getHeader()));
    SortedMap<String, List<String>> events = new TreeMap<>();
    events.put(EVENT_TYPE_KEY, List.of(NEW_BLOCK_HEADER));
    return new Published(data(NEW_BLOCK_HEADER, value), events);
  }

  private static Published newBlockEvents(Block block, BlockResults results) {
    ObjectNode value = CometJson.object();
    value.put("height", CometJson.int64(block.getHeader().getHeight()));
    value.set("events", CometJson.events(results.getFinalizeBlockEventsList()));
    value.put("num_txs", CometJson.int64(block.getTxsCount()));
    SortedMap<String, List<String>> events = attributes(results.getFinalizeBlockEventsList());
    events.put(EVENT_TYPE_KEY, List.of(NEW_BLOCK_EVENTS));
    return new Published(data(NEW_BLOCK_EVENTS, value), events);
  }

  private static Published tx(long height, int index, byte[] tx, TxResult result) {
    ObjectNode txResult = CometJson.object();
    txResult.put("height", CometJson.int64(height));
    txResult.put("index", Integer.toUnsignedLong(index));
    txResult.set("tx", CometJson.base64(tx));
    txResult.set("result", CometJson.txResult(result));
    ObjectNode value = CometJson.object();
    value.set("TxResult", txResult);
    SortedMap<String, List<String>> events = attributes(result.getEventsList());
    events.put(EVENT_TYPE_KEY, List.of(TX));
    events.put(TxQuery.HASH, List.of(CometJson.hex(Sha256.hash(tx))));
    events.put(TxQuery.HEIGHT, List.of(CometJson.int64(height)));
    return new Published(data(TX, value), events);
  }

  private static ObjectNode data(String type, ObjectNode value) {
    ObjectNode data = CometJson.object();
    data.put("type", "tendermint/event/" + type);
    data.set("value", value);
    return data;
  }

  /** {@code type.key -> values}, every attribute of every event, in order. */
  private static SortedMap<String, List<String>> attributes(List<Event> events) {
    SortedMap<String, List<String>> map = new TreeMap<>();
    for (Event event : events) {
      if (event.getType().isEmpty()) {
        continue;
      }
      for (EventAttribute attribute : event.getAttributesList()) {
        if (attribute.getKey().isEmpty()) {
          continue;
        }
        map.computeIfAbsent(event.getType() + "." + attribute.getKey(), k -> new ArrayList<>())
            .add(attribute.getValue());
      }
    }
    return map;
  }

  /** Whether every condition holds for some value of its key, as CometBFT's pubsub query. */
  static boolean matches(List<TxQuery.Condition> conditions, Map<String, List<String>> events) {
    for (TxQuery.Condition condition : conditions) {
      List<String> values = events.get(condition.key());
      if (values == null || values.stream().noneMatch(v -> holds(condition, v))) {
        return false;
      }
    }
    return true;
  }

  private static boolean holds(TxQuery.Condition condition, String value) {
    if (condition.op().equals("=")) {
      return condition.key().equals(TxQuery.HASH)
          ? condition.value().equalsIgnoreCase(value)
          : condition.value().equals(value);
    }
    long actual;
    long wanted;
    try {
      actual = Long.parseLong(value);
      wanted = Long.parseLong(condition.value());
    } catch (NumberFormatException e) {
      return false;
    }
    return switch (condition.op()) {
      case "<" -> actual < wanted;
      case "<=" -> actual <= wanted;
      case ">" -> actual > wanted;
      case ">=" -> actual >= wanted;
      default -> false;
    };
  }

  @Override
  public void close() {
    publisher.shutdownNow();
    List<Subscriber> open;
    synchronized (this) {
      open = new ArrayList<>(clients.keySet());
      clients.clear();
    }
    for (Subscriber client : open) {
      client.close("server is shutting down");
    }
  }
}
