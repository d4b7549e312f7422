package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxBody;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Keys, genesis documents, signed txs and condition polling shared by the node tests. */
public final class TestChains {
  private TestChains() {}

  public static final String CHAIN_ID = "peerz-test";
  public static final long GENESIS_MILLIS = 1_700_000_000_000L;

  public static Ed25519KeyPair key(int n) {
    byte[] seed = new byte[32];
    seed[31] = (byte) n;
    return Ed25519KeyPair.fromSeed(seed);
  }

  public static GenesisDoc genesis(Ed25519KeyPair validator) {
    byte[] raw =
        ("{\"chain_id\":\"" + CHAIN_ID + "\",\"initial_height\":\"1\",\"app_state\":{}}")
            .getBytes(StandardCharsets.UTF_8);
    return new GenesisDoc(
        CHAIN_ID,
        GENESIS_MILLIS,
        1,
        List.of(new GenesisDoc.Validator(validator.publicKey(), 10, "v0")),
        "{}".getBytes(StandardCharsets.UTF_8),
        raw);
  }

  /** The key of the account the peerz genesis funds. */
  public static Ed25519KeyPair funded() {
    return key(7);
  }

  /** A genesis whose app_state funds {@link #funded()} for the real state machine. */
  public static GenesisDoc peerzGenesis(Ed25519KeyPair validator) {
    String appState =
        "{\"accounts\":[{\"address\":\"" + funded().address() + "\",\"balance\":\"1000000\"}]}";
    byte[] raw =
        ("{\"chain_id\":\"" + CHAIN_ID + "\",\"app_state\":" + appState + "}")
            .getBytes(StandardCharsets.UTF_8);
    return new GenesisDoc(
        CHAIN_ID,
        GENESIS_MILLIS,
        1,
        List.of(new GenesisDoc.Validator(validator.publicKey(), 10, "v0")),
        appState.getBytes(StandardCharsets.UTF_8),
        raw);
  }

  /** A signed transfer from {@link #funded()}. */
  public static byte[] send(long nonce, Ed25519KeyPair to, long amount) {
    Ed25519KeyPair from = funded();
    TxBody body =
        TxBody.newBuilder()
            .setChainId(CHAIN_ID)
            .setSignerPubKey(ByteString.copyFrom(from.publicKey()))
            .setNonce(nonce)
            .setFee(1)
            .setSend(
                MsgSend.newBuilder()
                    .setTo(ByteString.copyFrom(to.address().bytes()))
                    .setAmount(amount))
            .build();
    return Transactions.sign(body, from).toByteArray();
  }

  public static void await(String what, BooleanSupplier condition, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      // Polling a condition with a deadline, not waiting a fixed time for it.
      LockSupport.parkNanos(5_000_000);
    }
  }
}
