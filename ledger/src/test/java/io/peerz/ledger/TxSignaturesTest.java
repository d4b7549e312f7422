package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.Tx;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TxSignaturesTest {
  private final Ed25519KeyPair key = Ed25519KeyPair.generate(new SecureRandom());

  private byte[] signed(long nonce) {
    return Transactions.sign(TransactionsTest.body(key, nonce), key).toByteArray();
  }

  @Test
  void aValidSignatureIsVerifiedOnceAndThenRemembered() throws Exception {
    SignedTx tx = Transactions.decode(signed(1));
    long before = TxSignatures.verifications();
    assertThat(tx.signatureValid()).isTrue();
    assertThat(tx.signatureValid()).isTrue();
    assertThat(Transactions.decode(signed(1)).signatureValid()).isTrue();
    assertThat(TxSignatures.verifications() - before).isEqualTo(1);
  }

  @Test
  void aBadSignatureIsNeverRememberedAndStaysInvalid() throws Exception {
    Tx good = Tx.parseFrom(signed(2));
    byte[] sig = good.getSignature().toByteArray();
    sig[0] ^= 1;
    byte[] bad = good.toBuilder().setSignature(ByteString.copyFrom(sig)).build().toByteArray();
    TxSignatures.preverify(bad);
    long before = TxSignatures.verifications();
    assertThat(Transactions.decode(bad).signatureValid()).isFalse();
    assertThat(Transactions.decode(bad).signatureValid()).isFalse();
    assertThat(TxSignatures.verifications() - before).as("verified again each time").isEqualTo(2);
    assertThat(Transactions.decode(signed(2)).signatureValid()).isTrue();
  }

  @Test
  void preverifyAllVerifiesABatchSoLaterChecksVerifyNothing() throws Exception {
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(signed(100 + i));
    }
    batch.add(new byte[] {1, 2, 3}); // not a tx: left for CheckTx to reject
    long before = TxSignatures.verifications();
    TxSignatures.preverifyAll(batch);
    assertThat(TxSignatures.verifications() - before).isEqualTo(200);
    for (byte[] raw : batch.subList(0, 200)) {
      assertThat(Transactions.decode(raw).signatureValid()).isTrue();
    }
    assertThat(TxSignatures.verifications() - before).isEqualTo(200);
  }

  @Test
  void clearForgetsEverything() throws Exception {
    SignedTx tx = Transactions.decode(signed(3));
    assertThat(tx.signatureValid()).isTrue();
    TxSignatures.clear();
    long before = TxSignatures.verifications();
    assertThat(tx.signatureValid()).isTrue();
    assertThat(TxSignatures.verifications() - before).isEqualTo(1);
  }
}
