package io.peerz.abci;

import com.google.protobuf.ByteString;
import io.peerz.consensus.Application;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A key-value application for the server's tests: a tx is {@code key=value}; anything else is
 * rejected with code 1. The app hash is SHA-256 over the sorted entries. It records every call and
 * notices when two calls overlap, so tests can check what the server delivered and how.
 */
final class KvApp implements Application {

  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<Object> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger overlaps = new AtomicInteger();
  private final AtomicInteger inside = new AtomicInteger();

  /** When set, finalizeBlock waits on it (while the server holds its application lock). */
  volatile CountDownLatch finalizeGate;

  /** Counted down when finalizeBlock starts waiting on {@link #finalizeGate}. */
  final CountDownLatch finalizeWaiting = new CountDownLatch(1);

  private final TreeMap<String, String> committed = new TreeMap<>();
  private TreeMap<String, String> staged;
  private long height;
  private long stagedHeight;
  private byte[] appHash = new byte[0];

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] hash(Map<String, String> entries) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> e : entries.entrySet()) {
        sha.update(bytes(e.getKey() + "=" + e.getValue() + "\n"));
      }
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void enter(String call, Object request) {
    if (inside.incrementAndGet() > 1) {
      overlaps.incrementAndGet();
    }
    calls.add(call);
    requests.add(request);
  }

  private void leave() {
    inside.decrementAndGet();
  }

  @Override
  public InfoResponse info() {
    enter("info", null);
    try {
      return new InfoResponse("kv", "1.0.0", 1, height, height == 0 ? null : appHash);
    } finally {
      leave();
    }
  }

  @Override
  public InitChainResponse initChain(InitChainRequest request) {
    enter("initChain", request);
    try {
      height = request.initialHeight() - 1;
      appHash = hash(committed);
      return new InitChainResponse(request.validators(), appHash);
    } finally {
      leave();
    }
  }

  @Override
  public TxResult checkTx(byte[] tx, CheckTxKind kind) {
    enter("checkTx:" + kind, tx);
    try {
      String s = new String(tx, StandardCharsets.UTF_8);
      return s.contains("=")
          ? TxResult.newBuilder().setGasWanted(1).setLog(s).build()
          : TxResult.newBuilder().setCode(1).setCodespace("kv").setLog("not key=value").build();
    } finally {
      leave();
    }
  }

  @Override
  public List<byte[]> prepareProposal(PrepareProposalRequest request) {
    enter("prepareProposal", request);
    try {
      List<byte[]> out = new ArrayList<>();
      long size = 0;
      for (byte[] tx : request.txs()) {
        if (new String(tx, StandardCharsets.UTF_8).contains("=")
            && size + tx.length <= request.maxTxBytes()) {
          out.add(tx);
          size += tx.length;
        }
      }
      return out;
    } finally {
      leave();
    }
  }

  @Override
  public boolean processProposal(ProcessProposalRequest request) {
    enter("processProposal", request);
    try {
      return request.txs().stream()
          .allMatch(tx -> new String(tx, StandardCharsets.UTF_8).contains("="));
    } finally {
      leave();
    }
  }

  @Override
  public FinalizeBlockResponse finalizeBlock(FinalizeBlockRequest request) {
    enter("finalizeBlock", request);
    try {
      CountDownLatch gate = finalizeGate;
      if (gate != null) {
        finalizeWaiting.countDown();
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("finalize gate never opened");
        }
      }
      staged = new TreeMap<>(committed);
      List<TxResult> results = new ArrayList<>();
      for (byte[] tx : request.txs()) {
        String[] kv = new String(tx, StandardCharsets.UTF_8).split("=", 2);
        if (kv.length != 2) {
          results.add(TxResult.newBuilder().setCode(1).setCodespace("kv").build());
          continue;
        }
        staged.put(kv[0], kv[1]);
        results.add(
            TxResult.newBuilder()
                .setGasUsed(1)
                .addEvents(
                    Event.newBuilder()
                        .setType("kv")
                        .addAttributes(
                            EventAttribute.newBuilder()
                                .setKey("key")
                                .setValue(kv[0])
                                .setIndex(true)))
                .build());
      }
      stagedHeight = request.height();
      List<ValidatorUpdate> updates = new ArrayList<>();
      if (staged.containsKey("power")) {
        updates.add(
            ValidatorUpdate.newBuilder()
                .setPubKey(ByteString.copyFrom(new byte[32]))
                .setPower(Long.parseLong(staged.get("power")))
                .build());
      }
      return new FinalizeBlockResponse(
          List.of(Event.newBuilder().setType("block").build()), results, updates, hash(staged));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      leave();
    }
  }

  @Override
  public void commit() {
    enter("commit", null);
    try {
      synchronized (this) {
        committed.clear();
        committed.putAll(staged);
        height = stagedHeight;
        appHash = hash(committed);
      }
    } finally {
      leave();
    }
  }

  @Override
  public QueryResponse query(QueryRequest request) {
    // Not counted for overlaps: the contract lets query run beside everything else.
    calls.add("query");
    String key = new String(request.data(), StandardCharsets.UTF_8);
    String value;
    long h;
    synchronized (this) {
      value = committed.get(key);
      h = height;
    }
    if (value == null) {
      return new QueryResponse(2, "kv", "no such key", request.data(), null, h, null);
    }
    return new QueryResponse(
        0, "", "", request.data(), bytes(value), h, request.prove() ? bytes("proof:" + key) : null);
  }
}
