package io.peerz.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.peerz.ledger.Address;
import io.peerz.ledger.StateReader;
import io.peerz.state.proto.Account;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.ColdkeyQuota;
import io.peerz.state.proto.ConsensusValidator;
import io.peerz.state.proto.Delegation;
import io.peerz.state.proto.EpochWork;
import io.peerz.state.proto.HardwareClassParam;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.NodeRef;
import io.peerz.state.proto.Params;
import io.peerz.state.proto.Payout;
import io.peerz.state.proto.Score;
import io.peerz.state.proto.ScoreRound;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.Supply;
import io.peerz.state.proto.Unbonding;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Answers query paths with JSON: integers as strings, addresses 0x.., enums lower-case words. */
final class Queries {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PATHS =
      "/account/<0xaddr>, /subnet/<id>, /subnets, /node/<subnet>/<id>, /nodes/<subnet>, /epoch,"
          + " /params, /delegation/<subnet>/<0xaddr>, /scores/<subnet>/<epoch>, /supply,"
          + " /validator/<0xaddr>, /validators,"
          + " /pool/<id>, /pools, /job/<id>, /executor/<0xaddr>, /executor/<0xaddr>/jobs,"
          + " /executors/<subnet>, /work/<subnet>/<epoch>, /job-fit/<id>, /stats";

  private final Store store;

  Queries(StateReader committed) {
    this.store = Store.readOnly(committed);
  }

  /** A query's failure. */
  static final class Failure extends RuntimeException {
    final ErrorCode error;

    Failure(ErrorCode error, String log) {
      super(log, null, false, false);
      this.error = error;
    }
  }

  QueryResult answer(String path) {
    try {
      if (!store.hasGenesis()) {
        // A node that state-syncs serves queries before it has any state (CometBFT starts its
        // RPC first); an answer beats an exception, which would stop CometBFT.
        throw new Failure(
            ErrorCode.NO_STATE,
            "the node has no state yet: genesis has not been executed (InitChain) or state sync"
                + " has not finished; retry once the node has caught up");
      }
      String[] p = (path == null ? "" : path).split("/", -1);
      if (p.length < 2 || !p[0].isEmpty()) {
        throw new Failure(ErrorCode.UNKNOWN_PATH, "unknown path '" + path + "'; paths: " + PATHS);
      }
      return switch (p[1] + "#" + (p.length - 1)) {
        case "account#2" -> account(address(p[2]));
        case "subnet#2" -> ok(Keys.subnet(id(p[2])), subnet(existingSubnet(id(p[2]))));
        case "subnets#1" -> subnets();
        case "node#3" -> node(id(p[2]), id(p[3]));
        case "nodes#2" -> nodes(id(p[2]));
        case "epoch#1" -> ok(Keys.CHAIN, epoch());
        case "params#1" -> ok(Keys.PARAMS, params(store.params()));
        case "delegation#3" -> delegation(id(p[2]), address(p[3]));
        case "scores#3" -> scores(id(p[2]), id(p[3]));
        case "supply#1" -> ok(Keys.SUPPLY, supply());
        case "validator#2" -> validator(address(p[2]));
        case "validators#1" -> validators();
        case "pool#2" -> ok(Keys.pool(id(p[2])), MarketJson.pool(store, existingPool(id(p[2]))));
        case "pools#1" -> pools();
        case "job#2" -> ok(Keys.job(id(p[2])), MarketJson.job(store, existingJob(id(p[2]))));
        case "job-fit#2" -> jobFit(existingJob(id(p[2])));
        case "executor#2" ->
            ok(
                Keys.executor(address(p[2])),
                MarketJson.executor(store, existingExecutor(address(p[2]))));
        case "executor#3" -> executorJobs(address(p[2]), p[3]);
        case "executors#2" -> executors(id(p[2]));
        case "work#3" -> work(id(p[2]), id(p[3]));
        case "stats#1" -> list(Keys.CHAIN, ChainStats.of(store));
        default ->
            throw new Failure(
                ErrorCode.UNKNOWN_PATH, "unknown path '" + path + "'; paths: " + PATHS);
      };
    } catch (Failure f) {
      return QueryResult.failure(f.error, f.getMessage());
    }
  }

  private QueryResult account(byte[] addr) {
    Account a = store.account(addr);
    long epoch = currentEpoch();
    ObjectNode o = JSON.createObjectNode();
    o.put("address", MsgContext.hex(addr));
    o.put("balance", s(a.getBalance()));
    o.put("nonce", s(a.getNonce()));
    long staked = 0;
    ArrayNode nodes = o.putArray("nodes");
    for (NodeRef r : store.coldNodes(addr)) {
      Node n = store.node(r.getSubnetId(), r.getNodeId());
      staked += n.getStake();
      nodes
          .addObject()
          .put("subnet_id", s(n.getSubnetId()))
          .put("node_id", s(n.getId()))
          .put("stake", s(n.getStake()));
    }
    o.put("staked", s(staked));
    ArrayNode delegations = o.putArray("delegations");
    for (long[] d : store.delegationsOf(addr)) {
      Subnet sn = store.subnet(d[0]);
      delegations
          .addObject()
          .put("subnet_id", s(d[0]))
          .put("shares", s(d[1]))
          .put("value", s(value(sn, d[1])));
    }
    long unbonding = 0;
    ArrayNode entries = o.putArray("unbonding");
    for (Unbonding u : a.getUnbondingList()) {
      unbonding += u.getAmount();
      entries
          .addObject()
          .put("amount", s(u.getAmount()))
          .put("release_epoch", s(u.getReleaseEpoch()))
          .put("claimable", u.getReleaseEpoch() <= epoch);
    }
    o.put("unbonding_total", s(unbonding));
    return ok(Keys.account(addr), o);
  }

  private ObjectNode subnet(Subnet sn) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", s(sn.getId()));
    o.put("owner", MsgContext.hex(sn.getOwner().toByteArray()));
    o.put("name", sn.getName());
    o.put("repo", sn.getRepo());
    o.put("description", sn.getDescription());
    o.put("misc", sn.getMisc());
    o.put("status", word(sn.getStatus().name(), "SUBNET_STATUS_"));
    o.put("churn_limit", s(Integer.toUnsignedLong(sn.getChurnLimit())));
    o.put("min_stake", s(sn.getMinStake()));
    o.put("max_stake", s(sn.getMaxStake()));
    o.put(
        "delegate_stake_percentage_ppm",
        s(Integer.toUnsignedLong(sn.getDelegateStakePercentagePpm())));
    o.put("node_queue_epochs", s(Integer.toUnsignedLong(sn.getNodeQueueEpochs())));
    o.put(
        "idle_classification_epochs", s(Integer.toUnsignedLong(sn.getIdleClassificationEpochs())));
    o.put(
        "included_classification_epochs",
        s(Integer.toUnsignedLong(sn.getIncludedClassificationEpochs())));
    o.put("max_node_penalties", s(Integer.toUnsignedLong(sn.getMaxNodePenalties())));
    ArrayNode cold = o.putArray("initial_coldkeys");
    for (ColdkeyQuota q : sn.getInitialColdkeysList()) {
      cold.addObject()
          .put("address", MsgContext.hex(q.getAddress().toByteArray()))
          .put("max_nodes", s(Integer.toUnsignedLong(q.getMaxNodes())))
          .put("registered", s(Integer.toUnsignedLong(q.getRegistered())));
    }
    o.put("max_registered_nodes", s(Integer.toUnsignedLong(sn.getMaxRegisteredNodes())));
    ArrayNode kt = o.putArray("key_types");
    for (int v : sn.getKeyTypesList()) {
      io.peerz.ledger.proto.KeyType t = io.peerz.ledger.proto.KeyType.forNumber(v);
      kt.add(t == null ? Integer.toString(v) : word(t.name(), "KEY_TYPE_"));
    }
    ArrayNode boot = o.putArray("bootnodes");
    sn.getBootnodesList().forEach(boot::add);
    o.put("registered_height", s(sn.getRegisteredHeight()));
    o.put("registration_cost", s(sn.getRegistrationCost()));
    o.put("activated_epoch", s(sn.getActivatedEpoch()));
    o.put("node_count", s(sn.getNodeCount()));
    o.put(
        "active_nodes",
        s(store.nodes(sn.getId()).stream().filter(SubnetRegistry::isActive).count()));
    o.put("delegation_pool", s(sn.getDelegationPool()));
    o.put("delegation_shares", s(sn.getDelegationShares()));
    return o;
  }

  private QueryResult subnets() {
    ObjectNode o = JSON.createObjectNode();
    ArrayNode list = o.putArray("subnets");
    for (Subnet sn : store.subnets()) {
      list.add(subnet(sn));
    }
    return list(Keys.SUBNET, o);
  }

  private QueryResult node(long subnetId, long nodeId) {
    existingSubnet(subnetId);
    Node n = store.node(subnetId, nodeId);
    if (n == null) {
      throw new Failure(
          ErrorCode.NOT_FOUND, "node " + nodeId + " does not exist in subnet " + subnetId);
    }
    return ok(Keys.node(subnetId, nodeId), node(n));
  }

  private ObjectNode node(Node n) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", s(n.getId()));
    o.put("subnet_id", s(n.getSubnetId()));
    o.put("coldkey", MsgContext.hex(n.getColdkey().toByteArray()));
    o.put("hotkey", MsgContext.hex(n.getHotkey().toByteArray()));
    o.put("peer_id", n.getPeerId());
    o.put("bootnode_peer_id", n.getBootnodePeerId());
    o.put("client_peer_id", n.getClientPeerId());
    o.put("bootnode", n.getBootnode());
    o.put("delegate_reward_rate_ppm", s(Integer.toUnsignedLong(n.getDelegateRewardRatePpm())));
    o.put("stake", s(n.getStake()));
    o.put("class", word(n.getClass_().name(), "NODE_CLASS_"));
    o.put("active", SubnetRegistry.isActive(n));
    o.put("deactivated", n.getDeactivated());
    o.put("class_since_epoch", s(n.getClassSinceEpoch()));
    o.put("registered_epoch", s(n.getRegisteredEpoch()));
    o.put("start_epoch", s(n.getStartEpoch()));
    o.put(
        "activation_deadline_epoch",
        s(n.getStartEpoch() + store.params().getActivationGraceEpochs()));
    o.put("penalties", s(Integer.toUnsignedLong(n.getPenalties())));
    o.put("rewards_total", s(n.getRewardsTotal()));
    return o;
  }

  private QueryResult nodes(long subnetId) {
    existingSubnet(subnetId);
    ObjectNode o = JSON.createObjectNode();
    o.put("subnet_id", s(subnetId));
    ArrayNode list = o.putArray("nodes");
    for (Node n : store.nodes(subnetId)) {
      list.add(node(n));
    }
    return list(Keys.nodesOf(subnetId), o);
  }

  private ObjectNode epoch() {
    Params p = store.params();
    Chain c = store.chain();
    long epoch = currentEpoch();
    ObjectNode o = JSON.createObjectNode();
    o.put("epoch", s(epoch));
    o.put("height", s(c.getHeight()));
    o.put("epoch_length", s(p.getEpochLength()));
    o.put("next_epoch_height", s((epoch + 1) * p.getEpochLength() + 1));
    Chain decayed = RegistrationCost.decayed(c, p, c.getHeight() + 1);
    o.put("subnet_registration_cost", s(RegistrationCost.cost(decayed, p)));
    o.put("recent_registrations", s(decayed.getRecentRegistrations()));
    o.put("emission_carry", s(c.getEmissionCarry()));
    return o;
  }

  static ObjectNode params(Params p) {
    ObjectNode o = JSON.createObjectNode();
    for (FieldDescriptor fd : Params.getDescriptor().getFields()) {
      if (fd.getNumber() == Params.HARDWARE_CLASSES_FIELD_NUMBER) {
        ArrayNode classes = o.putArray(fd.getName());
        for (HardwareClassParam c : p.getHardwareClassesList()) {
          classes
              .addObject()
              .put("name", c.getName())
              .put("min_vram_mib", s(c.getMinVramMib()))
              .put("relative_value_ppm", s(c.getRelativeValuePpm()))
              .put("benchmark_millis", s(c.getBenchmarkMillis()));
        }
      } else if (fd.getJavaType() == FieldDescriptor.JavaType.STRING) {
        o.put(fd.getName(), (String) p.getField(fd));
      } else {
        o.put(fd.getName(), s((Long) p.getField(fd)));
      }
    }
    return o;
  }

  private QueryResult delegation(long subnetId, byte[] addr) {
    Subnet sn = existingSubnet(subnetId);
    Delegation d = store.delegation(addr, subnetId);
    ObjectNode o = JSON.createObjectNode();
    o.put("subnet_id", s(subnetId));
    o.put("address", MsgContext.hex(addr));
    o.put("shares", s(d.getShares()));
    o.put("value", s(value(sn, d.getShares())));
    o.put("pool", s(sn.getDelegationPool()));
    o.put("total_shares", s(sn.getDelegationShares()));
    return ok(Keys.delegation(addr, subnetId), o);
  }

  private QueryResult scores(long subnetId, long epoch) {
    existingSubnet(subnetId);
    ScoreRound r = store.round(subnetId, epoch);
    EpochWork w = store.epochWork(subnetId, epoch);
    if (r == null && w == null) {
      throw new Failure(
          ErrorCode.NOT_FOUND,
          "subnet " + subnetId + " had no score round and no verified work in epoch " + epoch);
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("subnet_id", s(subnetId));
    o.put("epoch", s(epoch));
    o.set("compute", MarketJson.work(subnetId, epoch, w));
    if (r == null) {
      o.put("outcome", "none");
      return ok(Keys.work(subnetId, epoch), o);
    }
    o.put("outcome", word(r.getOutcome().name(), "ROUND_OUTCOME_"));
    o.put("proposer_node_id", s(r.getProposerNodeId()));
    ArrayNode validators = o.putArray("validators");
    r.getValidatorsList().forEach(v -> validators.add(s(v)));
    o.put("proposed", r.getProposed());
    ArrayNode proposal = o.putArray("proposal");
    for (Score sc : r.getScoresList()) {
      proposal.addObject().put("node_id", s(sc.getNodeId())).put("score", s(sc.getScore()));
    }
    ArrayNode att = o.putArray("attestations");
    r.getAttestationsList().forEach(v -> att.add(s(v)));
    o.put("emission", s(r.getEmission()));
    o.put("owner_reward", s(r.getOwnerReward()));
    o.put("delegator_reward", s(r.getDelegatorReward()));
    ArrayNode payouts = o.putArray("payouts");
    for (Payout p : r.getPayoutsList()) {
      payouts
          .addObject()
          .put("node_id", s(p.getNodeId()))
          .put("coldkey", MsgContext.hex(p.getColdkey().toByteArray()))
          .put("amount", s(p.getAmount()));
    }
    o.put("remainder", s(r.getRemainder()));
    o.put("proposer_penalised", r.getProposerPenalised());
    return ok(Keys.round(subnetId, epoch), o);
  }

  private ObjectNode supply() {
    Supply sp = store.supply();
    ObjectNode o = JSON.createObjectNode();
    o.put("total", s(sp.getTotal()));
    o.put("genesis", s(sp.getGenesis()));
    o.put("minted", s(sp.getMinted()));
    o.put("burned", s(sp.getBurned()));
    o.put("fee_collector", s(store.feeCollector()));
    o.put("market_escrow", s(store.escrow()));
    return o;
  }

  /** A validator by its consensus address, or by its operator's account address. */
  private QueryResult validator(byte[] addr) {
    ConsensusValidator v = store.validator(addr);
    if (v == null) {
      byte[] operated = store.validatorOf(addr);
      v = operated == null ? null : store.validator(operated);
    }
    if (v == null) {
      throw new Failure(
          ErrorCode.NOT_FOUND,
          MsgContext.hex(addr) + " is neither a validator's consensus address nor an operator's");
    }
    return ok(Keys.validator(Validators.address(v)), validator(v));
  }

  private QueryResult validators() {
    ObjectNode o = JSON.createObjectNode();
    ArrayNode list = o.putArray("validators");
    for (ConsensusValidator v : store.validators()) {
      list.add(validator(v));
    }
    return list(Keys.VALIDATOR, o);
  }

  private ObjectNode validator(ConsensusValidator v) {
    ObjectNode o = JSON.createObjectNode();
    o.put("address", MsgContext.hex(Validators.address(v)));
    o.put("pub_key", java.util.Base64.getEncoder().encodeToString(v.getPubKey().toByteArray()));
    o.put("operator", MsgContext.hex(v.getOperator().toByteArray()));
    o.put("bonded", s(v.getBonded()));
    o.put("genesis_power", s(v.getGenesisPower()));
    o.put("power", s(v.getPower()));
    o.put("next_power", s(Validators.power(v, store.params())));
    o.put("jailed", v.getJailed());
    o.put("jailed_until_epoch", s(v.getJailedUntilEpoch()));
    ArrayNode slashed = o.putArray("slashed_heights");
    v.getSlashedHeightsList().forEach(h -> slashed.add(s(h)));
    o.put("created_height", s(v.getCreatedHeight()));
    return o;
  }

  private QueryResult pools() {
    ObjectNode o = JSON.createObjectNode();
    ArrayNode list = o.putArray("pools");
    store.scan(
        Keys.POOL,
        (k, v) -> {
          list.add(MarketJson.pool(store, Store.parse(v, io.peerz.state.proto.Pool::parseFrom)));
          return true;
        });
    return list(Keys.POOL, o);
  }

  /**
   * For every member of the job's pool, in address order: eligible, or the first rule that keeps it
   * from the job (JobScheduler.exclusion, the scheduler's own rules).
   */
  private QueryResult jobFit(io.peerz.state.proto.Job job) {
    ObjectNode o = JSON.createObjectNode();
    o.put("job_id", s(job.getId()));
    o.put("status", Jobs.status(job.getStatus()));
    o.put("pool_id", s(job.getPoolId()));
    io.peerz.state.proto.Pool pool = store.pool(job.getPoolId());
    Params params = store.params();
    ArrayNode list = o.putArray("executors");
    int eligible = 0;
    if (pool != null) {
      o.put("workload", Pools.workload(pool));
      o.put("hardware_class", pool.getHardwareClass());
      for (io.peerz.state.proto.PoolMember m : store.members(pool.getId())) {
        JobScheduler.Exclusion ex = JobScheduler.exclusion(store, params, job, pool, m);
        ObjectNode e = list.addObject();
        e.put("executor", MsgContext.hex(m.getExecutor().toByteArray()));
        e.put("fit", ex == null ? "eligible" : ex.rule());
        e.put("detail", ex == null ? "can take the job now" : ex.detail());
        eligible += ex == null ? 1 : 0;
      }
    }
    String summary;
    if (job.getKind() != io.peerz.state.proto.JobKind.JOB_KIND_POOL) {
      summary = "a benchmark job: it goes to its own executor only";
    } else if (pool == null || list.isEmpty()) {
      summary = "no executor has joined pool " + job.getPoolId() + ": nobody can take the job";
    } else if (job.getStatus() != io.peerz.state.proto.JobStatus.JOB_STATUS_QUEUED) {
      summary = "the job is " + Jobs.status(job.getStatus()) + ", not waiting for an executor";
    } else if (job.getEscrow() < pool.getPrice()) {
      summary = "its escrow is below the pool's price: it will be refunded";
    } else if (eligible == 0) {
      summary =
          "no executor can take it; it is refunded at the end of block "
              + job.getQueueDeadlineHeight()
              + " unless one becomes eligible (or cancel it with tx cancel-job)";
    } else {
      summary = eligible + " executor(s) can take it; it is assigned at the end of a block";
    }
    o.put("summary", summary);
    return ok(Keys.job(job.getId()), o);
  }

  private QueryResult executorJobs(byte[] addr, String what) {
    if (!what.equals("jobs")) {
      throw new Failure(ErrorCode.UNKNOWN_PATH, "unknown path; paths: " + PATHS);
    }
    existingExecutor(addr);
    ObjectNode o = JSON.createObjectNode();
    o.put("executor", MsgContext.hex(addr));
    o.put("height", s(store.chain().getHeight()));
    ArrayNode list = o.putArray("jobs");
    byte[] prefix = Keys.jobsOfExecutor(addr);
    for (long id : store.jobIdsUnder(prefix, Keys.end(prefix))) {
      list.add(MarketJson.job(store, store.job(id)));
    }
    return list(prefix, o);
  }

  private QueryResult executors(long subnetId) {
    existingSubnet(subnetId);
    ObjectNode o = JSON.createObjectNode();
    o.put("subnet_id", s(subnetId));
    ArrayNode list = o.putArray("executors");
    byte[] prefix = Keys.concat(Keys.EXECUTOR_BY_NODE, Keys.u64(subnetId));
    for (byte[] addr : store.addressesUnder(prefix)) {
      list.add(MarketJson.executor(store, store.executor(addr)));
    }
    return list(prefix, o);
  }

  private QueryResult work(long subnetId, long epoch) {
    existingSubnet(subnetId);
    return ok(
        Keys.work(subnetId, epoch),
        MarketJson.work(subnetId, epoch, store.epochWork(subnetId, epoch)));
  }

  private io.peerz.state.proto.Pool existingPool(long id) {
    io.peerz.state.proto.Pool p = store.pool(id);
    if (p == null) {
      throw new Failure(ErrorCode.NOT_FOUND, "pool " + id + " does not exist");
    }
    return p;
  }

  private io.peerz.state.proto.Job existingJob(long id) {
    io.peerz.state.proto.Job j = store.job(id);
    if (j == null) {
      throw new Failure(ErrorCode.NOT_FOUND, "job " + id + " does not exist");
    }
    return j;
  }

  private io.peerz.state.proto.Executor existingExecutor(byte[] addr) {
    io.peerz.state.proto.Executor e = store.executor(addr);
    if (e == null) {
      throw new Failure(
          ErrorCode.NOT_FOUND, "no executor " + MsgContext.hex(addr) + " is registered");
    }
    return e;
  }

  private long currentEpoch() {
    return MsgContext.epochOf(store.chain().getHeight(), store.params().getEpochLength());
  }

  private static long value(Subnet sn, long shares) {
    return sn == null || sn.getDelegationShares() == 0
        ? 0
        : MsgContext.mulDiv(shares, sn.getDelegationPool(), sn.getDelegationShares());
  }

  private Subnet existingSubnet(long id) {
    Subnet sn = store.subnet(id);
    if (sn == null) {
      throw new Failure(ErrorCode.NOT_FOUND, "subnet " + id + " does not exist");
    }
    return sn;
  }

  private static long id(String text) {
    if (!text.matches("[0-9]{1,19}")) {
      throw new Failure(ErrorCode.BAD_ARGUMENT, "'" + text + "' is not a decimal id");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new Failure(ErrorCode.BAD_ARGUMENT, "'" + text + "' exceeds " + Long.MAX_VALUE);
    }
  }

  private static byte[] address(String text) {
    try {
      return Address.parse(text).bytes();
    } catch (RuntimeException e) {
      throw new Failure(ErrorCode.BAD_ARGUMENT, "'" + text + "': " + e.getMessage());
    }
  }

  private static String word(String enumName, String prefix) {
    return enumName.substring(prefix.length()).toLowerCase(Locale.ROOT);
  }

  private static String s(long v) {
    return Long.toString(v);
  }

  /** An answer read from the one stored value under {@code key}. */
  private static QueryResult ok(byte[] key, ObjectNode value) {
    return new QueryResult(0, "", "", key, json(value), true);
  }

  /** An answer listing the entries under the key prefix {@code prefix}. */
  private static QueryResult list(byte[] prefix, ObjectNode value) {
    return new QueryResult(0, "", "", prefix, json(value), false);
  }

  private static byte[] json(ObjectNode value) {
    try {
      return JSON.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
