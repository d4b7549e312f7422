package io.peerz.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.StateReader;
import io.peerz.state.proto.Account;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.ConsensusValidator;
import io.peerz.state.proto.Delegation;
import io.peerz.state.proto.EpochWork;
import io.peerz.state.proto.Executor;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.ModuleAccount;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.NodeRef;
import io.peerz.state.proto.Params;
import io.peerz.state.proto.Pool;
import io.peerz.state.proto.PoolMember;
import io.peerz.state.proto.ScoreRound;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.Supply;
import java.util.ArrayList;
import java.util.List;

/** Typed protobuf access to the state: reads from a reader, writes (when writable) to a buffer. */
final class Store {
  private final StateReader reader;
  private final ChangeSet writes;

  private Store(StateReader reader, ChangeSet writes) {
    this.reader = reader;
    this.writes = writes;
  }

  static Store readOnly(StateReader reader) {
    return new Store(reader, null);
  }

  static Store writable(ChangeSet changes) {
    return new Store(changes, changes);
  }

  @FunctionalInterface
  interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private <T> T read(byte[] key, Parser<T> parser) {
    byte[] raw = reader.get(key);
    return raw == null ? null : parse(raw, parser);
  }

  static <T> T parse(byte[] raw, Parser<T> parser) {
    try {
      return parser.parse(raw);
    } catch (InvalidProtocolBufferException e) {
      // Stored values are written by this code only: a bad one means the store is corrupt.
      throw new IllegalStateException("corrupt state value: " + e.getMessage(), e);
    }
  }

  void put(byte[] key, MessageLite value) {
    writes.put(key, value.toByteArray());
  }

  void delete(byte[] key) {
    writes.delete(key);
  }

  byte[] raw(byte[] key) {
    return reader.get(key);
  }

  /** Whether genesis was written: every genesis state holds params, and nothing deletes them. */
  boolean hasGenesis() {
    return reader.get(Keys.PARAMS) != null;
  }

  /**
   * The chain's params. Read once per block (its txs get them from the block's context) and once
   * per check state, so they are parsed where they are read.
   */
  Params params() {
    Params p = read(Keys.PARAMS, Params::parseFrom);
    if (p == null) {
      throw new IllegalStateException("state has no params: initChain has not run");
    }
    return p;
  }

  Chain chain() {
    Chain c = read(Keys.CHAIN, Chain::parseFrom);
    return c == null ? Chain.getDefaultInstance() : c;
  }

  void putChain(Chain c) {
    put(Keys.CHAIN, c);
  }

  Supply supply() {
    Supply s = read(Keys.SUPPLY, Supply::parseFrom);
    return s == null ? Supply.getDefaultInstance() : s;
  }

  void putSupply(Supply s) {
    put(Keys.SUPPLY, s);
  }

  Account account(byte[] address) {
    Account a = read(Keys.account(address), Account::parseFrom);
    return a == null ? Account.getDefaultInstance() : a;
  }

  boolean accountExists(byte[] address) {
    return reader.get(Keys.account(address)) != null;
  }

  void putAccount(byte[] address, Account a) {
    put(Keys.account(address), a);
  }

  long feeCollector() {
    ModuleAccount m = read(Keys.FEE_COLLECTOR, ModuleAccount::parseFrom);
    return m == null ? 0 : m.getBalance();
  }

  void putFeeCollector(long balance) {
    put(Keys.FEE_COLLECTOR, ModuleAccount.newBuilder().setBalance(balance).build());
  }

  Subnet subnet(long id) {
    return read(Keys.subnet(id), Subnet::parseFrom);
  }

  void putSubnet(Subnet s) {
    put(Keys.subnet(s.getId()), s);
  }

  List<Subnet> subnets() {
    List<Subnet> out = new ArrayList<>();
    scan(
        Keys.SUBNET,
        (k, v) -> {
          out.add(parse(v, Subnet::parseFrom));
          return true;
        });
    return out;
  }

  Node node(long subnetId, long nodeId) {
    return read(Keys.node(subnetId, nodeId), Node::parseFrom);
  }

  void putNode(Node n) {
    put(Keys.node(n.getSubnetId(), n.getId()), n);
  }

  /** The subnet's nodes in node id order. */
  List<Node> nodes(long subnetId) {
    List<Node> out = new ArrayList<>();
    byte[] prefix = Keys.nodesOf(subnetId);
    scan(
        prefix,
        (k, v) -> {
          out.add(parse(v, Node::parseFrom));
          return true;
        });
    return out;
  }

  NodeRef nodeByHotkey(byte[] hotkey) {
    return read(Keys.hotkey(hotkey), NodeRef::parseFrom);
  }

  /** Node ids of {@code coldkey} in the subnet, in id order. */
  List<Long> coldNodes(byte[] coldkey, long subnetId) {
    List<Long> out = new ArrayList<>();
    byte[] prefix = Keys.coldIn(coldkey, subnetId);
    scan(
        prefix,
        (k, v) -> {
          out.add(Keys.u64At(k, k.length - 8));
          return true;
        });
    return out;
  }

  /** Every node of {@code coldkey}, in (subnet, node) order. */
  List<NodeRef> coldNodes(byte[] coldkey) {
    List<NodeRef> out = new ArrayList<>();
    byte[] prefix = Keys.coldOf(coldkey);
    scan(
        prefix,
        (k, v) -> {
          out.add(
              NodeRef.newBuilder()
                  .setSubnetId(Keys.u64At(k, k.length - 16))
                  .setNodeId(Keys.u64At(k, k.length - 8))
                  .build());
          return true;
        });
    return out;
  }

  Delegation delegation(byte[] address, long subnetId) {
    Delegation d = read(Keys.delegation(address, subnetId), Delegation::parseFrom);
    return d == null ? Delegation.getDefaultInstance() : d;
  }

  void putDelegation(byte[] address, long subnetId, Delegation d) {
    if (d.getShares() == 0) {
      delete(Keys.delegation(address, subnetId));
    } else {
      put(Keys.delegation(address, subnetId), d);
    }
  }

  /** (subnet id, shares) of every delegation of {@code address}, in subnet order. */
  List<long[]> delegationsOf(byte[] address) {
    List<long[]> out = new ArrayList<>();
    byte[] prefix = Keys.delegationsOf(address);
    scan(
        prefix,
        (k, v) -> {
          out.add(
              new long[] {
                Keys.u64At(k, k.length - 8), parse(v, Delegation::parseFrom).getShares()
              });
          return true;
        });
    return out;
  }

  ScoreRound round(long subnetId, long epoch) {
    return read(Keys.round(subnetId, epoch), ScoreRound::parseFrom);
  }

  void putRound(ScoreRound r) {
    put(Keys.round(r.getSubnetId(), r.getEpoch()), r);
  }

  /** The validator whose consensus key has address {@code consensusAddress}, or null. */
  ConsensusValidator validator(byte[] consensusAddress) {
    return read(Keys.validator(consensusAddress), ConsensusValidator::parseFrom);
  }

  void putValidator(ConsensusValidator v) {
    put(Keys.validator(io.peerz.ledger.Address.of(v.getPubKey().toByteArray()).bytes()), v);
  }

  /** The consensus address of the validator {@code operator} runs, or null. */
  byte[] validatorOf(byte[] operator) {
    return reader.get(Keys.validatorOperator(operator));
  }

  void putValidatorOperator(byte[] operator, byte[] consensusAddress) {
    writes.put(Keys.validatorOperator(operator), consensusAddress);
  }

  /** Every validator, in consensus address order. */
  List<ConsensusValidator> validators() {
    List<ConsensusValidator> out = new ArrayList<>();
    scan(
        Keys.VALIDATOR,
        (k, v) -> {
          out.add(parse(v, ConsensusValidator::parseFrom));
          return true;
        });
    return out;
  }

  Executor executor(byte[] address) {
    return read(Keys.executor(address), Executor::parseFrom);
  }

  void putExecutor(Executor e) {
    put(Keys.executor(e.getAddress().toByteArray()), e);
  }

  /** Executor addresses whose key starts with {@code prefix} (20 bytes at the key's end). */
  List<byte[]> addressesUnder(byte[] prefix) {
    List<byte[]> out = new ArrayList<>();
    scan(
        prefix,
        (k, v) -> {
          out.add(java.util.Arrays.copyOfRange(k, k.length - 20, k.length));
          return true;
        });
    return out;
  }

  Pool pool(long id) {
    return read(Keys.pool(id), Pool::parseFrom);
  }

  void putPool(Pool p) {
    put(Keys.pool(p.getId()), p);
  }

  PoolMember member(long poolId, byte[] executor) {
    return read(Keys.poolMember(poolId, executor), PoolMember::parseFrom);
  }

  void putMember(long poolId, PoolMember m) {
    put(Keys.poolMember(poolId, m.getExecutor().toByteArray()), m);
  }

  /** The pool's members in executor address order. */
  List<PoolMember> members(long poolId) {
    List<PoolMember> out = new ArrayList<>();
    byte[] prefix = Keys.poolMembers(poolId);
    scan(
        prefix,
        (k, v) -> {
          out.add(parse(v, PoolMember::parseFrom));
          return true;
        });
    return out;
  }

  long escrow() {
    ModuleAccount m = read(Keys.ESCROW, ModuleAccount::parseFrom);
    return m == null ? 0 : m.getBalance();
  }

  void putEscrow(long balance) {
    put(Keys.ESCROW, ModuleAccount.newBuilder().setBalance(balance).build());
  }

  Job job(long id) {
    return read(Keys.job(id), Job::parseFrom);
  }

  void putJob(Job j) {
    put(Keys.job(j.getId()), j);
  }

  /** Job ids under an index prefix whose keys end in the job id, in key order. */
  List<Long> jobIdsUnder(byte[] prefix, byte[] end) {
    List<Long> out = new ArrayList<>();
    reader.scan(
        prefix,
        end,
        (k, v) -> {
          out.add(Keys.u64At(k, k.length - 8));
          return true;
        });
    return out;
  }

  EpochWork epochWork(long subnetId, long epoch) {
    return read(Keys.work(subnetId, epoch), EpochWork::parseFrom);
  }

  void putEpochWork(EpochWork w) {
    put(Keys.work(w.getSubnetId(), w.getEpoch()), w);
  }

  /** Visits every key with {@code prefix} in key order. */
  void scan(byte[] prefix, StateReader.EntryVisitor visitor) {
    reader.scan(prefix, Keys.end(prefix), visitor);
  }
}
