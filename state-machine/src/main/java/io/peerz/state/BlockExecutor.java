package io.peerz.state;

import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.StateReader;
import io.peerz.ledger.TxSignatures;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.TxBody;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.proto.Params;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Executes one block: each tx (ante, charge, message in a child buffer), then end of block. */
final class BlockExecutor {
  private static final Logger log = LoggerFactory.getLogger(BlockExecutor.class);

  private BlockExecutor() {}

  static BlockOutcome execute(
      StateReader committed, BlockContext ctx, List<byte[]> txs, TxSignatures signatures) {
    ChangeSet changes = new ChangeSet(committed);
    Store store = Store.writable(changes);
    Params params = store.params();
    store.putChain(store.chain().toBuilder().setHeight(ctx.height()).build());
    long epoch = MsgContext.epochOf(ctx.height(), params.getEpochLength());
    List<Event> finalizeEvents = new ArrayList<>();
    ValidatorUpdates validators = new ValidatorUpdates(store, params, epoch, finalizeEvents);
    validators.slash(ctx.misbehavior());
    List<TxResult> results = new ArrayList<>(txs.size());
    for (byte[] tx : txs) {
      TxResult r = executeTx(changes, params, ctx, epoch, tx, signatures);
      // Sized now, while its events are in the cache: the commit encodes the block's results
      // with the sizes remembered (12-13 -> 8.5 us per tx of encoding on a 4-validator testnet).
      r.getSerializedSize();
      results.add(r);
    }
    endBlockMarket(changes, params, ctx, epoch, finalizeEvents);
    if (ctx.height() % params.getEpochLength() == 0) {
      ChangeSet epochChanges = changes.child();
      List<Event> epochEvents = new ArrayList<>();
      try {
        new EpochTransition(Store.writable(epochChanges), params, epoch, epochEvents)
            .run(ctx.blockHash());
        epochChanges.commitInto();
        finalizeEvents.addAll(epochEvents);
        log.debug(
            "event=epoch_end epoch={} height={} events={}",
            epoch,
            ctx.height(),
            epochEvents.size());
      } catch (ArithmeticException e) {
        // An epoch whose payouts overflow is skipped as a whole rather than halting the chain.
        log.error(
            "event=epoch_skipped epoch={} height={} reason={}",
            epoch,
            ctx.height(),
            e.getMessage());
        finalizeEvents.add(
            MsgContext.event("epoch_skipped", "epoch", Long.toString(epoch), "reason", "overflow"));
      }
      validators.elect();
    }
    return new BlockOutcome(results, finalizeEvents, validators.updates(), changes);
  }

  /** Challenges, deadlines and job assignment (JobScheduler), before any epoch transition. */
  private static void endBlockMarket(
      ChangeSet changes, Params params, BlockContext ctx, long epoch, List<Event> out) {
    ChangeSet marketChanges = changes.child();
    Store store = Store.writable(marketChanges);
    List<Event> events = new ArrayList<>();
    MsgContext c =
        new MsgContext(store, new Bank(store), params, new byte[0], ctx.height(), epoch, events, 0);
    try {
      JobScheduler.endBlock(c, ctx.blockHash());
      marketChanges.commitInto();
      out.addAll(events);
    } catch (ArithmeticException e) {
      log.error("event=market_end_block_skipped height={} reason={}", ctx.height(), e.getMessage());
      out.add(MsgContext.event("market_skipped", "height", Long.toString(ctx.height())));
    }
  }

  private static TxResult executeTx(
      ChangeSet changes,
      Params params,
      BlockContext ctx,
      long epoch,
      byte[] raw,
      TxSignatures signatures) {
    Store store = Store.writable(changes);
    TxResult.Builder result = TxResult.newBuilder().setGasWanted(raw.length).setGasUsed(raw.length);
    Ante.Outcome ante = Ante.check(store::account, params, ctx.chainId(), raw, signatures);
    if (ante instanceof Ante.Failed f) {
      return failed(result, f.error(), f.log());
    }
    Ante.Passed passed = (Ante.Passed) ante;
    Ante.charge(store, passed);
    TxBody body = passed.tx().body();
    String action = action(body.getMsgCase());
    String sender = MsgContext.hex(passed.signer());
    result.addEvents(
        MsgContext.event(
            "tx",
            "fee",
            Long.toString(passed.fee()),
            "fee_payer",
            sender,
            "nonce",
            "" + body.getNonce()));
    result.addEvents(MsgContext.event("message", "action", action, "sender", sender));
    ChangeSet msgChanges = changes.child();
    Store msgStore = Store.writable(msgChanges);
    List<Event> events = new ArrayList<>();
    MsgContext c =
        new MsgContext(
            msgStore,
            new Bank(msgStore),
            params,
            passed.signer(),
            ctx.height(),
            epoch,
            events,
            passed.fee());
    try {
      dispatch(c, body);
      msgChanges.commitInto();
      return result.addAllEvents(events).build();
    } catch (Rejection r) {
      return failed(result, r.error, r.getMessage());
    } catch (ArithmeticException e) {
      return failed(
          result, ErrorCode.OVERFLOW, action + ": amount overflow (" + e.getMessage() + ")");
    }
  }

  private static TxResult failed(TxResult.Builder result, ErrorCode error, String log) {
    return result.setCode(error.code).setCodespace(error.codespace).setLog(log).build();
  }

  static String action(TxBody.MsgCase msgCase) {
    return msgCase.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void dispatch(MsgContext c, TxBody body) {
    switch (body.getMsgCase()) {
      case SEND -> Transfers.send(c, body.getSend());
      case REGISTER_SUBNET -> SubnetRegistry.register(c, body.getRegisterSubnet());
      case ACTIVATE_SUBNET -> SubnetRegistry.activate(c, body.getActivateSubnet());
      case REGISTER_NODE -> NodeRegistry.register(c, body.getRegisterNode());
      case ACTIVATE_NODE ->
          NodeRegistry.activate(
              c, body.getActivateNode().getSubnetId(), body.getActivateNode().getNodeId());
      case DEACTIVATE_NODE ->
          NodeRegistry.deactivate(
              c, body.getDeactivateNode().getSubnetId(), body.getDeactivateNode().getNodeId());
      case REACTIVATE_NODE ->
          NodeRegistry.reactivate(
              c, body.getReactivateNode().getSubnetId(), body.getReactivateNode().getNodeId());
      case REMOVE_NODE ->
          NodeRegistry.remove(
              c, body.getRemoveNode().getSubnetId(), body.getRemoveNode().getNodeId());
      case ADD_STAKE -> Staking.addStake(c, body.getAddStake());
      case REMOVE_STAKE -> Staking.removeStake(c, body.getRemoveStake());
      case CLAIM_UNBONDED -> Staking.claimUnbonded(c);
      case DELEGATE_STAKE -> Staking.delegate(c, body.getDelegateStake());
      case UNDELEGATE_STAKE -> Staking.undelegate(c, body.getUndelegateStake());
      case PROPOSE_SCORES -> ScoreRounds.propose(c, body.getProposeScores());
      case ATTEST -> ScoreRounds.attest(c, body.getAttest());
      case CREATE_VALIDATOR -> Validators.create(c, body.getCreateValidator());
      case BOND_VALIDATOR -> Validators.bond(c, body.getBondValidator());
      case UNBOND_VALIDATOR -> Validators.unbond(c, body.getUnbondValidator());
      case UNJAIL_VALIDATOR -> Validators.unjail(c);
      case REGISTER_EXECUTOR -> ExecutorRegistry.register(c, body.getRegisterExecutor());
      case CREATE_POOL -> Pools.create(c, body.getCreatePool());
      case JOIN_POOL -> Pools.join(c, body.getJoinPool());
      case LEAVE_POOL -> Pools.leave(c, body.getLeavePool());
      case CLOSE_POOL -> Pools.close(c, body.getClosePool());
      case SUBMIT_JOB -> Jobs.submit(c, body.getSubmitJob());
      case COMMIT_RESULT -> Jobs.commit(c, body.getCommitResult());
      case REVEAL_ROWS -> Jobs.reveal(c, body.getRevealRows());
      case SET_DATA_URL -> ExecutorRegistry.setDataUrl(c, body.getSetDataUrl());
      case CANCEL_JOB -> Jobs.cancel(c, body.getCancelJob());
      case REVEAL_ENTRIES -> DataJobs.reveal(c, body.getRevealEntries());
      case DISPUTE_ENTRY -> DataJobs.dispute(c, body.getDisputeEntry());
      case REQUEST_ROWS -> DataJobs.requestRows(c, body.getRequestRows());
      case POST_ROWS -> DataJobs.postRows(c, body.getPostRows());
      case REPORT_MISSING_INPUTS -> DataJobs.reportMissingInputs(c, body.getReportMissingInputs());
      case MSG_NOT_SET -> throw new IllegalStateException("ante lets no message-less tx through");
    }
  }
}
