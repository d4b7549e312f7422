package io.peerz.ledger;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.TxResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The tx index's CPU per tx, alone: commits blocks of bank-send-like txs (the eight indexed
 * attributes a MsgSend's result carries, 2,000 accounts) into a fresh ledger and reads the CPU of
 * the tx-indexer thread and RocksDB's background threads from /proc (docs/BENCHMARKS.md, "The tx
 * index's cost"). Linux only.
 *
 * <pre>
 * java -cp ... io.peerz.ledger.TxIndexBenchmarkMain [blocks] [txs-per-block] [warm-up blocks]
 * </pre>
 */
public final class TxIndexBenchmarkMain {
  private TxIndexBenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 150;
    int perBlock = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Path dir = Files.createTempDirectory("tx-index-bench");
    Random rnd = new Random(19);
    String[] accounts = new String[2_000];
    for (int i = 0; i < accounts.length; i++) {
      byte[] a = new byte[20];
      rnd.nextBytes(a);
      accounts[i] = "0x" + Hex.encode(a);
    }
    long[] nonces = new long[accounts.length];
    try (LedgerDb db = LedgerDb.open(dir)) {
      Map<String, long[]> before = null;
      long allocatedBefore = 0;
      long started = 0;
      for (int h = 1; h <= warmup + blocks; h++) {
        if (h == warmup + 1) {
          db.blocks().tx(new byte[32]); // waits for the warm-up's index
          before = threadTicks();
          allocatedBefore = indexerAllocatedBytes();
          started = System.nanoTime();
        }
        List<byte[]> txs = new ArrayList<>(perBlock);
        BlockResults.Builder results = BlockResults.newBuilder();
        for (int i = 0; i < perBlock; i++) {
          byte[] tx = new byte[250];
          rnd.nextBytes(tx);
          txs.add(tx);
          int from = rnd.nextInt(accounts.length);
          int to = rnd.nextInt(accounts.length);
          results.addTxResults(
              TxResult.newBuilder()
                  .addEvents(
                      event(
                          "tx",
                          "fee",
                          "1000",
                          "fee_payer",
                          accounts[from],
                          "nonce",
                          Long.toString(nonces[from]++)))
                  .addEvents(event("message", "action", "send", "sender", accounts[from]))
                  .addEvents(
                      event(
                          "transfer",
                          "sender",
                          accounts[from],
                          "recipient",
                          accounts[to],
                          "amount",
                          Integer.toString(1 + rnd.nextInt(100)))));
        }
        db.commit(db.state().stage(h, new ChangeSet(db.state())), results.build(), txs);
      }
      db.blocks().tx(new byte[32]); // waits for the last block's index
      long elapsed = System.nanoTime() - started;
      Map<String, long[]> after = threadTicks();
      long allocated = indexerAllocatedBytes() - allocatedBefore;
      long txs = (long) blocks * perBlock;
      long tickNanos = 1_000_000_000L / 100; // USER_HZ
      System.out.printf(
          "tx index: %d blocks of %d txs after %d warm-up blocks, %.1f s%n",
          blocks, perBlock, warmup, elapsed / 1e9);
      System.out.printf("tx-indexer heap allocation %.0f bytes/tx%n", (double) allocated / txs);
      for (Map.Entry<String, long[]> e : after.entrySet()) {
        long[] was = before.getOrDefault(e.getKey(), new long[2]);
        long ticks = e.getValue()[0] - was[0];
        long faults = e.getValue()[1] - was[1];
        if (ticks > 0
            && (e.getKey().startsWith("tx-indexer") || e.getKey().startsWith("rocksdb"))) {
          System.out.printf(
              "%-16s %6.2f us/tx %6.3f page faults/tx%n",
              e.getKey(), ticks * tickNanos / 1e3 / txs, (double) faults / txs);
        }
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The Java heap bytes the tx-indexer thread has allocated (deterministic, unlike its CPU). */
  private static long indexerAllocatedBytes() {
    var mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("tx-indexer")) {
        return mx.getThreadAllocatedBytes(t.getId());
      }
    }
    throw new IllegalStateException("no tx-indexer thread");
  }

  private static Event event(String type, String... keyValues) {
    Event.Builder e = Event.newBuilder().setTypeBytes(ByteString.copyFromUtf8(type));
    for (int i = 0; i < keyValues.length; i += 2) {
      e.addAttributes(
          EventAttribute.newBuilder()
              .setKeyBytes(ByteString.copyFromUtf8(keyValues[i]))
              .setValueBytes(ByteString.copyFromUtf8(keyValues[i + 1]))
              .setIndex(true));
    }
    return e.build();
  }

  /**
   * utime + stime in clock ticks and minor page faults by thread name (threads of one name summed):
   * the faults are the fresh pages a thread touched, which the machine's load does not inflate.
   */
  private static Map<String, long[]> threadTicks() throws IOException {
    Map<String, long[]> out = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).trim();
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long[] sum = out.computeIfAbsent(name, n -> new long[2]);
          sum[0] += Long.parseLong(f[11]) + Long.parseLong(f[12]);
          sum[1] += Long.parseLong(f[7]);
        } catch (IOException gone) {
          // the thread ended between the listing and the read
        }
      }
    }
    return out;
  }
}
