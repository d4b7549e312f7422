package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.Tx;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TxSignaturesTest {
  private final Ed25519KeyPair key = Ed25519KeyPair.generate(new SecureRandom());
  private final TxSignatures signatures = new TxSignatures();

  private byte[] signed(long nonce) {
    return Transactions.sign(TransactionsTest.body(key, nonce), key).toByteArray();
  }

  @Test
  void aValidSignatureIsVerifiedOnceAndThenRemembered() throws Exception {
    SignedTx tx = Transactions.decode(signed(1));
    long before = signatures.verifications();
    assertThat(signatures.valid(tx)).isTrue();
    assertThat(signatures.valid(tx)).isTrue();
    assertThat(signatures.valid(Transactions.decode(signed(1)))).isTrue();
    assertThat(signatures.verifications() - before).isEqualTo(1);
  }

  @Test
  void aBadSignatureIsNeverRememberedAndStaysInvalid() throws Exception {
    Tx good = Tx.parseFrom(signed(2));
    byte[] sig = good.getSignature().toByteArray();
    sig[0] ^= 1;
    byte[] bad = good.toBuilder().setSignature(ByteString.copyFrom(sig)).build().toByteArray();
    signatures.preverify(bad);
    long before = signatures.verifications();
    assertThat(signatures.valid(Transactions.decode(bad))).isFalse();
    assertThat(signatures.valid(Transactions.decode(bad))).isFalse();
    assertThat(signatures.verifications() - before).as("verified again each time").isEqualTo(2);
    assertThat(signatures.valid(Transactions.decode(signed(2)))).isTrue();
  }

  @Test
  void preverifyAllVerifiesABatchSoLaterChecksVerifyNothing() throws Exception {
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(signed(100 + i));
    }
    batch.add(new byte[] {1, 2, 3}); // not a tx: left for CheckTx to reject
    long before = signatures.verifications();
    signatures.preverifyAll(batch);
    assertThat(signatures.verifications() - before).isEqualTo(200);
    for (byte[] raw : batch.subList(0, 200)) {
      assertThat(signatures.valid(Transactions.decode(raw))).isTrue();
    }
    assertThat(signatures.verifications() - before).isEqualTo(200);
  }

  @Test
  void preverifyAllRemembersExactlyTheValidTxsAndCountsEverySignatureItChecks() throws Exception {
    Random rnd = new Random(12);
    Ed25519KeyPair other = Ed25519KeyPair.fromSeed(new byte[32]);
    List<byte[]> valid = new ArrayList<>();
    List<byte[]> invalid = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      Ed25519KeyPair signer = i % 3 == 0 ? other : key;
      byte[] raw = Transactions.sign(TransactionsTest.body(signer, 1000 + i), signer).toByteArray();
      if (i % 9 == 4) {
        Tx tx = Tx.parseFrom(raw);
        byte[] sig = tx.getSignature().toByteArray();
        sig[rnd.nextInt(sig.length)] ^= (byte) (1 << rnd.nextInt(8));
        invalid.add(tx.toBuilder().setSignature(ByteString.copyFrom(sig)).build().toByteArray());
      } else {
        valid.add(raw);
      }
    }
    byte[] known = signed(999);
    signatures.preverify(known);
    List<byte[]> all = new ArrayList<>(valid);
    all.addAll(invalid);
    all.add(known);
    all.add(new byte[] {9, 9, 9}); // not a tx: left for CheckTx to reject
    Collections.shuffle(all, rnd);

    long before = signatures.verifications();
    signatures.preverifyAll(all);
    assertThat(signatures.verifications() - before)
        .as("every decodable tx not already remembered is checked once")
        .isEqualTo(valid.size() + invalid.size());

    long afterBatch = signatures.verifications();
    for (byte[] raw : valid) {
      assertThat(signatures.valid(Transactions.decode(raw))).isTrue();
    }
    assertThat(signatures.valid(Transactions.decode(known))).isTrue();
    assertThat(signatures.verifications()).as("valid txs remembered").isEqualTo(afterBatch);
    for (byte[] raw : invalid) {
      assertThat(signatures.valid(Transactions.decode(raw))).isFalse();
    }
    assertThat(signatures.verifications() - afterBatch)
        .as("invalid txs not remembered: verified again")
        .isEqualTo(invalid.size());
  }

  @Test
  void preverifyAllOfAFewTxsRemembersTheValidOnes() throws Exception {
    Tx good = Tx.parseFrom(signed(5));
    byte[] sig = good.getSignature().toByteArray();
    sig[40] ^= 4;
    byte[] bad = good.toBuilder().setSignature(ByteString.copyFrom(sig)).build().toByteArray();
    List<byte[]> few = List.of(signed(6), bad, signed(7), new byte[0], signed(8));
    long before = signatures.verifications();
    signatures.preverifyAll(few);
    assertThat(signatures.verifications() - before).isEqualTo(4);
    for (long nonce : new long[] {6, 7, 8}) {
      assertThat(signatures.valid(Transactions.decode(signed(nonce)))).isTrue();
    }
    assertThat(signatures.verifications() - before).isEqualTo(4);
    assertThat(signatures.valid(Transactions.decode(bad))).isFalse();
  }

  @Test
  void concurrentCallersEachFindTheirValidTxsRememberedWhenTheyReturn() throws Exception {
    // Small lists from many threads are verified together: each caller must still get exactly
    // its own verdicts, whichever lists shared its batch.
    int threads = 12;
    List<List<byte[]>> validOf = new ArrayList<>();
    List<List<byte[]>> invalidOf = new ArrayList<>();
    List<List<byte[]>> callOf = new ArrayList<>();
    Random rnd = new Random(77);
    for (int t = 0; t < threads; t++) {
      List<byte[]> valid = new ArrayList<>();
      List<byte[]> invalid = new ArrayList<>();
      int n = 1 + rnd.nextInt(60);
      for (int i = 0; i < n; i++) {
        byte[] raw = signed(10_000 + t * 100 + i);
        if (rnd.nextInt(8) == 0) {
          Tx tx = Tx.parseFrom(raw);
          byte[] sig = tx.getSignature().toByteArray();
          sig[rnd.nextInt(32)] ^= 1;
          invalid.add(tx.toBuilder().setSignature(ByteString.copyFrom(sig)).build().toByteArray());
        } else {
          valid.add(raw);
        }
      }
      List<byte[]> call = new ArrayList<>(valid);
      call.addAll(invalid);
      Collections.shuffle(call, rnd);
      validOf.add(valid);
      invalidOf.add(invalid);
      callOf.add(call);
    }
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<String>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int me = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  signatures.preverifyAll(callOf.get(me));
                  for (byte[] raw : validOf.get(me)) {
                    if (!signatures.remembered(Transactions.decode(raw))) {
                      return "caller " + me + ": a valid tx not remembered on return";
                    }
                  }
                  for (byte[] raw : invalidOf.get(me)) {
                    if (signatures.remembered(Transactions.decode(raw))) {
                      return "caller " + me + ": an invalid tx remembered";
                    }
                  }
                  return "ok";
                }));
      }
      for (java.util.concurrent.Future<String> r : results) {
        assertThat(r.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("ok");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void clearForgetsEverything() throws Exception {
    SignedTx tx = Transactions.decode(signed(3));
    assertThat(signatures.valid(tx)).isTrue();
    signatures.clear();
    long before = signatures.verifications();
    assertThat(signatures.valid(tx)).isTrue();
    assertThat(signatures.verifications() - before).isEqualTo(1);
  }

  @Test
  void eachInstanceHasItsOwnMemory() throws Exception {
    SignedTx tx = Transactions.decode(signed(9));
    assertThat(signatures.valid(tx)).isTrue();
    TxSignatures other = new TxSignatures();
    assertThat(other.remembered(tx)).as("another node's memory").isFalse();
    assertThat(other.valid(tx)).isTrue();
    assertThat(other.verifications()).isEqualTo(1);
    other.close();
  }
}
