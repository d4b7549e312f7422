package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxResult;
import org.junit.jupiter.api.Test;

class TransfersTest {
  final Ed25519KeyPair alice = TestChain.key("alice");
  final Ed25519KeyPair bob = TestChain.key("bob");
  final TestChain chain = TestChain.funded("{\"epoch_length\":1000}", 1000, alice);

  @Test
  void sendMovesTheAmountAndEmitsIndexedTransferEvent() {
    TxResult r =
        chain.ok(
            alice,
            b -> b.setSend(MsgSend.newBuilder().setTo(TestChain.addrBytes(bob)).setAmount(300)));
    assertThat(chain.balance(alice)).isEqualTo(1000 - 300 - 1);
    assertThat(chain.balance(bob)).isEqualTo(300);
    assertThat(r.getGasUsed()).isPositive();
    assertThat(r.getEventsList())
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("transfer");
              assertThat(e.getAttributesList())
                  .anySatisfy(
                      a -> {
                        assertThat(a.getKey()).isEqualTo("recipient");
                        assertThat(a.getValue()).isEqualTo(MsgContext.hex(TestChain.addr(bob)));
                        assertThat(a.getIndex()).isTrue();
                      });
            });
    assertThat(r.getEventsList())
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("message");
              assertThat(e.getAttributes(0).getValue()).isEqualTo("send");
              assertThat(e.getAttributes(1).getValue())
                  .isEqualTo(MsgContext.hex(TestChain.addr(alice)));
            });
  }

  @Test
  void recipientMustBe20Bytes() {
    chain.rejects(
        alice,
        b -> b.setSend(MsgSend.newBuilder().setTo(ByteString.copyFrom(new byte[19])).setAmount(1)),
        ErrorCode.INVALID_RECIPIENT);
  }

  @Test
  void zeroAmountIsRejected() {
    chain.rejects(
        alice,
        b -> b.setSend(MsgSend.newBuilder().setTo(TestChain.addrBytes(bob)).setAmount(0)),
        ErrorCode.ZERO_AMOUNT);
  }

  @Test
  void amountAboveBalanceIsRejected() {
    chain.rejects(
        alice,
        b -> b.setSend(MsgSend.newBuilder().setTo(TestChain.addrBytes(bob)).setAmount(1000)),
        ErrorCode.INSUFFICIENT_FUNDS);
  }

  @Test
  void amountAboveInt64IsAnOverflowRejection() {
    chain.rejects(
        alice,
        b -> b.setSend(MsgSend.newBuilder().setTo(TestChain.addrBytes(bob)).setAmount(-5)),
        ErrorCode.OVERFLOW);
  }
}
