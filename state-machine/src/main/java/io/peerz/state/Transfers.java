package io.peerz.state;

import io.peerz.ledger.proto.MsgSend;

/** MsgSend: moves an amount between two accounts. */
final class Transfers {
  private Transfers() {}

  static void send(MsgContext c, MsgSend m) {
    byte[] to = m.getTo().toByteArray();
    if (to.length != 20) {
      throw ErrorCode.INVALID_RECIPIENT.reject("recipient must be 20 bytes, got " + to.length);
    }
    long amount = MsgContext.amount(m.getAmount(), "amount");
    if (amount == 0) {
      throw ErrorCode.ZERO_AMOUNT.reject("amount must be positive");
    }
    c.bank().debit(c.signer(), amount, ErrorCode.INSUFFICIENT_FUNDS);
    c.bank().credit(to, amount);
    c.emit(
        "transfer",
        "sender",
        MsgContext.hex(c.signer()),
        "recipient",
        MsgContext.hex(to),
        "amount",
        Long.toString(amount));
  }
}
