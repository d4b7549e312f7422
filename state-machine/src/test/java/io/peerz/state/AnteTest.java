package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import io.peerz.ledger.proto.TxResult;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class AnteTest {
  final Ed25519KeyPair alice = TestChain.key("alice");
  final Ed25519KeyPair bob = TestChain.key("bob");
  final TestChain chain =
      TestChain.funded("{\"epoch_length\":1000,\"min_fee\":2,\"max_tx_bytes\":400}", 100, alice);

  Consumer<TxBody.Builder> send(long amount) {
    return b -> b.setSend(MsgSend.newBuilder().setTo(TestChain.addrBytes(bob)).setAmount(amount));
  }

  private TxResult deliverUnchanged(byte[] tx, ErrorCode error) {
    MemoryState before = chain.state.copy();
    long collected = Store.readOnly(before).feeCollector();
    TxResult r = chain.block(tx).txResults().get(0);
    assertThat(r.getCodespace() + "/" + r.getCode())
        .as(r.getLog())
        .isEqualTo(error.codespace + "/" + error.code);
    // Nothing but the block height moved: no fee, no nonce.
    assertThat(chain.account(alice))
        .isEqualTo(Store.readOnly(before).account(TestChain.addr(alice)));
    assertThat(Store.readOnly(chain.state).feeCollector()).isEqualTo(collected);
    assertThat(chain.last.changes().writes().keySet())
        .allSatisfy(k -> assertThat(k).isEqualTo(Keys.CHAIN));
    return r;
  }

  @Test
  void aCheckBeforeGenesisIsNotReadyRatherThanAnException() {
    // CometBFT sends CheckTx to a node still state syncing: an answer, not a crash.
    byte[] tx = TestChain.tx(alice, 0, 2, b -> b.mergeFrom(sendBody()));
    TxResult r = new StateMachine().newCheckState(new MemoryState(), "c").check(tx);
    assertThat(r.getCodespace() + "/" + r.getCode())
        .as(r.getLog())
        .isEqualTo(ErrorCode.NOT_READY.codespace + "/" + ErrorCode.NOT_READY.code);
    assertThat(r.getLog()).contains("no state yet");
  }

  @Test
  void garbageBytesAreMalformedAndChangeNothing() {
    deliverUnchanged(new byte[] {1, 2, 3, (byte) 0xff}, ErrorCode.MALFORMED_TX);
    deliverUnchanged(new byte[0], ErrorCode.MALFORMED_TX);
  }

  @Test
  void txOverMaxBytesIsTooLarge() {
    byte[] tx = TestChain.tx(alice, 0, 2, b -> b.setMemo("x".repeat(200)).mergeFrom(sendBody()));
    byte[] big = Arrays.copyOf(tx, 401);
    TxResult r = deliverUnchanged(big, ErrorCode.TX_TOO_LARGE);
    assertThat(r.getLog()).contains("401").contains("400");
  }

  private TxBody sendBody() {
    return TxBody.newBuilder()
        .setSend(MsgSend.newBuilder().setTo(TestChain.addrBytes(bob)).setAmount(1))
        .build();
  }

  @Test
  void bodyWithoutMessageIsAMissingMessage() {
    TxResult r = deliverUnchanged(TestChain.tx(alice, 0, 2, b -> {}), ErrorCode.MISSING_MESSAGE);
    assertThat(r.getLog()).isEqualTo("tx body carries no message");
  }

  @Test
  void bodyWhoseOnlyMessageThisNodeDoesNotKnowIsAMissingMessage() {
    // A newer client's message: a field number this node's TxBody does not have.
    UnknownFieldSet newer =
        UnknownFieldSet.newBuilder()
            .addField(
                99,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFromUtf8("msg"))
                    .build())
            .build();
    TxResult r =
        deliverUnchanged(
            TestChain.tx(alice, 0, 2, b -> b.setUnknownFields(newer)), ErrorCode.MISSING_MESSAGE);
    assertThat(r.getLog())
        .isEqualTo("tx body carries no message this node knows (unknown field 99)");
  }

  @Test
  void memoOver256BytesIsRejected() {
    TestChain wide = TestChain.funded("{\"min_fee\":2}", 100, alice);
    byte[] tx = TestChain.tx(alice, 0, 2, send(1).andThen(b -> b.setMemo("m".repeat(257))));
    TxResult r = wide.block(tx).txResults().get(0);
    assertThat(r.getCode()).isEqualTo(ErrorCode.MEMO_TOO_LONG.code);
    assertThat(wide.account(alice).getNonce()).isZero();
  }

  @Test
  void wrongChainIdNamesBothChains() {
    Consumer<TxBody.Builder> other = send(1).andThen(b -> b.setChainId("other-chain"));
    TxResult r = deliverUnchanged(TestChain.tx(alice, 0, 2, other), ErrorCode.WRONG_CHAIN_ID);
    assertThat(r.getLog()).contains("other-chain").contains(TestChain.CHAIN_ID);
  }

  @Test
  void tamperedSignatureIsRejected() throws Exception {
    Tx tx = Tx.parseFrom(TestChain.tx(alice, 0, 2, send(1)));
    byte[] sig = tx.getSignature().toByteArray();
    sig[0] ^= 1;
    byte[] bad = tx.toBuilder().setSignature(ByteString.copyFrom(sig)).build().toByteArray();
    deliverUnchanged(bad, ErrorCode.BAD_SIGNATURE);
  }

  @Test
  void replayedAndSkippedNoncesSayTheExpectedNonce() {
    TxResult first = chain.block(TestChain.tx(alice, 0, 2, send(1))).txResults().get(0);
    assertThat(first.getCode()).isZero();
    TxResult replay =
        deliverUnchanged(TestChain.tx(alice, 0, 2, send(1)), ErrorCode.NONCE_REPLAYED);
    assertThat(replay.getLog()).contains("expected nonce 1");
    TxResult skip = deliverUnchanged(TestChain.tx(alice, 5, 2, send(1)), ErrorCode.NONCE_SKIPPED);
    assertThat(skip.getLog()).contains("expected nonce 1");
  }

  @Test
  void feeBelowMinimumIsRejected() {
    TxResult r = deliverUnchanged(TestChain.tx(alice, 0, 1, send(1)), ErrorCode.FEE_TOO_LOW);
    assertThat(r.getLog()).contains("min_fee 2");
  }

  @Test
  void feeAboveInt64IsRejected() {
    deliverUnchanged(TestChain.tx(alice, 0, -1, send(1)), ErrorCode.FEE_OUT_OF_RANGE);
  }

  @Test
  void feeAboveBalanceIsRejected() {
    deliverUnchanged(TestChain.tx(alice, 0, 101, send(1)), ErrorCode.INSUFFICIENT_FEE_FUNDS);
    deliverUnchanged(TestChain.tx(bob, 0, 2, send(1)), ErrorCode.INSUFFICIENT_FEE_FUNDS);
  }

  @Test
  void failedMessageStillPaysFeeAndAdvancesNonce() {
    TxResult r = chain.block(TestChain.tx(alice, 0, 2, send(1000))).txResults().get(0);
    assertThat(r.getCode()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS.code);
    assertThat(chain.account(alice).getNonce()).isEqualTo(1);
    assertThat(chain.balance(alice)).isEqualTo(98);
    assertThat(Store.readOnly(chain.state).feeCollector()).isEqualTo(2);
    assertThat(chain.balance(bob)).isZero();
  }

  @Test
  void checkStateQueuesConsecutiveNoncesAndRejectsReuse() {
    CheckState check = chain.sm.newCheckState(chain.state, TestChain.CHAIN_ID);
    assertThat(check.check(TestChain.tx(alice, 0, 2, send(1))).getCode()).isZero();
    assertThat(check.check(TestChain.tx(alice, 1, 2, send(1))).getCode()).isZero();
    TxResult again = check.check(TestChain.tx(alice, 1, 2, send(1)));
    assertThat(again.getCode()).isEqualTo(ErrorCode.NONCE_REPLAYED.code);
    assertThat(again.getLog()).contains("expected nonce 2");
    TxResult gap = check.check(TestChain.tx(alice, 4, 2, send(1)));
    assertThat(gap.getCode()).isEqualTo(ErrorCode.NONCE_SKIPPED.code);
    // The check state never touches committed state.
    assertThat(chain.account(alice).getNonce()).isZero();
  }

  @Test
  void checkStateRunsAnteOnlyAndChargesFeesAgainstTheBalance() {
    CheckState check = chain.sm.newCheckState(chain.state, TestChain.CHAIN_ID);
    // The message would fail (amount above balance) but CheckTx only runs ante.
    assertThat(check.check(TestChain.tx(alice, 0, 60, send(1000))).getCode()).isZero();
    TxResult second = check.check(TestChain.tx(alice, 1, 60, send(1)));
    assertThat(second.getCode()).isEqualTo(ErrorCode.INSUFFICIENT_FEE_FUNDS.code);
    assertThat(check.check(new byte[] {9, 9}).getCode()).isEqualTo(ErrorCode.MALFORMED_TX.code);
  }
}
