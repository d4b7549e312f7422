package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodeCacheTest {
  private static final Ed25519KeyPair KEY = Ed25519KeyPair.fromSeed(new byte[32]);

  private static byte[] signed(long nonce) {
    return Transactions.sign(TransactionsTest.body(KEY, nonce), KEY).toByteArray();
  }

  /** Decodes enough other txs to push anything not held out of both generations. */
  private static void churn(DecodeCache cache, int generation) throws Exception {
    for (int i = 0; i < 3 * generation + 2; i++) {
      cache.get(signed(10_000 + i));
    }
  }

  @Test
  void aHeldTxKeepsItsDecodingThroughAnyTrafficAndItEqualsAFreshDecode() throws Exception {
    DecodeCache cache = new DecodeCache(4);
    byte[] raw = signed(1);
    cache.hold(raw.clone());
    SignedTx first = cache.get(raw);
    churn(cache, 4);
    assertThat(cache.get(raw)).as("not decoded again").isSameAs(first);
    assertThat(first).isEqualTo(Transactions.decode(raw));
    assertThat(first.hash()).isEqualTo(Transactions.hash(raw));
    assertThat(cache.held()).isEqualTo(1);
  }

  @Test
  void aReleasedOrNeverHeldTxIsForgottenWithTheGenerationsAndDecodedAgainTheSame()
      throws Exception {
    DecodeCache cache = new DecodeCache(4);
    byte[] held = signed(2);
    byte[] loose = signed(3);
    cache.hold(held);
    SignedTx heldFirst = cache.get(held);
    SignedTx looseFirst = cache.get(loose);
    cache.release(held.clone());
    assertThat(cache.held()).isZero();
    churn(cache, 4);
    SignedTx heldAgain = cache.get(held);
    assertThat(heldAgain).isNotSameAs(heldFirst).isEqualTo(heldFirst);
    assertThat(cache.get(loose)).isNotSameAs(looseFirst).isEqualTo(looseFirst);
  }

  @Test
  void bytesThatDoNotDecodeAreNotHeldAndAHolderChangingItsArrayDoesNotMisleadReadsOfTheBytes()
      throws Exception {
    DecodeCache cache = new DecodeCache(4);
    assertThatThrownBy(() -> cache.hold(new byte[] {1, 2, 3}))
        .isInstanceOf(MalformedTxException.class);
    assertThat(cache.held()).isZero();
    byte[] raw = signed(4);
    byte[] callers = raw.clone();
    cache.hold(callers);
    SignedTx held = cache.get(raw);
    callers[callers.length - 1] ^= 1;
    churn(cache, 4);
    assertThat(cache.get(raw)).isSameAs(held);
    List<SignedTx> seen = new ArrayList<>();
    seen.add(held);
    assertThat(seen).containsExactly(Transactions.decode(raw));
  }

  @Test
  void theHoldersOwnArrayFindsTheHeldDecodingUntilAnyArrayWithItsBytesReleasesIt()
      throws Exception {
    DecodeCache cache = new DecodeCache(4);
    byte[] mempools = signed(5);
    cache.hold(mempools);
    SignedTx held = cache.get(mempools);
    churn(cache, 4);
    assertThat(cache.get(mempools)).isSameAs(held);
    cache.release(mempools.clone());
    churn(cache, 4);
    assertThat(cache.get(mempools)).as("decoded again").isNotSameAs(held).isEqualTo(held);
  }
}
