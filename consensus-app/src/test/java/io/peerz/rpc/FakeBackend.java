package io.peerz.rpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.BlockStore;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.BlockIdFlag;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.CommitSig;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.Header;
import io.peerz.ledger.proto.PartSetHeader;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.Validator;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An RpcBackend over a fixed three-block chain with two validators. Broadcast txs go to a mempool;
 * a tx whose text starts with "bad" fails CheckTx; one starting with "commit" is committed at once
 * (at height 4, index 0); any other stays pending until its await times out.
 */
final class FakeBackend implements RpcBackend {
  static final String CHAIN_ID = "peerz-test";
  static final long GENESIS_MILLIS = 1_700_000_000_000L;
  static final byte[] APP_HASH = filled(32, 0xAA);
  static final byte[] PROOF = "proof-bytes".getBytes(StandardCharsets.UTF_8);

  final InMemoryBlockStore store = new InMemoryBlockStore();
  final List<Validator> validatorSet = new ArrayList<>();
  final List<byte[]> mempool = new CopyOnWriteArrayList<>();
  final List<List<byte[]>> prepared = new CopyOnWriteArrayList<>();
  final List<String> queries = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<CommittedTx>> awaiting = new ConcurrentHashMap<>();

  /** The txs of block h, as strings. */
  static List<String> txsOf(long height) {
    return switch ((int) height) {
      case 1 -> List.of("alpha", "beta");
      case 2 -> List.of();
      default -> List.of("gamma-" + height);
    };
  }

  FakeBackend() {
    for (int i = 1; i <= 2; i++) {
      byte[] pubKey = filled(32, i);
      validatorSet.add(
          Validator.newBuilder()
              .setAddress(ByteString.copyFrom(Arrays.copyOf(InMemoryBlockStore.sha256(pubKey), 20)))
              .setPubKey(ByteString.copyFrom(pubKey))
              .setVotingPower(10L * i)
              .setProposerPriority(-i)
              .build());
    }
    Commit previous = Commit.getDefaultInstance();
    for (long h = 1; h <= 3; h++) {
      Block block = block(h, previous, txsOf(h));
      Commit seen = commitFor(block);
      store.append(block, seen);
      store.putResults(results(h, block));
      previous = seen;
    }
  }

  /** Appends one more executed block holding {@code txs}; returns its height. */
  synchronized long appendBlock(List<String> txs) {
    long height = store.lastHeight() + 1;
    Commit previous = store.seenCommit(height - 1).orElse(Commit.getDefaultInstance());
    Block block = block(height, previous, txs);
    store.append(block, commitFor(block));
    store.putResults(results(height, block));
    return height;
  }

  private Block block(long height, Commit lastCommit, List<String> txs) {
    Header header =
        Header.newBuilder()
            .setVersionBlock(11)
            .setChainId(CHAIN_ID)
            .setHeight(height)
            .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000L + height).setNanos(5_000))
            .setLastBlockId(lastCommit.getBlockId())
            .setDataHash(ByteString.copyFrom(filled(32, 0xD0 + (int) height)))
            .setValidatorsHash(ByteString.copyFrom(filled(32, 0x11)))
            .setAppHash(ByteString.copyFrom(APP_HASH))
            .setProposerAddress(validatorSet.get(0).getAddress())
            .build();
    Block.Builder block = Block.newBuilder().setHeader(header).setLastCommit(lastCommit);
    for (String tx : txs) {
      block.addTxs(ByteString.copyFromUtf8(tx));
    }
    return block.build();
  }

  private Commit commitFor(Block block) {
    byte[] hash = InMemoryBlockStore.blockHashOf(block);
    Commit.Builder commit =
        Commit.newBuilder()
            .setHeight(block.getHeader().getHeight())
            .setBlockId(
                BlockId.newBuilder()
                    .setHash(ByteString.copyFrom(hash))
                    .setPartSetHeader(
                        PartSetHeader.newBuilder()
                            .setTotal(1)
                            .setHash(
                                ByteString.copyFrom(
                                    InMemoryBlockStore.sha256(block.toByteArray())))));
    for (Validator v : validatorSet) {
      commit.addSignatures(
          CommitSig.newBuilder()
              .setBlockIdFlag(BlockIdFlag.BLOCK_ID_FLAG_COMMIT)
              .setValidatorAddress(v.getAddress())
              .setTimestamp(block.getHeader().getTime())
              .setSignature(ByteString.copyFrom(filled(64, 0x5E))));
    }
    return commit.build();
  }

  private BlockResults results(long height, Block block) {
    BlockResults.Builder results =
        BlockResults.newBuilder().setHeight(height).setAppHash(ByteString.copyFrom(APP_HASH));
    for (ByteString tx : block.getTxsList()) {
      results.addTxResults(okResult(tx.toStringUtf8()));
    }
    results.addFinalizeBlockEvents(
        Event.newBuilder()
            .setType("epoch")
            .addAttributes(EventAttribute.newBuilder().setKey("height").setValue("" + height)));
    if (height == 2) {
      results.addValidatorUpdates(
          ValidatorUpdate.newBuilder().setPubKey(validatorSet.get(1).getPubKey()).setPower(25));
    }
    return results.build();
  }

  static TxResult okResult(String tx) {
    return TxResult.newBuilder()
        .setData(ByteString.copyFromUtf8("ok:" + tx))
        .setGasWanted(100)
        .setGasUsed(42)
        .addEvents(
            Event.newBuilder()
                .setType("transfer")
                .addAttributes(
                    EventAttribute.newBuilder().setKey("recipient").setValue(tx).setIndex(true))
                .addAttributes(
                    EventAttribute.newBuilder().setKey("amount").setValue("7").setIndex(false)))
        .build();
  }

  static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  @Override
  public NodeStatus status() {
    long last = store.lastHeight();
    return new NodeStatus(
        "b77488f9fa23715979fe03cfc19fd4f3b3750347",
        "tcp://0.0.0.0:26656",
        "node-a",
        CHAIN_ID,
        last,
        store.blockHash(last).orElseThrow(),
        APP_HASH,
        GENESIS_MILLIS + last * 1000 + 123,
        1,
        store.blockHash(1).orElseThrow(),
        APP_HASH,
        GENESIS_MILLIS + 1000,
        false,
        validatorSet.get(0).getAddress().toByteArray(),
        validatorSet.get(0).getPubKey().toByteArray(),
        10);
  }

  @Override
  public GenesisDoc genesis() {
    String raw =
        "{\"genesis_time\":\"2023-11-14T22:13:20Z\",\"chain_id\":\""
            + CHAIN_ID
            + "\",\"initial_height\":\"1\",\"validators\":[],\"app_state\":{\"accounts\":[]}}";
    return new GenesisDoc(
        CHAIN_ID,
        GENESIS_MILLIS,
        1,
        List.of(),
        "{\"accounts\":[]}".getBytes(StandardCharsets.UTF_8),
        raw.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public BlockStore blocks() {
    return store;
  }

  @Override
  public Optional<List<Validator>> validators(long height) {
    return height >= 1 && height <= store.lastHeight() + 1
        ? Optional.of(List.copyOf(validatorSet))
        : Optional.empty();
  }

  @Override
  public AppInfo appInfo() {
    return new AppInfo("peerz", "0.1.0", 1, store.lastHeight(), APP_HASH);
  }

  @Override
  public QueryAnswer query(String path, byte[] data, long height, boolean prove) {
    queries.add(path + "|" + new String(data, StandardCharsets.UTF_8) + "|" + height + "|" + prove);
    if (!path.equals("/account")) {
      return new QueryAnswer(6, "peerz", "unknown path " + path, data, null, 3, null);
    }
    byte[] value = ("balance-of-" + new String(data, StandardCharsets.UTF_8)).getBytes();
    return new QueryAnswer(0, "", "", data, value, 3, prove ? PROOF : null);
  }

  @Override
  public TxResult checkTx(byte[] tx) {
    String text = new String(tx, StandardCharsets.UTF_8);
    if (text.startsWith("bad")) {
      return TxResult.newBuilder().setCode(5).setCodespace("peerz").setLog("bad tx").build();
    }
    return TxResult.newBuilder().setGasWanted(100).build();
  }

  @Override
  public void prepareTxs(List<byte[]> txs) {
    prepared.add(List.copyOf(txs));
  }

  @Override
  public TxResult broadcastTx(byte[] tx) {
    TxResult check = checkTx(tx);
    if (check.getCode() != 0) {
      return check;
    }
    mempool.add(tx);
    String text = new String(tx, StandardCharsets.UTF_8);
    if (text.startsWith("commit")) {
      CompletableFuture<CommittedTx> waiter = awaiting.remove(hashKey(tx));
      if (waiter != null) {
        waiter.complete(new CommittedTx(4, 0, okResult(text)));
      }
    }
    return check;
  }

  @Override
  public CompletableFuture<CommittedTx> awaitCommit(byte[] txHash, Duration timeout) {
    CompletableFuture<CommittedTx> future = new CompletableFuture<>();
    awaiting.put(HexFormat.of().formatHex(txHash), future);
    return future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String hashKey(byte[] tx) {
    return HexFormat.of().formatHex(InMemoryBlockStore.sha256(tx));
  }

  @Override
  public MempoolSnapshot mempool(int limit) {
    List<byte[]> txs = List.copyOf(mempool);
    long bytes = txs.stream().mapToLong(t -> t.length).sum();
    return new MempoolSnapshot(txs.size(), bytes, txs.subList(0, Math.min(limit, txs.size())));
  }
}
