package io.peerz.state;

import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What ProcessProposal (and PrepareProposal) add per block since they check every tx's ante in
 * block order (docs/cometbft.md, "ProcessProposal"): a fresh check state over the committed state
 * and one check per tx, for a block of bank sends from 1,000 accounts whose signatures CheckTx
 * already verified. Over the in-memory state, so it counts decoding and ante, not RocksDB reads.
 * The same pass is the mempool's recheck after every block (each waiting tx in order on a fresh
 * check state); with {@code held} the txs' decodings are held as the node's mempool holds them. Run
 * through {@link ProposalCheckBenchmarkMain}, never from mvn test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ProposalCheckBenchmark {
  /** Txs in the block: below and above the 4,096 decoded txs Transactions remembers. */
  @Param({"2000", "6000"})
  public int txs;

  /** Whether the txs' decodings are held ({@code TxSignatures.hold}), as a node's mempool does. */
  @Param({"false", "true"})
  public boolean held;

  private TestChain chain;
  private final List<byte[]> block = new ArrayList<>();

  @Setup
  public void setUp() {
    int accounts = 1000;
    Ed25519KeyPair[] keys = new Ed25519KeyPair[accounts];
    for (int i = 0; i < accounts; i++) {
      keys[i] = TestChain.key("sender " + i);
    }
    chain = TestChain.funded("{}", 1_000_000, keys);
    for (int i = 0; i < txs; i++) {
      Ed25519KeyPair to = keys[(i + 1) % accounts];
      block.add(
          chain.tx(
              keys[i % accounts],
              b -> b.setSend(MsgSend.newBuilder().setTo(TestChain.addrBytes(to)).setAmount(1))));
    }
    // CheckTx saw them first, as in a node's mempool: their signatures are remembered.
    CheckState mempool = chain.sm.newCheckState(chain.state, TestChain.CHAIN_ID);
    for (byte[] tx : block) {
      if (mempool.check(tx).getCode() != 0) {
        throw new IllegalStateException("a benchmark tx fails CheckTx");
      }
      if (held) {
        chain.sm.signatures().hold(tx);
      }
    }
  }

  /** The whole block checked in order on a fresh check state; returns the txs that pass. */
  @Benchmark
  public int checkBlock() {
    CheckState proposal = chain.sm.newCheckState(chain.state, TestChain.CHAIN_ID);
    int passed = 0;
    for (byte[] tx : block) {
      TxResult r = proposal.check(tx);
      if (r.getCode() == 0) {
        passed++;
      }
    }
    return passed;
  }
}
