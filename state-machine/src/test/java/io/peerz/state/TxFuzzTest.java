package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.peerz.ledger.DeterministicProto;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.MalformedTxException;
import io.peerz.ledger.SignedTx;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import io.peerz.ledger.proto.TxResult;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fuzz targets (Jazzer) for the tx decoder and the ante checks: whatever bytes arrive, decoding
 * either yields a canonical tx or a MalformedTxException, and CheckTx answers with success or a
 * documented ante code, never an exception. The committed corpus is under
 * src/test/resources/io/peerz/state/TxFuzzTestInputs; docs/fuzzing.md says how to run them longer.
 */
public class TxFuzzTest {
  private static final Ed25519KeyPair ALICE = TestChain.key("alice");
  private static final Ed25519KeyPair BOB = TestChain.key("bob");
  private static final TestChain CHAIN =
      TestChain.funded("{\"min_fee\":2,\"max_tx_bytes\":4096}", 1000, ALICE);
  private static final Set<String> ANTE_CODES =
      Stream.of(ErrorCode.values())
          .filter(e -> e.codespace.equals("ante"))
          .map(e -> "ante/" + e.code)
          .collect(Collectors.toSet());

  private static TxResult check(byte[] tx) {
    // A fresh check state each time: one input must not change the next one's answer.
    return new StateMachine().newCheckState(CHAIN.state, TestChain.CHAIN_ID).check(tx);
  }

  private static void assertAnswered(TxResult r) {
    if (r.getCode() != 0) {
      assertThat(r.getCodespace() + "/" + r.getCode()).as(r.getLog()).isIn(ANTE_CODES);
      assertThat(r.getLog()).isNotEmpty();
    }
  }

  /** Raw bytes: the decoder and the checks before the signature. */
  @FuzzTest
  public void anyBytesDecodeCanonicallyOrAreRefusedWithAnAnteCode(byte[] bytes) {
    try {
      SignedTx tx = Transactions.decode(bytes);
      assertThat(DeterministicProto.encode(tx.tx())).isEqualTo(bytes);
      assertThat(tx.body().getMsgCase()).isNotEqualTo(TxBody.MsgCase.MSG_NOT_SET);
    } catch (MalformedTxException e) {
      assertThat(e.getMessage()).isNotEmpty();
    }
    assertAnswered(check(bytes));
  }

  /**
   * Signed bodies built from the input, so that the checks after the signature (chain id, memo,
   * nonce, fee, balance) see what the fuzzer chooses; the message is fuzzed bytes parsed as a body.
   */
  @FuzzTest
  public void signedBodiesGetAnAnswerAndAnAcceptedOneIsCharged(FuzzedDataProvider data) {
    TxBody.Builder b;
    try {
      b = TxBody.parseFrom(data.consumeBytes(data.consumeInt(0, 512))).toBuilder();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      b = TxBody.newBuilder();
    }
    Ed25519KeyPair signer = data.consumeBoolean() ? ALICE : BOB;
    b.setSignerPubKey(ByteString.copyFrom(signer.publicKey()));
    if (data.consumeBoolean()) {
      b.setChainId(TestChain.CHAIN_ID);
    }
    b.setNonce(data.consumeLong(-1, 3));
    b.setFee(data.consumeLong());
    if (data.consumeBoolean()) {
      b.setMemo(data.consumeString(400));
    }
    byte[] tx = Transactions.sign(b.build(), signer).toByteArray();
    if (data.consumeBoolean()) {
      // A flipped byte: the signature or the encoding must catch it.
      byte[] flipped = Arrays.copyOf(tx, tx.length);
      flipped[data.consumeInt(0, flipped.length - 1)] ^= (byte) (1 + data.consumeInt(0, 254));
      tx = flipped;
    }
    TxResult r = check(tx);
    assertAnswered(r);
    if (r.getCode() == 0) {
      try {
        Tx envelope = Tx.parseFrom(tx);
        TxBody body = TxBody.parseFrom(envelope.getBody());
        assertThat(body.getFee()).isBetween(2L, 1000L);
        assertThat(body.getChainId()).isEqualTo(TestChain.CHAIN_ID);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError("an accepted tx does not parse", e);
      }
    }
  }
}
