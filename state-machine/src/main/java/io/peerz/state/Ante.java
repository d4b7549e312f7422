package io.peerz.state;

import io.peerz.ledger.MalformedTxException;
import io.peerz.ledger.SignedTx;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.TxBody;
import io.peerz.state.proto.Account;
import io.peerz.state.proto.Params;

/**
 * The checks every tx passes before its message runs, and the charge (fee to the fee collector,
 * nonce + 1) that a passing tx pays whatever its message does.
 */
final class Ante {
  private Ante() {}

  static final int MAX_MEMO_BYTES = 256;

  /** Whether a tx passed the ante checks. */
  sealed interface Outcome permits Passed, Failed {}

  /**
   * A tx that passed, with its signer's account as the check read it: charging it right after the
   * check (nothing written in between) starts from this account instead of reading and parsing it
   * again.
   */
  record Passed(SignedTx tx, byte[] signer, long fee, Account account) implements Outcome {}

  record Failed(ErrorCode error, String log) implements Outcome {}

  /** Where the checks read the signer's account. */
  @FunctionalInterface
  interface Accounts {
    /** The account at {@code address}, the default (empty) account when there is none. */
    Account account(byte[] address);
  }

  /**
   * The checks under {@code p}, the params of the state {@code accounts} reads (constant per
   * block).
   */
  static Outcome check(
      Accounts accounts, Params p, String chainId, byte[] raw, TxSignatures signatures) {
    if (raw.length > p.getMaxTxBytes()) {
      return new Failed(
          ErrorCode.TX_TOO_LARGE,
          "tx is " + raw.length + " bytes, max_tx_bytes is " + p.getMaxTxBytes());
    }
    SignedTx tx;
    try {
      tx = signatures.decode(raw);
    } catch (MalformedTxException e) {
      return e.missingMessage()
          ? new Failed(ErrorCode.MISSING_MESSAGE, e.getMessage())
          : new Failed(ErrorCode.MALFORMED_TX, "malformed tx: " + e.getMessage());
    } catch (RuntimeException e) {
      // Decoding must never take the node down, whatever the bytes are.
      return new Failed(ErrorCode.MALFORMED_TX, "malformed tx: " + e);
    }
    TxBody body = tx.body();
    if (body.getMsgCase() == TxBody.MsgCase.MSG_NOT_SET) {
      return new Failed(ErrorCode.MISSING_MESSAGE, "tx body carries no message");
    }
    // The same length as getMemo()'s UTF-8 bytes: a proto3 string parses only from valid UTF-8,
    // and protobuf encodes it once and keeps the bytes (a String's getBytes copies at each call).
    int memo = body.getMemoBytes().size();
    if (memo > MAX_MEMO_BYTES) {
      return new Failed(
          ErrorCode.MEMO_TOO_LONG, "memo is " + memo + " bytes, max is " + MAX_MEMO_BYTES);
    }
    if (!body.getChainId().equals(chainId)) {
      return new Failed(
          ErrorCode.WRONG_CHAIN_ID,
          "tx is for chain '" + body.getChainId() + "', this chain is '" + chainId + "'");
    }
    if (!signatures.valid(tx)) {
      return new Failed(
          ErrorCode.BAD_SIGNATURE, "signature does not verify for the body's signer_pub_key");
    }
    byte[] signer = tx.signer().bytes();
    Account a = accounts.account(signer);
    long nonce = body.getNonce();
    if (Long.compareUnsigned(nonce, a.getNonce()) < 0) {
      return new Failed(
          ErrorCode.NONCE_REPLAYED,
          "nonce " + Long.toUnsignedString(nonce) + " was used; expected nonce " + a.getNonce());
    }
    if (Long.compareUnsigned(nonce, a.getNonce()) > 0) {
      return new Failed(
          ErrorCode.NONCE_SKIPPED,
          "nonce "
              + Long.toUnsignedString(nonce)
              + " is ahead; expected nonce "
              + a.getNonce()
              + " (send the missing txs first)");
    }
    long fee = body.getFee();
    if (fee < 0) {
      return new Failed(
          ErrorCode.FEE_OUT_OF_RANGE,
          "fee " + Long.toUnsignedString(fee) + " exceeds " + Long.MAX_VALUE);
    }
    if (fee < p.getMinFee()) {
      return new Failed(ErrorCode.FEE_TOO_LOW, "fee " + fee + " is below min_fee " + p.getMinFee());
    }
    if (a.getBalance() < fee) {
      return new Failed(
          ErrorCode.INSUFFICIENT_FEE_FUNDS,
          "balance " + a.getBalance() + " does not cover fee " + fee);
    }
    return new Passed(tx, signer, fee, a);
  }

  /** Charges the fee and advances the nonce; cannot fail after {@link #check} passed. */
  static void charge(Store store, Passed passed) {
    chargeSigner(store, passed);
    new Bank(store).creditFeeCollector(passed.fee());
  }

  /**
   * The signer's part of {@link #charge}: the fee leaves its balance and its nonce advances. The
   * mempool's check state needs only this: the fee collector is a module balance nobody signs for.
   * Called right after {@link #check} on the same store, so the account it read is still current.
   */
  static void chargeSigner(Store store, Passed passed) {
    store.putAccount(passed.signer(), charged(passed));
  }

  /** The signer's account after {@link #chargeSigner}: the fee taken, the nonce advanced. */
  static Account charged(Passed passed) {
    Account a = passed.account();
    return a.toBuilder()
        .setBalance(a.getBalance() - passed.fee())
        .setNonce(a.getNonce() + 1)
        .build();
  }
}
