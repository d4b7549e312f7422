package io.peerz.abci;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.peerz.abci.proto.Event;
import io.peerz.abci.proto.EventAttribute;
import io.peerz.abci.proto.ExecTxResult;
import io.peerz.abci.proto.Misbehavior;
import io.peerz.abci.proto.MisbehaviorType;
import io.peerz.abci.proto.Request;
import io.peerz.abci.proto.RequestApplySnapshotChunk;
import io.peerz.abci.proto.RequestCheckTx;
import io.peerz.abci.proto.RequestFinalizeBlock;
import io.peerz.abci.proto.RequestInitChain;
import io.peerz.abci.proto.RequestOfferSnapshot;
import io.peerz.abci.proto.RequestPrepareProposal;
import io.peerz.abci.proto.RequestProcessProposal;
import io.peerz.abci.proto.RequestQuery;
import io.peerz.abci.proto.Response;
import io.peerz.abci.proto.ResponseApplySnapshotChunk;
import io.peerz.abci.proto.ResponseCheckTx;
import io.peerz.abci.proto.ResponseCommit;
import io.peerz.abci.proto.ResponseEcho;
import io.peerz.abci.proto.ResponseException;
import io.peerz.abci.proto.ResponseExtendVote;
import io.peerz.abci.proto.ResponseFinalizeBlock;
import io.peerz.abci.proto.ResponseFlush;
import io.peerz.abci.proto.ResponseInfo;
import io.peerz.abci.proto.ResponseInitChain;
import io.peerz.abci.proto.ResponseListSnapshots;
import io.peerz.abci.proto.ResponseLoadSnapshotChunk;
import io.peerz.abci.proto.ResponseOfferSnapshot;
import io.peerz.abci.proto.ResponsePrepareProposal;
import io.peerz.abci.proto.ResponseProcessProposal;
import io.peerz.abci.proto.ResponseQuery;
import io.peerz.abci.proto.ResponseVerifyVoteExtension;
import io.peerz.abci.proto.Snapshot;
import io.peerz.abci.proto.ValidatorUpdate;
import io.peerz.abci.proto.crypto.ProofOp;
import io.peerz.abci.proto.crypto.ProofOps;
import io.peerz.abci.proto.crypto.PublicKey;
import io.peerz.consensus.Application;
import io.peerz.ledger.StateSnapshot;
import io.peerz.ledger.proto.TxResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Translates ABCI 2.0 requests into {@link Application} calls and their results into responses.
 *
 * <p>One adapter serves all connections of a server. Application calls are serialized by one lock,
 * as CometBFT's own socket server and local client do, so consensus, mempool and snapshot requests
 * never run concurrently. Query is the exception: the Application contract says query may be called
 * from any thread and reads committed state only, so a slow query never stalls consensus.
 */
final class ApplicationAdapter {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ApplicationAdapter.class);

  /** The proof op type peerz answers a proving query with; its data is a state-store proof. */
  static final String PROOF_OP_TYPE = "peerz:smt";

  /**
   * The largest block.max_bytes accepted at InitChain: CometBFT's largest block
   * (types.MaxBlockSizeBytes). No request of a chain with blocks this size exceeds the frame limit.
   */
  static final long MAX_BLOCK_BYTES = AbciServer.MAX_FRAME_BYTES;

  private final Application app;
  private final ReentrantLock appLock = new ReentrantLock();

  ApplicationAdapter(Application app) {
    this.app = app;
  }

  /**
   * The response to one request.
   *
   * @throws AbciException when the request cannot be served; the connection then answers with a
   *     ResponseException and closes, which halts CometBFT (it cannot go on without the answer)
   */
  Response handle(Request request) {
    return switch (request.getValueCase()) {
      case ECHO ->
          Response.newBuilder()
              .setEcho(ResponseEcho.newBuilder().setMessage(request.getEcho().getMessage()))
              .build();
      case FLUSH -> Response.newBuilder().setFlush(ResponseFlush.getDefaultInstance()).build();
      case QUERY -> Response.newBuilder().setQuery(query(request.getQuery())).build();
      case VALUE_NOT_SET -> throw unknown(request);
      default -> {
        appLock.lock();
        try {
          yield serialized(request);
        } finally {
          appLock.unlock();
        }
      }
    };
  }

  private Response serialized(Request request) {
    Response.Builder r = Response.newBuilder();
    return switch (request.getValueCase()) {
      case INFO -> r.setInfo(info()).build();
      case INIT_CHAIN -> r.setInitChain(initChain(request.getInitChain())).build();
      case CHECK_TX -> r.setCheckTx(checkTx(request.getCheckTx())).build();
      case PREPARE_PROPOSAL ->
          r.setPrepareProposal(prepareProposal(request.getPrepareProposal())).build();
      case PROCESS_PROPOSAL ->
          r.setProcessProposal(processProposal(request.getProcessProposal())).build();
      case EXTEND_VOTE ->
          // peerz uses no vote extensions: an empty one is what CometBFT expects when there is
          // none.
          r.setExtendVote(ResponseExtendVote.getDefaultInstance()).build();
      case VERIFY_VOTE_EXTENSION ->
          r.setVerifyVoteExtension(
                  ResponseVerifyVoteExtension.newBuilder()
                      .setStatus(ResponseVerifyVoteExtension.VerifyStatus.ACCEPT))
              .build();
      case FINALIZE_BLOCK -> r.setFinalizeBlock(finalizeBlock(request.getFinalizeBlock())).build();
      case COMMIT -> {
        app.commit();
        // retain_height 0: CometBFT keeps every block; peerz's replay needs them all.
        yield r.setCommit(ResponseCommit.newBuilder().setRetainHeight(0)).build();
      }
      case LIST_SNAPSHOTS -> r.setListSnapshots(listSnapshots()).build();
      case OFFER_SNAPSHOT -> r.setOfferSnapshot(offerSnapshot(request.getOfferSnapshot())).build();
      case LOAD_SNAPSHOT_CHUNK ->
          r.setLoadSnapshotChunk(
                  ResponseLoadSnapshotChunk.newBuilder()
                      .setChunk(
                          bytes(
                              app.loadSnapshotChunk(
                                  request.getLoadSnapshotChunk().getHeight(),
                                  request.getLoadSnapshotChunk().getFormat(),
                                  request.getLoadSnapshotChunk().getChunk()))))
              .build();
      case APPLY_SNAPSHOT_CHUNK ->
          r.setApplySnapshotChunk(applySnapshotChunk(request.getApplySnapshotChunk())).build();
      case ECHO, FLUSH, QUERY, VALUE_NOT_SET -> throw new IllegalStateException("handled above");
    };
  }

  static Response exception(String message) {
    return Response.newBuilder()
        .setException(ResponseException.newBuilder().setError(message))
        .build();
  }

  private static AbciException unknown(Request request) {
    String fields = request.getUnknownFields().asMap().keySet().toString();
    return new AbciException(
        "unknown request (fields "
            + fields
            + "); BeginBlock (7), DeliverTx (9) and EndBlock (10) are from ABCI before 2.0:"
            + " peerz speaks CometBFT v0.38");
  }

  private ResponseListSnapshots listSnapshots() {
    ResponseListSnapshots.Builder out = ResponseListSnapshots.newBuilder();
    for (StateSnapshot s : app.listSnapshots()) {
      out.addSnapshots(
          Snapshot.newBuilder()
              .setHeight(s.height())
              .setFormat(s.format())
              .setChunks(s.chunks())
              .setHash(bytes(s.hash()))
              .setMetadata(bytes(s.metadata())));
    }
    return out.build();
  }

  private ResponseOfferSnapshot offerSnapshot(RequestOfferSnapshot request) {
    Snapshot s = request.getSnapshot();
    // uint64 / uint32 on the wire: a height past Long.MAX_VALUE reads negative and is refused.
    StateSnapshot offered =
        new StateSnapshot(
            s.getHeight(),
            s.getFormat(),
            s.getChunks(),
            s.getHash().toByteArray(),
            s.getMetadata().toByteArray());
    Application.OfferResult result =
        s.getHeight() <= 0 || s.getChunks() <= 0
            ? Application.OfferResult.REJECT
            : app.offerSnapshot(offered, request.getAppHash().toByteArray());
    return ResponseOfferSnapshot.newBuilder()
        .setResult(ResponseOfferSnapshot.Result.valueOf(result.name()))
        .build();
  }

  private ResponseApplySnapshotChunk applySnapshotChunk(RequestApplySnapshotChunk request) {
    Application.ApplyChunkResponse response =
        app.applySnapshotChunk(
            request.getIndex(), request.getChunk().toByteArray(), request.getSender());
    return ResponseApplySnapshotChunk.newBuilder()
        .setResult(ResponseApplySnapshotChunk.Result.valueOf(response.result().name()))
        .addAllRefetchChunks(response.refetchChunks())
        .addAllRejectSenders(response.rejectSenders())
        .build();
  }

  private ResponseInfo info() {
    Application.InfoResponse info = app.info();
    return ResponseInfo.newBuilder()
        .setData(nullToEmpty(info.data()))
        .setVersion(nullToEmpty(info.version()))
        .setAppVersion(info.appVersion())
        .setLastBlockHeight(info.lastBlockHeight())
        .setLastBlockAppHash(bytes(info.lastBlockAppHash()))
        .build();
  }

  private ResponseInitChain initChain(RequestInitChain request) {
    long maxBlockBytes = request.getConsensusParams().getBlock().getMaxBytes();
    if (request.hasConsensusParams() && (maxBlockBytes < 0 || maxBlockBytes > MAX_BLOCK_BYTES)) {
      // With -1 CometBFT hands PrepareProposal its whole mempool (1 GB by default), a frame the
      // server refuses mid-chain; refusing the genesis now is the clearer failure.
      throw new AbciException(
          "consensus_params.block.max_bytes is "
              + maxBlockBytes
              + ": peerz needs a positive block size of at most "
              + MAX_BLOCK_BYTES
              + " bytes (CometBFT's default is 22020096), because every ABCI request must fit"
              + " its "
              + AbciServer.MAX_FRAME_BYTES
              + "-byte frame limit and with -1 PrepareProposal carries the whole mempool; set"
              + " it in genesis.json");
    }
    List<io.peerz.ledger.proto.ValidatorUpdate> validators = new ArrayList<>();
    for (ValidatorUpdate v : request.getValidatorsList()) {
      validators.add(toLedger(v));
    }
    Application.InitChainResponse response =
        app.initChain(
            new Application.InitChainRequest(
                millis(request.getTime()),
                request.getChainId(),
                validators,
                request.getAppStateBytes().toByteArray(),
                request.getInitialHeight()));
    ResponseInitChain.Builder out =
        ResponseInitChain.newBuilder().setAppHash(bytes(response.appHash()));
    for (io.peerz.ledger.proto.ValidatorUpdate v : response.validators()) {
      out.addValidators(toAbci(v));
    }
    return out.build();
  }

  private ResponseCheckTx checkTx(RequestCheckTx request) {
    Application.CheckTxKind kind =
        switch (request.getType()) {
          case NEW -> Application.CheckTxKind.NEW;
          case RECHECK -> Application.CheckTxKind.RECHECK;
          case UNRECOGNIZED ->
              throw new AbciException(
                  "unknown CheckTx type " + request.getTypeValue() + " (NEW=0, RECHECK=1)");
        };
    TxResult result = app.checkTx(request.getTx().toByteArray(), kind);
    return ResponseCheckTx.newBuilder()
        .setCode(result.getCode())
        .setData(result.getData())
        .setLog(result.getLog())
        .setInfo(result.getInfo())
        .setGasWanted(result.getGasWanted())
        .setGasUsed(result.getGasUsed())
        .addAllEvents(toAbci(result.getEventsList()))
        .setCodespace(result.getCodespace())
        .build();
  }

  private ResponsePrepareProposal prepareProposal(RequestPrepareProposal request) {
    List<byte[]> txs =
        app.prepareProposal(
            new Application.PrepareProposalRequest(
                request.getMaxTxBytes(),
                byteArrays(request.getTxsList()),
                request.getHeight(),
                millis(request.getTime()),
                request.getProposerAddress().toByteArray()));
    ResponsePrepareProposal.Builder out = ResponsePrepareProposal.newBuilder();
    for (byte[] tx : txs) {
      out.addTxs(ByteString.copyFrom(tx));
    }
    return out.build();
  }

  private ResponseProcessProposal processProposal(RequestProcessProposal request) {
    boolean accept =
        app.processProposal(
            new Application.ProcessProposalRequest(
                byteArrays(request.getTxsList()),
                request.getHash().toByteArray(),
                request.getHeight(),
                millis(request.getTime()),
                request.getProposerAddress().toByteArray()));
    return ResponseProcessProposal.newBuilder()
        .setStatus(
            accept
                ? ResponseProcessProposal.ProposalStatus.ACCEPT
                : ResponseProcessProposal.ProposalStatus.REJECT)
        .build();
  }

  private ResponseFinalizeBlock finalizeBlock(RequestFinalizeBlock request) {
    Application.FinalizeBlockResponse response =
        app.finalizeBlock(
            new Application.FinalizeBlockRequest(
                byteArrays(request.getTxsList()),
                request.getHash().toByteArray(),
                request.getHeight(),
                millis(request.getTime()),
                request.getProposerAddress().toByteArray(),
                duplicateVotes(request.getMisbehaviorList())));
    if (response.txResults().size() != request.getTxsCount()) {
      // CometBFT refuses such a response anyway; saying why here saves a debugging session.
      throw new AbciException(
          "application returned "
              + response.txResults().size()
              + " tx results for "
              + request.getTxsCount()
              + " txs at height "
              + request.getHeight());
    }
    ResponseFinalizeBlock.Builder out =
        ResponseFinalizeBlock.newBuilder()
            .addAllEvents(toAbci(response.events()))
            .setAppHash(bytes(response.appHash()));
    for (TxResult result : response.txResults()) {
      out.addTxResults(
          ExecTxResult.newBuilder()
              .setCode(result.getCode())
              .setData(result.getData())
              .setLog(result.getLog())
              .setInfo(result.getInfo())
              .setGasWanted(result.getGasWanted())
              .setGasUsed(result.getGasUsed())
              .addAllEvents(toAbci(result.getEventsList()))
              .setCodespace(result.getCodespace()));
    }
    for (io.peerz.ledger.proto.ValidatorUpdate v : response.validatorUpdates()) {
      out.addValidatorUpdates(toAbci(v));
    }
    return out.build();
  }

  private ResponseQuery query(RequestQuery request) {
    Application.QueryResponse response =
        app.query(
            new Application.QueryRequest(
                request.getPath(),
                request.getData().toByteArray(),
                request.getHeight(),
                request.getProve()));
    ResponseQuery.Builder out =
        ResponseQuery.newBuilder()
            .setCode(response.code())
            .setCodespace(nullToEmpty(response.codespace()))
            .setLog(nullToEmpty(response.log()))
            .setKey(bytes(response.key()))
            .setValue(bytes(response.value()))
            .setHeight(response.height());
    if (response.proof() != null) {
      out.setProofOps(
          ProofOps.newBuilder()
              .addOps(
                  ProofOp.newBuilder()
                      .setType(PROOF_OP_TYPE)
                      .setKey(bytes(response.key()))
                      .setData(ByteString.copyFrom(response.proof()))));
    }
    return out.build();
  }

  /**
   * CometBFT's duplicate-vote misbehavior, which the state machine slashes; light-client attacks
   * are not slashed by peerz and are left out.
   */
  static List<Application.Misbehavior> duplicateVotes(List<Misbehavior> misbehavior) {
    List<Application.Misbehavior> out = new ArrayList<>();
    for (Misbehavior m : misbehavior) {
      if (m.getType() != MisbehaviorType.DUPLICATE_VOTE) {
        log.info("event=misbehavior_not_slashed type={} height={}", m.getType(), m.getHeight());
        continue;
      }
      out.add(
          new Application.Misbehavior(
              m.getValidator().getAddress().toByteArray(),
              m.getValidator().getPower(),
              m.getHeight(),
              m.getTotalVotingPower()));
    }
    return out;
  }

  static io.peerz.ledger.proto.ValidatorUpdate toLedger(ValidatorUpdate v) {
    PublicKey key = v.getPubKey();
    if (key.getSumCase() != PublicKey.SumCase.ED25519) {
      throw new AbciException(
          "validator key type "
              + key.getSumCase().name().toLowerCase(java.util.Locale.ROOT)
              + " is not supported: peerz validators use ed25519 keys (genesis validators and"
              + " consensus_params.validator.pub_key_types must be ed25519)");
    }
    return io.peerz.ledger.proto.ValidatorUpdate.newBuilder()
        .setPubKey(key.getEd25519())
        .setPower(v.getPower())
        .build();
  }

  static ValidatorUpdate toAbci(io.peerz.ledger.proto.ValidatorUpdate v) {
    return ValidatorUpdate.newBuilder()
        .setPubKey(PublicKey.newBuilder().setEd25519(v.getPubKey()))
        .setPower(v.getPower())
        .build();
  }

  static List<Event> toAbci(List<io.peerz.ledger.proto.Event> events) {
    List<Event> out = new ArrayList<>(events.size());
    for (io.peerz.ledger.proto.Event e : events) {
      Event.Builder b = Event.newBuilder().setType(e.getType());
      for (io.peerz.ledger.proto.EventAttribute a : e.getAttributesList()) {
        b.addAttributes(
            EventAttribute.newBuilder()
                .setKey(a.getKey())
                .setValue(a.getValue())
                .setIndex(a.getIndex()));
      }
      out.add(b.build());
    }
    return out;
  }

  /**
   * Block time in milliseconds, as the Application takes it; CometBFT's nanoseconds below the
   * millisecond are truncated, the same way on every node.
   */
  static long millis(Timestamp t) {
    return Math.addExact(Math.multiplyExact(t.getSeconds(), 1000L), t.getNanos() / 1_000_000);
  }

  private static List<byte[]> byteArrays(List<ByteString> txs) {
    List<byte[]> out = new ArrayList<>(txs.size());
    for (ByteString tx : txs) {
      out.add(tx.toByteArray());
    }
    return out;
  }

  private static ByteString bytes(byte[] b) {
    return b == null ? ByteString.EMPTY : ByteString.copyFrom(b);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
