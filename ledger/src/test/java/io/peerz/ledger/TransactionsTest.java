package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class TransactionsTest {
  private static final Ed25519KeyPair KEY = Ed25519KeyPair.fromSeed(new byte[32]);

  static TxBody body(Ed25519KeyPair key, long nonce) {
    return TxBody.newBuilder()
        .setChainId("peerz-test")
        .setSignerPubKey(ByteString.copyFrom(key.publicKey()))
        .setNonce(nonce)
        .setFee(10)
        .setSend(MsgSend.newBuilder().setTo(ByteString.copyFrom(new byte[20])).setAmount(5))
        .build();
  }

  @Test
  void signedTxDecodesWithValidSignatureHashAndSigner() throws Exception {
    Tx tx = Transactions.sign(body(KEY, 3), KEY);
    byte[] raw = tx.toByteArray();
    SignedTx decoded = Transactions.decode(raw);
    assertThat(new TxSignatures().valid(decoded)).isTrue();
    assertThat(decoded.body()).isEqualTo(body(KEY, 3));
    assertThat(decoded.hash()).isEqualTo(Sha256.hash(raw)).isEqualTo(Transactions.hash(raw));
    assertThat(decoded.signer()).isEqualTo(KEY.address());
  }

  @Test
  void decodingIsRememberedByContentNotByTheCallersArray() throws Exception {
    TxSignatures node = new TxSignatures();
    byte[] raw = Transactions.sign(body(KEY, 41), KEY).toByteArray();
    SignedTx first = node.decode(raw);
    assertThat(node.decode(raw.clone())).isSameAs(first);
    // The caller changes its array: the cache answers for the new bytes, not the old ones.
    byte[] changed = Transactions.sign(body(KEY, 42), KEY).toByteArray();
    byte[] reused = raw.clone();
    node.decode(reused);
    assertThat(changed).hasSameSizeAs(reused);
    System.arraycopy(changed, 0, reused, 0, changed.length);
    assertThat(node.decode(reused).body().getNonce()).isEqualTo(42);
    reused[0] ^= 0x7F; // no longer a Tx
    assertThatThrownBy(() -> node.decode(reused)).isInstanceOf(MalformedTxException.class);
    assertThat(node.decode(raw).body().getNonce()).isEqualTo(41);
  }

  @Test
  void aSmallDecodeCacheStillAnswersEveryTxRightAcrossGenerations() throws Exception {
    DecodeCache cache = new DecodeCache(2);
    for (int round = 0; round < 3; round++) {
      for (long nonce = 0; nonce < 7; nonce++) {
        byte[] raw = Transactions.sign(body(KEY, nonce), KEY).toByteArray();
        assertThat(cache.get(raw)).isEqualTo(Transactions.decode(raw));
      }
    }
    assertThatThrownBy(() -> cache.get(new byte[] {1, 2, 3}))
        .isInstanceOf(MalformedTxException.class);
  }

  @Test
  void signatureByAnotherKeyIsInvalid() throws Exception {
    Ed25519KeyPair other =
        Ed25519KeyPair.fromSeed(
            new byte[] {
              1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
              17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
            });
    Tx good = Transactions.sign(body(KEY, 0), KEY);
    Tx forged =
        good.toBuilder()
            .setSignature(ByteString.copyFrom(other.sign(good.getBody().toByteArray())))
            .build();
    assertThat(new TxSignatures().valid(Transactions.decode(forged.toByteArray()))).isFalse();
  }

  @Test
  void signRefusesABodyNamingAnotherSigner() {
    Ed25519KeyPair other = Ed25519KeyPair.fromSeed(Sha256.hash(new byte[] {9}));
    assertThatThrownBy(() -> Transactions.sign(body(other, 0), KEY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decodeRejectsMalformedTxsWithTheReason() {
    Tx good = Transactions.sign(body(KEY, 0), KEY);
    assertRejected(new byte[0], "empty");
    assertRejected(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, "not a Tx");
    assertRejected(good.toBuilder().clearBody().build().toByteArray(), "body is empty");
    assertRejected(
        good.toBuilder()
            .setBody(ByteString.copyFrom(new byte[] {(byte) 0x0a, 5}))
            .build()
            .toByteArray(),
        "does not parse");
    TxBody shortKey =
        body(KEY, 0).toBuilder().setSignerPubKey(ByteString.copyFrom(new byte[31])).build();
    assertRejected(
        good.toBuilder().setBody(shortKey.toByteString()).build().toByteArray(), "32 bytes");
    assertRejected(
        good.toBuilder().setSignature(ByteString.copyFrom(new byte[63])).build().toByteArray(),
        "64 bytes");
    TxBody noMsg = body(KEY, 0).toBuilder().clearMsg().build();
    assertRejected(
        good.toBuilder().setBody(noMsg.toByteString()).build().toByteArray(), "no message");
    byte[] withTrailingField = concat(good.toByteArray(), new byte[] {0x18, 0x01});
    assertRejected(withTrailingField, "canonical");
  }

  @Test
  void aSignedBodyThatIsNotItsDeterministicEncodingIsRefused() throws Exception {
    byte[] canonical = DeterministicProto.encode(body(KEY, 0));
    // nonce = 0 written out (field 3, varint 0): the same body, a second encoding.
    byte[] zeroNonce = concat(canonical, new byte[] {0x18, 0x00});
    // memo = "" written out (field 5, length 0).
    byte[] emptyMemo = concat(new byte[] {0x2a, 0x00}, canonical);
    // An unknown field (7, varint 1) inside MsgSend, which the parser would carry along.
    byte[] send =
        concat(
            MsgSend.newBuilder()
                .setTo(ByteString.copyFrom(new byte[20]))
                .setAmount(5)
                .build()
                .toByteArray(),
            new byte[] {0x38, 0x01});
    byte[] unknownInside =
        concat(
            DeterministicProto.encode(body(KEY, 0).toBuilder().clearMsg().build()),
            concat(new byte[] {(byte) 0x52, (byte) send.length}, send));
    assertThat(TxBody.parseFrom(zeroNonce)).isEqualTo(body(KEY, 0));
    assertThat(TxBody.parseFrom(emptyMemo)).isEqualTo(body(KEY, 0));
    assertThat(TxBody.parseFrom(unknownInside).getSend().getUnknownFields().asMap()).hasSize(1);
    for (byte[] raw : java.util.List.of(zeroNonce, emptyMemo, unknownInside)) {
      Tx signed =
          Tx.newBuilder()
              .setBody(ByteString.copyFrom(raw))
              .setSignature(ByteString.copyFrom(KEY.sign(raw)))
              .build();
      assertRejected(signed.toByteArray(), "not its deterministic encoding");
    }
    Tx signed =
        Tx.newBuilder()
            .setBody(ByteString.copyFrom(canonical))
            .setSignature(ByteString.copyFrom(KEY.sign(canonical)))
            .build();
    try (TxSignatures signatures = new TxSignatures()) {
      assertThat(signatures.valid(Transactions.decode(signed.toByteArray()))).isTrue();
    }
  }

  private static void assertRejected(byte[] raw, String reason) {
    assertThatThrownBy(() -> Transactions.decode(raw))
        .isInstanceOf(MalformedTxException.class)
        .hasMessageContaining(reason);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Property(tries = 50)
  void encodeDecodeRoundTrips(
      @ForAll @Size(32) byte[] seed,
      @ForAll long nonce,
      @ForAll long fee,
      @ForAll @StringLength(max = 40) String memo)
      throws Exception {
    Ed25519KeyPair key = Ed25519KeyPair.fromSeed(seed);
    TxBody body = body(key, nonce).toBuilder().setFee(fee).setMemo(memo).build();
    Tx tx = Transactions.sign(body, key);
    SignedTx decoded = Transactions.decode(tx.toByteArray());
    assertThat(decoded.tx()).isEqualTo(tx);
    assertThat(decoded.body()).isEqualTo(body);
    assertThat(new TxSignatures().valid(decoded)).isTrue();
    assertThat(decoded.signer()).isEqualTo(key.address());
  }
}
