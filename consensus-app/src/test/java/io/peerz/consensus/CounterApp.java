package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.StateStore;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.TxResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny application over the ledger's state store for tests: a tx is the text {@code n=<k>} and is
 * valid when k is the next counter value, so a tx included in a block invalidates the same tx still
 * waiting in a mempool (what a nonce does in the real application).
 */
public final class CounterApp implements Application {

  static final byte[] KEY = "counter".getBytes(StandardCharsets.UTF_8);

  private final LedgerDb db;
  private long checkNext = -1;
  private PendingBlock pending;
  int checks;

  private record PendingBlock(
      StateStore.PendingCommit staged, List<TxResult> results, List<byte[]> txs, long height) {}

  public CounterApp(LedgerDb db) {
    this.db = db;
  }

  public static byte[] tx(long k) {
    return ("n=" + k).getBytes(StandardCharsets.UTF_8);
  }

  static long value(byte[] tx) {
    String s = new String(tx, StandardCharsets.UTF_8);
    if (!s.startsWith("n=")) {
      return -1;
    }
    try {
      return Long.parseLong(s.substring(2));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public long committed() {
    byte[] v = db.state().get(KEY);
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  @Override
  public InfoResponse info() {
    return new InfoResponse("counter", "1", 1, db.state().height(), db.state().appHash());
  }

  @Override
  public InitChainResponse initChain(InitChainRequest request) {
    ChangeSet changes = new ChangeSet(db.state());
    changes.put(KEY, ByteBuffer.allocate(8).putLong(0).array());
    StateStore.PendingCommit staged = db.state().stage(request.initialHeight() - 1, changes);
    db.commit(
        staged,
        BlockResults.newBuilder()
            .setHeight(request.initialHeight() - 1)
            .addAllValidatorUpdates(request.validators())
            .setAppHash(ByteString.copyFrom(staged.appHash()))
            .build(),
        List.of());
    checkNext = -1;
    return new InitChainResponse(request.validators(), staged.appHash());
  }

  @Override
  public synchronized TxResult checkTx(byte[] tx, CheckTxKind kind) {
    checks++;
    if (checkNext < 0) {
      checkNext = committed();
    }
    long k = value(tx);
    if (k != checkNext) {
      return TxResult.newBuilder()
          .setCode(7)
          .setCodespace("counter")
          .setLog("expected n=" + checkNext)
          .build();
    }
    checkNext++;
    return TxResult.getDefaultInstance();
  }

  @Override
  public List<byte[]> prepareProposal(PrepareProposalRequest request) {
    return request.txs();
  }

  @Override
  public boolean processProposal(ProcessProposalRequest request) {
    return true;
  }

  @Override
  public FinalizeBlockResponse finalizeBlock(FinalizeBlockRequest request) {
    long count = committed();
    List<TxResult> results = new ArrayList<>();
    for (byte[] tx : request.txs()) {
      if (value(tx) == count) {
        count++;
        results.add(
            TxResult.newBuilder()
                .addEvents(
                    Event.newBuilder()
                        .setType("counter")
                        .addAttributes(
                            EventAttribute.newBuilder()
                                .setKey("value")
                                .setValue(Long.toString(count))
                                .setIndex(true)))
                .build());
      } else {
        results.add(TxResult.newBuilder().setCode(7).setCodespace("counter").build());
      }
    }
    ChangeSet changes = new ChangeSet(db.state());
    changes.put(KEY, ByteBuffer.allocate(8).putLong(count).array());
    StateStore.PendingCommit staged = db.state().stage(request.height(), changes);
    pending = new PendingBlock(staged, results, request.txs(), request.height());
    return new FinalizeBlockResponse(List.of(), results, List.of(), staged.appHash());
  }

  @Override
  public synchronized void commit() {
    PendingBlock p = pending;
    pending = null;
    db.commit(
        p.staged(),
        BlockResults.newBuilder()
            .setHeight(p.height())
            .addAllTxResults(p.results())
            .setAppHash(ByteString.copyFrom(p.staged().appHash()))
            .build(),
        p.txs());
    checkNext = -1;
  }

  @Override
  public QueryResponse query(QueryRequest request) {
    return new QueryResponse(
        0,
        "",
        "",
        KEY,
        ByteBuffer.allocate(8).putLong(committed()).array(),
        db.state().height(),
        null);
  }
}
