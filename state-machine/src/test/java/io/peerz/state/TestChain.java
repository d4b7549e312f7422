package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.TxBody;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.proto.Account;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A chain driven block by block over a MemoryState, for tests. */
final class TestChain {
  static final String CHAIN_ID = "peerz-test";
  static final ObjectMapper JSON = new ObjectMapper();

  final StateMachine sm = new StateMachine();
  final MemoryState state = new MemoryState();
  long height;
  BlockOutcome last;

  /** Every executed block's txs, in order, for replays. */
  final List<List<byte[]>> blocks = new ArrayList<>();

  /** Every executed block's outcome, in order. */
  final List<BlockOutcome> outcomes = new ArrayList<>();

  /** Runs after every block (the supply property checks its invariant here). */
  Runnable afterBlock = () -> {};

  private final Map<String, Long> pendingNonces = new HashMap<>();

  /** Misbehavior the next executed block carries (cleared after it). */
  final List<Misbehavior> misbehavior = new ArrayList<>();

  TestChain(String appStateJson) {
    this(appStateJson, List.of());
  }

  TestChain(String appStateJson, List<io.peerz.ledger.proto.ValidatorUpdate> genesisValidators) {
    GenesisOutcome g =
        sm.initChain(
            CHAIN_ID,
            0,
            appStateJson.getBytes(StandardCharsets.UTF_8),
            genesisValidators,
            new MemoryState());
    state.apply(g.changes());
  }

  /** A chain whose params are {@code paramsJson} and whose given keys hold {@code balance}. */
  static TestChain funded(String paramsJson, long balance, Ed25519KeyPair... keys) {
    StringBuilder accounts = new StringBuilder();
    for (Ed25519KeyPair k : keys) {
      if (accounts.length() > 0) {
        accounts.append(',');
      }
      accounts
          .append("{\"address\":\"")
          .append(MsgContext.hex(k.address().bytes()))
          .append("\",\"balance\":\"")
          .append(balance)
          .append("\"}");
    }
    return new TestChain("{\"params\":" + paramsJson + ",\"accounts\":[" + accounts + "]}");
  }

  static Ed25519KeyPair key(String name) {
    return Ed25519KeyPair.fromSeed(Sha256.hash(name.getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] addr(Ed25519KeyPair k) {
    return k.address().bytes();
  }

  static ByteString addrBytes(Ed25519KeyPair k) {
    return ByteString.copyFrom(k.address().bytes());
  }

  /** Signs a tx with the signer's next nonce (committed nonce + txs built since the last block). */
  byte[] tx(Ed25519KeyPair signer, Consumer<TxBody.Builder> msg) {
    String id = MsgContext.hex(addr(signer));
    long nonce = pendingNonces.getOrDefault(id, account(signer).getNonce());
    pendingNonces.put(id, nonce + 1);
    return tx(signer, nonce, 1, msg);
  }

  static byte[] tx(Ed25519KeyPair signer, long nonce, long fee, Consumer<TxBody.Builder> msg) {
    TxBody.Builder b =
        TxBody.newBuilder()
            .setChainId(CHAIN_ID)
            .setSignerPubKey(ByteString.copyFrom(signer.publicKey()))
            .setNonce(nonce)
            .setFee(fee);
    msg.accept(b);
    return Transactions.sign(b.build(), signer).toByteArray();
  }

  BlockContext nextContext() {
    long h = height + 1;
    return new BlockContext(
        CHAIN_ID, h, h * 1000, Sha256.hash(Keys.u64(h)), new byte[20], misbehavior);
  }

  /** Every executed block's context (with its misbehavior), in order, for replays. */
  final List<BlockContext> contexts = new ArrayList<>();

  BlockOutcome block(byte[]... txs) {
    BlockContext ctx = nextContext();
    contexts.add(ctx);
    last = sm.executeBlock(state, ctx, Arrays.asList(txs));
    state.apply(last.changes());
    height++;
    pendingNonces.clear();
    misbehavior.clear();
    blocks.add(List.of(txs));
    outcomes.add(last);
    afterBlock.run();
    return last;
  }

  TxResult run(Ed25519KeyPair signer, Consumer<TxBody.Builder> msg) {
    return block(tx(signer, msg)).txResults().get(0);
  }

  TxResult ok(Ed25519KeyPair signer, Consumer<TxBody.Builder> msg) {
    TxResult r = run(signer, msg);
    assertThat(r.getCode()).as(r.getCodespace() + ": " + r.getLog()).isZero();
    return r;
  }

  /**
   * Runs a tx whose message must fail with {@code error}, and checks that the block's writes differ
   * from an empty block's only by the fee and nonce.
   */
  TxResult rejects(Ed25519KeyPair signer, Consumer<TxBody.Builder> msg, ErrorCode error) {
    BlockContext ctx = nextContext();
    BlockOutcome empty = sm.executeBlock(state, ctx, List.of());
    Account before = account(signer);
    byte[] tx = tx(signer, msg);
    TxResult r = block(tx).txResults().get(0);
    assertThat(r.getCodespace() + "/" + r.getCode())
        .as(r.getLog())
        .isEqualTo(error.codespace + "/" + error.code);
    assertThat(r.getLog()).isNotBlank();
    Map<String, String> a = writes(empty);
    Map<String, String> b = writes(last);
    List<String> differing = new ArrayList<>();
    for (String k : union(a, b)) {
      if (!java.util.Objects.equals(a.get(k), b.get(k))) {
        differing.add(k);
      }
    }
    assertThat(differing)
        .isSubsetOf(
            MsgContext.hex(Keys.account(addr(signer))),
            MsgContext.hex(Keys.FEE_COLLECTOR),
            MsgContext.hex(Keys.CHAIN));
    Account after = account(signer);
    assertThat(after)
        .isEqualTo(
            before.toBuilder()
                .setBalance(before.getBalance() - 1)
                .setNonce(before.getNonce() + 1)
                .build());
    return r;
  }

  private static java.util.SortedSet<String> union(Map<String, String> a, Map<String, String> b) {
    java.util.TreeSet<String> s = new java.util.TreeSet<>(a.keySet());
    s.addAll(b.keySet());
    return s;
  }

  private static Map<String, String> writes(BlockOutcome o) {
    Map<String, String> m = new HashMap<>();
    o.changes()
        .writes()
        .forEach((k, v) -> m.put(MsgContext.hex(k), v == null ? "deleted" : MsgContext.hex(v)));
    return m;
  }

  void advanceTo(long targetHeight) {
    while (height < targetHeight) {
      block();
    }
  }

  long epoch() {
    return MsgContext.epochOf(height, Store.readOnly(state).params().getEpochLength());
  }

  /** Runs empty blocks until the last executed block is the last of epoch {@code epoch - 1}. */
  void advanceToEpoch(long epoch) {
    advanceTo(epoch * Store.readOnly(state).params().getEpochLength());
  }

  Account account(Ed25519KeyPair k) {
    return Store.readOnly(state).account(addr(k));
  }

  long balance(Ed25519KeyPair k) {
    return account(k).getBalance();
  }

  JsonNode query(String path) {
    QueryResult r = sm.query(state, path, new byte[0]);
    assertThat(r.code()).as(r.log()).isZero();
    try {
      return JSON.readTree(r.value());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  QueryResult rawQuery(String path) {
    return sm.query(state, path, new byte[0]);
  }
}
