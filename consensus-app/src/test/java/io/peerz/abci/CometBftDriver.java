package io.peerz.abci;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Timestamp;
import io.peerz.abci.proto.Request;
import io.peerz.abci.proto.RequestCheckTx;
import io.peerz.abci.proto.RequestCommit;
import io.peerz.abci.proto.RequestFinalizeBlock;
import io.peerz.abci.proto.RequestInfo;
import io.peerz.abci.proto.RequestInitChain;
import io.peerz.abci.proto.RequestPrepareProposal;
import io.peerz.abci.proto.RequestProcessProposal;
import io.peerz.abci.proto.RequestQuery;
import io.peerz.abci.proto.Response;
import io.peerz.abci.proto.ResponseCheckTx;
import io.peerz.abci.proto.ResponseFinalizeBlock;
import io.peerz.abci.proto.ResponseInfo;
import io.peerz.abci.proto.ResponseInitChain;
import io.peerz.abci.proto.ResponseProcessProposal;
import io.peerz.abci.proto.ResponseQuery;
import io.peerz.abci.proto.ValidatorUpdate;
import io.peerz.abci.proto.crypto.PublicKey;
import io.peerz.abci.proto.types.BlockParams;
import io.peerz.abci.proto.types.ConsensusParams;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Drives an ABCI server the way CometBFT v0.38 does, and fails where CometBFT would stop: its four
 * connections in the order of {@code proxy/multi_app_conn.go} (query, snapshot, mempool,
 * consensus), every synchronous request followed by Flush ({@code abci/client/socket_client.go}),
 * the handshake of {@code consensus/replay.go} (Info on the query connection; InitChain when the
 * application reports height 0), and CometBFT's checks on the answers: a {@code ResponseException}
 * on any connection stops the node, and a PrepareProposal whose txs exceed {@code max_tx_bytes} as
 * {@code types.ComputeProtoSizeForTxs} counts them makes the proposer panic.
 */
final class CometBftDriver implements AutoCloseable {

  /** CometBFT's default block.max_bytes (22020096, 21 MiB) in genesis consensus params. */
  static final long DEFAULT_MAX_BLOCK_BYTES = 22_020_096;

  /** What CometBFT's genesis.json holds for InitChain. */
  record Genesis(
      String chainId,
      long timeSeconds,
      List<Ed25519KeyPair> validators,
      String appStateJson,
      long maxBlockBytes) {

    Request initChain() {
      RequestInitChain.Builder b =
          RequestInitChain.newBuilder()
              .setTime(Timestamp.newBuilder().setSeconds(timeSeconds))
              .setChainId(chainId)
              .setConsensusParams(
                  ConsensusParams.newBuilder()
                      .setBlock(BlockParams.newBuilder().setMaxBytes(maxBlockBytes).setMaxGas(-1)))
              .setAppStateBytes(ByteString.copyFrom(appStateJson, StandardCharsets.UTF_8))
              .setInitialHeight(1);
      for (Ed25519KeyPair v : validators) {
        b.addValidators(
            ValidatorUpdate.newBuilder()
                .setPubKey(PublicKey.newBuilder().setEd25519(ByteString.copyFrom(v.publicKey())))
                .setPower(10));
      }
      return Request.newBuilder().setInitChain(b).build();
    }
  }

  /** CometBFT stopped (or panicked) on an answer: the message says what it would log. */
  static final class CometBftStopped extends AssertionError {
    CometBftStopped(String message) {
      super(message);
    }
  }

  private final AbciTestClient query;
  private final AbciTestClient snapshot;
  private final AbciTestClient mempool;
  private final AbciTestClient consensus;

  CometBftDriver(String address) throws IOException {
    query = new AbciTestClient(address);
    snapshot = new AbciTestClient(address);
    mempool = new AbciTestClient(address);
    consensus = new AbciTestClient(address);
  }

  private static Response call(AbciTestClient c, Request request) throws IOException {
    c.send(request).flush();
    Response r = c.read();
    if (r.hasException()) {
      // The server closes the connection after an exception, so no Flush answer follows.
      throw new CometBftStopped(
          request.getValueCase() + " answered ResponseException: " + r.getException().getError());
    }
    if (!c.read().hasFlush()) {
      throw new IOException("expected the flush response after " + r.getValueCase());
    }
    return r;
  }

  /** Info on the query connection, as the handshake starts. */
  ResponseInfo info() throws IOException {
    return call(query, Request.newBuilder().setInfo(RequestInfo.newBuilder()).build()).getInfo();
  }

  /**
   * The handshake: Info, and InitChain when the application reports height 0; returns the app hash
   * InitChain answered, or null when it was not sent.
   */
  byte[] handshake(Genesis genesis) throws IOException {
    if (info().getLastBlockHeight() != 0) {
      return null;
    }
    ResponseInitChain r = call(consensus, genesis.initChain()).getInitChain();
    return r.getAppHash().toByteArray();
  }

  ResponseCheckTx checkTx(byte[] tx) throws IOException {
    return call(
            mempool,
            Request.newBuilder()
                .setCheckTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(tx)))
                .build())
        .getCheckTx();
  }

  ResponseQuery query(String path, long height, boolean prove) throws IOException {
    return call(
            query,
            Request.newBuilder()
                .setQuery(RequestQuery.newBuilder().setPath(path).setHeight(height).setProve(prove))
                .build())
        .getQuery();
  }

  /**
   * PrepareProposal with {@code maxTxBytes} (CometBFT's maxDataBytes) and the reaped txs; then
   * CometBFT's own check of the answer ({@code types.Txs.Validate}).
   */
  List<ByteString> prepareProposal(long height, long maxTxBytes, List<byte[]> txs, byte[] proposer)
      throws IOException {
    RequestPrepareProposal.Builder b =
        RequestPrepareProposal.newBuilder()
            .setMaxTxBytes(maxTxBytes)
            .setHeight(height)
            .setTime(Timestamp.newBuilder().setSeconds(1_800_000_000L + height))
            .setProposerAddress(ByteString.copyFrom(proposer));
    txs.forEach(tx -> b.addTxs(ByteString.copyFrom(tx)));
    List<ByteString> out =
        call(consensus, Request.newBuilder().setPrepareProposal(b).build())
            .getPrepareProposal()
            .getTxsList();
    long size = computeProtoSizeForTxs(out);
    if (size > maxTxBytes) {
      throw new CometBftStopped(
          "CONSENSUS FAILURE!!! transaction data size exceeds maximum: "
              + size
              + " > "
              + maxTxBytes
              + " (consensus/state.go createProposalBlock)");
    }
    return out;
  }

  ResponseProcessProposal.ProposalStatus processProposal(
      long height, List<byte[]> txs, byte[] proposer) throws IOException {
    RequestProcessProposal.Builder b =
        RequestProcessProposal.newBuilder()
            .setHeight(height)
            .setHash(ByteString.copyFrom(blockHash(height)))
            .setTime(Timestamp.newBuilder().setSeconds(1_800_000_000L + height))
            .setProposerAddress(ByteString.copyFrom(proposer));
    txs.forEach(tx -> b.addTxs(ByteString.copyFrom(tx)));
    return call(consensus, Request.newBuilder().setProcessProposal(b).build())
        .getProcessProposal()
        .getStatus();
  }

  /** FinalizeBlock then Commit, as for a decided block. */
  ResponseFinalizeBlock finalizeAndCommit(long height, List<byte[]> txs, byte[] proposer)
      throws IOException {
    RequestFinalizeBlock.Builder b =
        RequestFinalizeBlock.newBuilder()
            .setHeight(height)
            .setHash(ByteString.copyFrom(blockHash(height)))
            .setTime(Timestamp.newBuilder().setSeconds(1_800_000_000L + height))
            .setProposerAddress(ByteString.copyFrom(proposer));
    txs.forEach(tx -> b.addTxs(ByteString.copyFrom(tx)));
    ResponseFinalizeBlock r =
        call(consensus, Request.newBuilder().setFinalizeBlock(b).build()).getFinalizeBlock();
    call(consensus, Request.newBuilder().setCommit(RequestCommit.getDefaultInstance()).build());
    return r;
  }

  static byte[] blockHash(long height) {
    return Sha256.hash(("block " + height).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * CometBFT's types.ComputeProtoSizeForTxs: the size of {@code tendermint.types.Data{txs}}, each
   * tx a length-delimited field 1.
   */
  static long computeProtoSizeForTxs(List<ByteString> txs) {
    long size = 0;
    for (ByteString tx : txs) {
      size += CodedOutputStream.computeBytesSize(1, tx);
    }
    return size;
  }

  @Override
  public void close() throws IOException {
    for (AbciTestClient c : List.of(query, snapshot, mempool, consensus)) {
      c.close();
    }
  }
}
