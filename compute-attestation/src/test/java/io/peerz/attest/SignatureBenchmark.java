package io.peerz.attest;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.MalformedTxException;
import io.peerz.ledger.SignedTx;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bound every node pays for every transaction: Ed25519 verification (Bouncy Castle) of a signed
 * bank send, per thread, beside signing and the decode that precedes verification. Run through
 * {@link SignatureBenchmarkMain} (-t 1 for one core), never from mvn test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class SignatureBenchmark {
  private Ed25519KeyPair key;
  private byte[] raw;
  private byte[] publicKey;
  private byte[] body;
  private byte[] signature;

  /** One signed bank send, as peerz bench sends them. */
  @Setup
  public void setUp() throws MalformedTxException {
    key = Ed25519KeyPair.fromSeed(new byte[32]);
    TxBody b =
        TxBody.newBuilder()
            .setChainId("peerz-bench")
            .setSignerPubKey(ByteString.copyFrom(key.publicKey()))
            .setNonce(7)
            .setFee(1)
            .setSend(MsgSend.newBuilder().setTo(ByteString.copyFrom(new byte[20])).setAmount(1))
            .build();
    Tx tx = Transactions.sign(b, key);
    raw = tx.toByteArray();
    publicKey = key.publicKey();
    body = tx.getBody().toByteArray();
    signature = tx.getSignature().toByteArray();
    if (!Ed25519.verify(publicKey, body, signature)) {
      throw new IllegalStateException("the signed tx does not verify");
    }
  }

  /** Ed25519 verification of one tx signature: the per-node, per-tx cost. */
  @Benchmark
  public boolean verify() {
    return Ed25519.verify(publicKey, body, signature);
  }

  /** Decoding the raw tx (parse, canonical check, hash), which comes before every check. */
  @Benchmark
  public SignedTx decode() throws MalformedTxException {
    return Transactions.decode(raw);
  }

  /** Signing one tx body: the load generator's cost, paid once per tx before the run. */
  @Benchmark
  public byte[] sign() {
    return key.sign(body);
  }
}
