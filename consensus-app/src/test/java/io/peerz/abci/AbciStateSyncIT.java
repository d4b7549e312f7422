package io.peerz.abci;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.peerz.abci.proto.Request;
import io.peerz.abci.proto.RequestApplySnapshotChunk;
import io.peerz.abci.proto.RequestCommit;
import io.peerz.abci.proto.RequestFinalizeBlock;
import io.peerz.abci.proto.RequestInfo;
import io.peerz.abci.proto.RequestInitChain;
import io.peerz.abci.proto.RequestListSnapshots;
import io.peerz.abci.proto.RequestLoadSnapshotChunk;
import io.peerz.abci.proto.RequestOfferSnapshot;
import io.peerz.abci.proto.Response;
import io.peerz.abci.proto.ResponseApplySnapshotChunk;
import io.peerz.abci.proto.ResponseFinalizeBlock;
import io.peerz.abci.proto.ResponseInfo;
import io.peerz.abci.proto.ResponseOfferSnapshot;
import io.peerz.abci.proto.Snapshot;
import io.peerz.abci.proto.ValidatorUpdate;
import io.peerz.abci.proto.crypto.PublicKey;
import io.peerz.consensus.PeerzApplication;
import io.peerz.consensus.SnapshotConfig;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.LedgerDb;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.TxBody;
import io.peerz.state.StateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State sync over the ABCI socket, as CometBFT drives it: one application takes snapshots as it
 * commits and serves them (ListSnapshots, LoadSnapshotChunk); a fresh one restores from them
 * (OfferSnapshot, ApplySnapshotChunk), reports the same height and app hash in Info, and executes
 * the next block to the same app hash.
 */
class AbciStateSyncIT {

  private static final String CHAIN_ID = "peerz-abci-sync";
  private static final int CHUNK_BYTES = 256;

  @TempDir Path dir;

  private static Ed25519KeyPair key(int n) {
    byte[] seed = new byte[32];
    seed[31] = (byte) n;
    return Ed25519KeyPair.fromSeed(seed);
  }

  private static final Ed25519KeyPair FUNDED = key(7);
  private static final Ed25519KeyPair VALIDATOR = key(1);

  private static byte[] send(long nonce, int to, long amount) {
    TxBody body =
        TxBody.newBuilder()
            .setChainId(CHAIN_ID)
            .setSignerPubKey(ByteString.copyFrom(FUNDED.publicKey()))
            .setNonce(nonce)
            .setFee(1)
            .setSend(
                MsgSend.newBuilder()
                    .setTo(ByteString.copyFrom(key(to).address().bytes()))
                    .setAmount(amount))
            .build();
    return Transactions.sign(body, FUNDED).toByteArray();
  }

  private static Request initChain() {
    String appState =
        "{\"accounts\":[{\"address\":\"" + FUNDED.address() + "\",\"balance\":\"1000000\"}]}";
    return Request.newBuilder()
        .setInitChain(
            RequestInitChain.newBuilder()
                .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000))
                .setChainId(CHAIN_ID)
                .addValidators(
                    ValidatorUpdate.newBuilder()
                        .setPubKey(
                            PublicKey.newBuilder()
                                .setEd25519(ByteString.copyFrom(VALIDATOR.publicKey())))
                        .setPower(10))
                .setAppStateBytes(ByteString.copyFrom(appState, StandardCharsets.UTF_8))
                .setInitialHeight(1))
        .build();
  }

  private static Request finalizeBlock(long height, List<byte[]> txs) {
    RequestFinalizeBlock.Builder b =
        RequestFinalizeBlock.newBuilder()
            .setHeight(height)
            .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000 + height))
            .setHash(ByteString.copyFrom(Sha256.hash(("block " + height).getBytes())))
            .setProposerAddress(ByteString.copyFrom(VALIDATOR.address().bytes()));
    txs.forEach(tx -> b.addTxs(ByteString.copyFrom(tx)));
    return Request.newBuilder().setFinalizeBlock(b).build();
  }

  private static final Request COMMIT =
      Request.newBuilder().setCommit(RequestCommit.getDefaultInstance()).build();

  private static ResponseInfo info(AbciTestClient c) throws Exception {
    return c.call(Request.newBuilder().setInfo(RequestInfo.getDefaultInstance()).build()).getInfo();
  }

  private static Response offer(AbciTestClient c, Snapshot s, ByteString appHash) throws Exception {
    return c.call(
        Request.newBuilder()
            .setOfferSnapshot(RequestOfferSnapshot.newBuilder().setSnapshot(s).setAppHash(appHash))
            .build());
  }

  private static ResponseApplySnapshotChunk apply(AbciTestClient c, int index, ByteString chunk)
      throws Exception {
    return c.call(
            Request.newBuilder()
                .setApplySnapshotChunk(
                    RequestApplySnapshotChunk.newBuilder()
                        .setIndex(index)
                        .setChunk(chunk)
                        .setSender("peer-a"))
                .build())
        .getApplySnapshotChunk();
  }

  @Test
  void aFreshApplicationRestoredFromAnotherOverTheSocketReachesTheSameAppHash() throws Exception {
    try (LedgerDb dbA = LedgerDb.open(dir.resolve("a/ledger.db"));
        LedgerDb dbB = LedgerDb.open(dir.resolve("b/ledger.db"));
        PeerzApplication appA =
            new PeerzApplication(
                dbA,
                new StateMachine(),
                CHAIN_ID,
                dir.resolve("a/snapshots"),
                new SnapshotConfig(5, 2, CHUNK_BYTES));
        PeerzApplication appB =
            new PeerzApplication(
                dbB,
                new StateMachine(),
                CHAIN_ID,
                dir.resolve("b/snapshots"),
                SnapshotConfig.DISABLED);
        AbciServer serverA = AbciServer.start(appA, "tcp://127.0.0.1:0");
        AbciServer serverB = AbciServer.start(appB, "tcp://127.0.0.1:0");
        AbciTestClient consensusA = new AbciTestClient(serverA.address());
        AbciTestClient snapshotA = new AbciTestClient(serverA.address());
        AbciTestClient consensusB = new AbciTestClient(serverB.address());
        AbciTestClient snapshotB = new AbciTestClient(serverB.address())) {
      assertThat(consensusA.call(initChain()).hasInitChain()).isTrue();
      ByteString appHashAt10 = null;
      long nonce = 0;
      for (long h = 1; h <= 10; h++) {
        List<byte[]> txs = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
          txs.add(send(nonce++, 10 + (int) ((h * 3 + k) % 9), 5 + h));
        }
        ResponseFinalizeBlock fb = consensusA.call(finalizeBlock(h, txs)).getFinalizeBlock();
        assertThat(fb.getTxResultsList()).allMatch(r -> r.getCode() == 0);
        assertThat(consensusA.call(COMMIT).hasCommit()).isTrue();
        appHashAt10 = fb.getAppHash();
      }

      // Snapshots are written off the consensus thread: wait for the one of height 10.
      long deadline = System.nanoTime() + 30_000_000_000L;
      List<Snapshot> listed;
      while (true) {
        listed =
            snapshotA
                .call(
                    Request.newBuilder()
                        .setListSnapshots(RequestListSnapshots.getDefaultInstance())
                        .build())
                .getListSnapshots()
                .getSnapshotsList();
        if (!listed.isEmpty() && listed.get(0).getHeight() == 10) {
          break;
        }
        assertThat(System.nanoTime())
            .as("snapshot of height 10 listed in time")
            .isLessThan(deadline);
        LockSupport.parkNanos(10_000_000);
      }
      assertThat(listed).extracting(Snapshot::getHeight).containsExactly(10L, 5L);
      Snapshot s = listed.get(0);
      assertThat(s.getFormat()).isEqualTo(1);
      assertThat(s.getChunks()).isGreaterThan(1);
      assertThat(s.getHash().toByteArray()).isEqualTo(Sha256.hash(s.getMetadata().toByteArray()));

      List<ByteString> chunks = new ArrayList<>();
      for (int i = 0; i < s.getChunks(); i++) {
        ByteString chunk =
            snapshotA
                .call(
                    Request.newBuilder()
                        .setLoadSnapshotChunk(
                            RequestLoadSnapshotChunk.newBuilder()
                                .setHeight(10)
                                .setFormat(1)
                                .setChunk(i))
                        .build())
                .getLoadSnapshotChunk()
                .getChunk();
        assertThat(chunk.size()).as("chunk %d", i).isBetween(1, CHUNK_BYTES);
        chunks.add(chunk);
      }

      // Offers the application must refuse: another app hash, another format.
      byte[] wrong = appHashAt10.toByteArray();
      wrong[0] ^= 1;
      assertThat(offer(snapshotB, s, ByteString.copyFrom(wrong)).getOfferSnapshot().getResult())
          .isEqualTo(ResponseOfferSnapshot.Result.REJECT);
      assertThat(
              offer(snapshotB, s.toBuilder().setFormat(2).build(), appHashAt10)
                  .getOfferSnapshot()
                  .getResult())
          .isEqualTo(ResponseOfferSnapshot.Result.REJECT_FORMAT);
      // A chunk with no accepted offer aborts.
      assertThat(apply(snapshotB, 0, chunks.get(0)).getResult())
          .isEqualTo(ResponseApplySnapshotChunk.Result.ABORT);

      assertThat(offer(snapshotB, s, appHashAt10).getOfferSnapshot().getResult())
          .isEqualTo(ResponseOfferSnapshot.Result.ACCEPT);
      // A tampered chunk is refetched and its sender named.
      byte[] tampered = chunks.get(0).toByteArray();
      tampered[tampered.length - 1] ^= 1;
      ResponseApplySnapshotChunk retry = apply(snapshotB, 0, ByteString.copyFrom(tampered));
      assertThat(retry.getResult()).isEqualTo(ResponseApplySnapshotChunk.Result.RETRY);
      assertThat(retry.getRefetchChunksList()).containsExactly(0);
      assertThat(retry.getRejectSendersList()).containsExactly("peer-a");
      for (int i = 0; i < chunks.size(); i++) {
        assertThat(apply(snapshotB, i, chunks.get(i)).getResult())
            .as("chunk %d", i)
            .isEqualTo(ResponseApplySnapshotChunk.Result.ACCEPT);
      }

      ResponseInfo infoA = info(consensusA);
      ResponseInfo infoB = info(consensusB);
      assertThat(infoB.getLastBlockHeight()).isEqualTo(10).isEqualTo(infoA.getLastBlockHeight());
      assertThat(infoB.getLastBlockAppHash()).isEqualTo(appHashAt10);

      // The next block executes to the same app hash on both.
      List<byte[]> next = List.of(send(nonce, 30, 77), send(nonce + 1, 10, 1));
      ResponseFinalizeBlock a11 = consensusA.call(finalizeBlock(11, next)).getFinalizeBlock();
      ResponseFinalizeBlock b11 = consensusB.call(finalizeBlock(11, next)).getFinalizeBlock();
      assertThat(b11.getTxResultsList()).allMatch(r -> r.getCode() == 0);
      assertThat(b11.getAppHash()).isEqualTo(a11.getAppHash());
      assertThat(b11.getAppHash()).isNotEqualTo(appHashAt10);
      consensusA.call(COMMIT);
      consensusB.call(COMMIT);
      assertThat(info(consensusB).getLastBlockAppHash()).isEqualTo(a11.getAppHash());
    }
  }
}
