package io.peerz.attest;

import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Ed25519Batch;
import io.peerz.ledger.Ed25519KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * Ed25519 verification of a batch of tx-sized signatures, one by one through Bouncy Castle ({@code
 * single}) against {@link Ed25519Batch} ({@code batch}), on one thread. A score is batches per
 * second: times {@code size} it is signatures per second. With {@code signers = distinct} every
 * signature has its own key and the pool (8192) is twice the batch verifier's key cache, cycled in
 * order, so every key misses the cache; with {@code signers = 16} sixteen accounts sign everything.
 * Run through {@code org.openjdk.jmh.Main Ed25519BatchBenchmark -t 1}, never from mvn test.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class Ed25519BatchBenchmark {
  private static final int POOL = 8192;
  private static final int MESSAGE_LENGTH = 149; // the body of a signed bank send

  @Param({"1", "8", "64", "256"})
  public int size;

  @Param({"distinct", "16"})
  public String signers;

  private final List<byte[]> keys = new ArrayList<>();
  private final List<byte[]> messages = new ArrayList<>();
  private final List<byte[]> signatures = new ArrayList<>();
  private int next;
  private final Ed25519Batch verifier = new Ed25519Batch();

  /** A pool of valid signatures, each batch a window of it. */
  @Setup
  public void setUp() {
    Random rnd = new Random(42);
    int keyCount = "distinct".equals(signers) ? POOL : Integer.parseInt(signers);
    List<Ed25519KeyPair> pairs = new ArrayList<>();
    for (int i = 0; i < keyCount; i++) {
      byte[] seed = new byte[32];
      rnd.nextBytes(seed);
      pairs.add(Ed25519KeyPair.fromSeed(seed));
    }
    for (int i = 0; i < POOL; i++) {
      Ed25519KeyPair key = pairs.get(i % keyCount);
      byte[] message = new byte[MESSAGE_LENGTH];
      rnd.nextBytes(message);
      keys.add(key.publicKey());
      messages.add(message);
      signatures.add(key.sign(message));
    }
    if (!Ed25519.verify(keys.get(0), messages.get(0), signatures.get(0))) {
      throw new IllegalStateException("the pool does not verify");
    }
  }

  /** Bouncy Castle's verification of each signature of the batch, one by one. */
  @Benchmark
  public int single() {
    int from = window();
    int valid = 0;
    for (int i = from; i < from + size; i++) {
      if (Ed25519.verify(keys.get(i), messages.get(i), signatures.get(i))) {
        valid++;
      }
    }
    return check(valid);
  }

  /** {@link Ed25519Batch} on the batch. */
  @Benchmark
  public int batch() {
    int from = window();
    boolean[] ok =
        verifier.verify(
            keys.subList(from, from + size),
            messages.subList(from, from + size),
            signatures.subList(from, from + size));
    int valid = 0;
    for (boolean b : ok) {
      if (b) {
        valid++;
      }
    }
    return check(valid);
  }

  private int window() {
    int from = next;
    next = (next + size) % POOL;
    return from;
  }

  private int check(int valid) {
    if (valid != size) {
      throw new IllegalStateException(valid + " of " + size + " valid");
    }
    return valid;
  }
}
