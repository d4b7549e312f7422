package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.TxResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MempoolTest {

  @TempDir Path dir;
  private LedgerDb db;
  private CounterApp app;
  private final TxSignatures signatures = new TxSignatures();

  @BeforeEach
  void open() {
    db = LedgerDb.open(dir.resolve("db"));
    app = new CounterApp(db);
    app.initChain(new Application.InitChainRequest(0, "c", List.of(), new byte[0], 1));
  }

  @AfterEach
  void close() {
    db.close();
  }

  private Mempool mempool(int maxTxs, long maxBytes, int maxTxBytes) {
    return new Mempool(
        app,
        (pending, tx) -> TxResult.getDefaultInstance(),
        signatures,
        maxTxs,
        maxBytes,
        maxTxBytes);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void acceptedTxsAreReapedInArrivalOrder() {
    Mempool m = mempool(10, 1000, 100);
    for (int k = 0; k < 3; k++) {
      assertThat(m.add(CounterApp.tx(k)).getCode()).isZero();
    }
    assertThat(m.reap(1000).stream().map(MempoolTest::text)).containsExactly("n=0", "n=1", "n=2");
    assertThat(m.reap(6).stream().map(MempoolTest::text)).containsExactly("n=0", "n=1");
    assertThat(m.size()).isEqualTo(3);
    assertThat(m.totalBytes()).isEqualTo(9);
  }

  @Test
  void aTxTheApplicationRejectsIsNotAdded() {
    Mempool m = mempool(10, 1000, 100);
    TxResult r = m.add(CounterApp.tx(5));
    assertThat(r.getCode()).isEqualTo(7);
    assertThat(r.getCodespace()).isEqualTo("counter");
    assertThat(m.size()).isZero();
  }

  @Test
  void aDuplicateIsRejectedWithoutReachingTheApplication() {
    Mempool m = mempool(10, 1000, 100);
    m.add(CounterApp.tx(0));
    int checks = app.checks;
    TxResult r = m.add(CounterApp.tx(0));
    assertThat(r.getCode()).isEqualTo(Mempool.CODE_DUPLICATE);
    assertThat(r.getCodespace()).isEqualTo(Mempool.CODESPACE);
    assertThat(app.checks).isEqualTo(checks);
    assertThat(m.size()).isEqualTo(1);
  }

  @Test
  void limitsOnCountBytesAndTxSizeRejectWithTheirOwnCodes() {
    Mempool m = mempool(2, 1000, 100);
    m.add(CounterApp.tx(0));
    m.add(CounterApp.tx(1));
    assertThat(m.add(CounterApp.tx(2)).getCode()).isEqualTo(Mempool.CODE_FULL_COUNT);

    // The application's check state has accepted n=0 and n=1 already; continue from n=2.
    Mempool bytes = mempool(10, 7, 100);
    assertThat(bytes.add(CounterApp.tx(2)).getCode()).isZero();
    assertThat(bytes.add(CounterApp.tx(3)).getCode()).isZero();
    assertThat(bytes.add(CounterApp.tx(4)).getCode()).isEqualTo(Mempool.CODE_FULL_BYTES);

    Mempool size = mempool(10, 1000, 3);
    assertThat(size.add(CounterApp.tx(10)).getCode()).isEqualTo(Mempool.CODE_TX_TOO_LARGE);
    assertThat(size.add(new byte[0]).getCode()).isEqualTo(Mempool.CODE_EMPTY_TX);
  }

  @Test
  void aFullMempoolRefusesATxBeforeCheckingItsSignature() {
    Mempool full = mempool(1, 1000, 1000);
    assertThat(full.add(CounterApp.tx(0)).getCode()).isZero();
    signatures.clear();
    byte[] signed = TestChains.send(424_242, TestChains.key(8), 5);
    long before = signatures.verifications();
    assertThat(full.add(signed).getCode()).isEqualTo(Mempool.CODE_FULL_COUNT);
    assertThat(signatures.verifications()).isEqualTo(before);
    // With room, the same tx's signature is checked (the counter app then refuses the tx).
    mempool(10, 100_000, 100_000).add(signed);
    assertThat(signatures.verifications()).isEqualTo(before + 1);
  }

  /**
   * An application that accepts every new tx and answers a recheck with {@code recheckCode}: the
   * mempool's bookkeeping of held decodings, apart from what the state machine decides.
   */
  private static Application accepting(int[] recheckCode) {
    return (Application)
        java.lang.reflect.Proxy.newProxyInstance(
            Application.class.getClassLoader(),
            new Class<?>[] {Application.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("checkTx")) {
                throw new UnsupportedOperationException(method.getName());
              }
              return args[1] == Application.CheckTxKind.RECHECK && recheckCode[0] != 0
                  ? TxResult.newBuilder().setCode(recheckCode[0]).build()
                  : TxResult.getDefaultInstance();
            });
  }

  @Test
  void aTxWaitingInTheMempoolKeepsItsDecodingUntilItIsCommittedOrDropped() throws Exception {
    int[] recheckCode = {0};
    Mempool m =
        new Mempool(
            accepting(recheckCode),
            (pending, tx) -> TxResult.getDefaultInstance(),
            signatures,
            10,
            100_000,
            100_000);
    byte[] a = TestChains.send(1, TestChains.key(8), 5);
    byte[] b = TestChains.send(2, TestChains.key(8), 5);
    byte[] c = TestChains.send(3, TestChains.key(8), 5);
    for (byte[] tx : List.of(a, b, c)) {
      assertThat(m.add(tx).getCode()).isZero();
    }
    assertThat(m.add(new byte[] {9}).getCode()).as("not a tx, accepted by this app").isZero();
    assertThat(signatures.held()).as("the three that decode").isEqualTo(3);
    // The block takes a; b and c pass the recheck and stay held.
    m.update(5, List.of(a), List.of(TxResult.getDefaultInstance()));
    assertThat(signatures.held()).isEqualTo(2);
    assertThat(signatures.decode(b)).isEqualTo(Transactions.decode(b));
    // The next block takes nothing and the recheck drops b and c (and the bytes that are no tx).
    recheckCode[0] = 3;
    m.update(6, List.of(), List.of());
    assertThat(m.size()).isZero();
    assertThat(signatures.held()).isZero();
  }

  @Test
  void afterACommitIncludedTxsLeaveAndTheRestAreRechecked() {
    Mempool m = mempool(10, 1000, 100);
    m.add(CounterApp.tx(0));
    m.add(CounterApp.tx(1));
    m.add(CounterApp.tx(2));
    // A block from elsewhere includes n=0 and n=1; n=2 stays valid. A second block takes n=2 and
    // leaves nothing.
    Application.FinalizeBlockResponse r =
        app.finalizeBlock(
            new Application.FinalizeBlockRequest(
                List.of(CounterApp.tx(0), CounterApp.tx(1)), new byte[32], 1, 1, new byte[20]));
    app.commit();
    m.update(1, List.of(CounterApp.tx(0), CounterApp.tx(1)), r.txResults());
    assertThat(m.reap(1000).stream().map(MempoolTest::text)).containsExactly("n=2");
    assertThat(m.totalBytes()).isEqualTo(3);
  }

  @Test
  void theApplicationCommitsUnderTheMempoolLockSoNoCheckSeesAHalfUpdatedState() {
    Mempool m = mempool(10, 1000, 100);
    m.add(CounterApp.tx(0));
    m.add(CounterApp.tx(1));
    m.add(CounterApp.tx(2));
    Application.FinalizeBlockResponse r =
        app.finalizeBlock(
            new Application.FinalizeBlockRequest(
                List.of(CounterApp.tx(0)), new byte[32], 1, 1, new byte[20]));
    boolean[] heldLock = {false};
    m.update(
        1,
        List.of(CounterApp.tx(0)),
        r.txResults(),
        () -> {
          heldLock[0] = Thread.holdsLock(m);
          app.commit();
        });
    assertThat(heldLock[0]).as("commit ran holding the mempool's lock").isTrue();
    assertThat(m.reap(1000).stream().map(MempoolTest::text)).containsExactly("n=1", "n=2");
    assertThat(m.add(CounterApp.tx(3)).getCode()).isZero();
  }

  @Test
  void recheckDropsTxsACommittedBlockMadeInvalid() {
    Mempool m = mempool(10, 1000, 100);
    m.add(CounterApp.tx(0));
    m.add(CounterApp.tx(1));
    // A block with a different tx sequence: n=0 only; then our n=0 is gone but n=1 is still next.
    app.finalizeBlock(
        new Application.FinalizeBlockRequest(
            List.of(CounterApp.tx(0)), new byte[32], 1, 1, new byte[20]));
    app.commit();
    app.finalizeBlock(
        new Application.FinalizeBlockRequest(
            List.of(CounterApp.tx(1)), new byte[32], 2, 2, new byte[20]));
    app.commit();
    // The mempool learns of block 2 only (as if it missed 1): n=0 is now stale and must go.
    m.update(2, List.of(CounterApp.tx(1)), List.of(TxResult.getDefaultInstance()));
    assertThat(m.size()).isZero();
    assertThat(m.totalBytes()).isZero();
  }

  @Test
  void awaitCommitCompletesWhenTheTxIsCommitted() throws Exception {
    Mempool m = mempool(10, 1000, 100);
    m.add(CounterApp.tx(0));
    CompletableFuture<Mempool.Committed> f =
        m.awaitCommit(Transactions.hash(CounterApp.tx(0)), Duration.ofMinutes(1));
    assertThat(f).isNotDone();
    TxResult ok = TxResult.newBuilder().setLog("ok").build();
    m.update(
        4, List.of(CounterApp.tx(9), CounterApp.tx(0)), List.of(TxResult.getDefaultInstance(), ok));
    Mempool.Committed c = f.get();
    assertThat(c.height()).isEqualTo(4);
    assertThat(c.index()).isEqualTo(1);
    assertThat(c.result().getLog()).isEqualTo("ok");
  }

  @Test
  void awaitCommitTimesOutForATxThatNeverCommits() {
    Mempool m = mempool(10, 1000, 100);
    CompletableFuture<Mempool.Committed> f =
        m.awaitCommit(Transactions.hash(CounterApp.tx(0)), Duration.ofMillis(10));
    assertThatThrownBy(f::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
  }
}
