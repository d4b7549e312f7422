package io.peerz.state;

import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.proto.MsgActivateNode;
import io.peerz.ledger.proto.MsgActivateSubnet;
import io.peerz.ledger.proto.MsgAddStake;
import io.peerz.ledger.proto.MsgAttest;
import io.peerz.ledger.proto.MsgBondValidator;
import io.peerz.ledger.proto.MsgClaimUnbonded;
import io.peerz.ledger.proto.MsgCreateValidator;
import io.peerz.ledger.proto.MsgDeactivateNode;
import io.peerz.ledger.proto.MsgDelegateStake;
import io.peerz.ledger.proto.MsgProposeScores;
import io.peerz.ledger.proto.MsgReactivateNode;
import io.peerz.ledger.proto.MsgRemoveNode;
import io.peerz.ledger.proto.MsgRemoveStake;
import io.peerz.ledger.proto.MsgSend;
import io.peerz.ledger.proto.MsgUnbondValidator;
import io.peerz.ledger.proto.MsgUndelegateStake;
import io.peerz.ledger.proto.MsgUnjailValidator;
import io.peerz.ledger.proto.NodeScore;
import io.peerz.state.proto.Account;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.ScoreRound;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.Unbonding;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random sequences of txs and blocks over four funded keys, for the property tests. */
final class RandomOps {
  private RandomOps() {}

  static final String PARAMS =
      "{\"epoch_length\":4,\"min_subnet_nodes\":2,\"unbonding_epochs\":1,"
          + "\"power_reduction\":100,\"max_validators\":3,\"jail_epochs\":1,"
          + "\"double_sign_slash_ppm\":250000,\"job_timeout_blocks\":2}";

  /** One step: a tx of {@code kind} by key {@code a} about {@code b}, or (kind 0) a block cut. */
  record Op(int kind, int a, int b, long amount) {}

  static Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.integers().between(0, 23),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3),
                Arbitraries.longs().between(0, 1200))
            .as(Op::new);
    return op.list().ofMinSize(5).ofMaxSize(80);
  }

  static Ed25519KeyPair[] keys() {
    return new Ed25519KeyPair[] {
      TestChain.key("k0"), TestChain.key("k1"), TestChain.key("k2"), TestChain.key("k3")
    };
  }

  static TestChain genesis() {
    return TestChain.funded(PARAMS, 50_000, keys());
  }

  /** Subnet 1 with three activated nodes (coldkeys k0..k2), activated: the random ops' stage. */
  static void stage(TestChain chain) {
    Ed25519KeyPair[] k = keys();
    chain.block(
        chain.tx(k[0], b -> b.setRegisterSubnet(Msgs.subnet("stage", k).setMaxNodePenalties(2))));
    chain.block(
        chain.tx(k[0], b -> b.setRegisterNode(Msgs.node(1, "stage0"))),
        chain.tx(k[1], b -> b.setRegisterNode(Msgs.node(1, "stage1"))),
        chain.tx(k[2], b -> b.setRegisterNode(Msgs.node(1, "stage2"))));
    chain.block(
        chain.tx(k[0], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))),
        chain.tx(k[1], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))),
        chain.tx(k[2], b -> b.setActivateNode(MsgActivateNode.newBuilder().setSubnetId(1))));
    chain.block(
        chain.tx(k[0], b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(1))));
    // Two epochs later the nodes are Validator class and a score round is open.
    chain.advanceToEpoch(2);
  }

  /** The op's node in the subnet (by index b) and its coldkey; a made-up id when there is none. */
  private static Object[] pickNode(TestChain chain, Ed25519KeyPair[] k, long subnet, Op op) {
    java.util.List<Node> nodes = Store.readOnly(chain.state).nodes(subnet);
    if (nodes.isEmpty() || op.amount() % 7 == 0) {
      return new Object[] {k[op.a()], (long) op.b() + 1};
    }
    Node n = nodes.get(op.b() % nodes.size());
    return new Object[] {keyOf(k, n), n.getId()};
  }

  /** Runs the ops; returns every block's outcome. */
  static List<BlockOutcome> run(TestChain chain, List<Op> ops) {
    Ed25519KeyPair[] k = keys();
    List<BlockOutcome> outcomes = new ArrayList<>();
    List<byte[]> pending = new ArrayList<>();
    proposing.clear();
    for (Op op : ops) {
      long subnet = op.amount() % 5 == 0 ? 2 : 1;
      Object[] picked = pickNode(chain, k, subnet, op);
      boolean nodeOp =
          op.kind() >= 5
              && op.kind() <= 14
              && op.kind() != 7
              && op.kind() != 10
              && op.kind() != 11
              && op.kind() != 12;
      Ed25519KeyPair signer = nodeOp ? (Ed25519KeyPair) picked[0] : k[op.a()];
      long node = (long) picked[1];
      byte[] tx =
          switch (op.kind()) {
            case 0 -> null;
            case 1 ->
                chain.tx(
                    signer,
                    b ->
                        b.setSend(
                            MsgSend.newBuilder()
                                .setTo(TestChain.addrBytes(k[op.b()]))
                                .setAmount(op.amount())));
            case 2 ->
                chain.tx(
                    signer,
                    b -> b.setRegisterSubnet(Msgs.subnet("s" + op.b(), k).setMaxNodePenalties(2)));
            case 3, 4 ->
                chain.tx(
                    signer,
                    b ->
                        b.setRegisterNode(
                            Msgs.node(subnet, op.a() + "-" + op.amount())
                                .setStakeToBeAdded(100 + op.amount() % 900)));
            case 5, 6 ->
                chain.tx(
                    signer,
                    b ->
                        b.setActivateNode(
                            MsgActivateNode.newBuilder().setSubnetId(subnet).setNodeId(node)));
            case 7 ->
                chain.tx(
                    signer,
                    b -> b.setActivateSubnet(MsgActivateSubnet.newBuilder().setSubnetId(subnet)));
            case 8 ->
                chain.tx(
                    signer,
                    b ->
                        b.setAddStake(
                            MsgAddStake.newBuilder()
                                .setSubnetId(subnet)
                                .setNodeId(node)
                                .setAmount(op.amount())));
            case 9 ->
                chain.tx(
                    signer,
                    b ->
                        b.setRemoveStake(
                            MsgRemoveStake.newBuilder()
                                .setSubnetId(subnet)
                                .setNodeId(node)
                                .setAmount(op.amount())));
            case 10 ->
                chain.tx(signer, b -> b.setClaimUnbonded(MsgClaimUnbonded.getDefaultInstance()));
            case 11 ->
                chain.tx(
                    signer,
                    b ->
                        b.setDelegateStake(
                            MsgDelegateStake.newBuilder()
                                .setSubnetId(subnet)
                                .setAmount(op.amount())));
            case 12 ->
                chain.tx(
                    signer,
                    b ->
                        b.setUndelegateStake(
                            MsgUndelegateStake.newBuilder()
                                .setSubnetId(subnet)
                                .setShares(op.amount() / 2)));
            case 13 ->
                // Removal is rare so that subnets live long enough to pay rewards.
                op.amount() % 4 != 0
                    ? attest(chain, k, 1, op)
                    : chain.tx(
                        signer,
                        b ->
                            b.setRemoveNode(
                                MsgRemoveNode.newBuilder().setSubnetId(subnet).setNodeId(node)));
            case 14 ->
                chain.tx(
                    signer,
                    b -> {
                      if (op.amount() % 2 == 0) {
                        b.setDeactivateNode(
                            MsgDeactivateNode.newBuilder().setSubnetId(subnet).setNodeId(node));
                      } else {
                        b.setReactivateNode(
                            MsgReactivateNode.newBuilder().setSubnetId(subnet).setNodeId(node));
                      }
                    });
            case 15 -> propose(chain, k, subnet, op);
            case 17 ->
                chain.tx(
                    signer,
                    b ->
                        b.setCreateValidator(
                            MsgCreateValidator.newBuilder()
                                .setPubKey(
                                    com.google.protobuf.ByteString.copyFrom(
                                        consensusKey(op.b()).publicKey()))
                                .setAmount(op.amount())));
            case 18 ->
                chain.tx(
                    signer,
                    b -> {
                      if (op.amount() % 2 == 0) {
                        b.setBondValidator(MsgBondValidator.newBuilder().setAmount(op.amount()));
                      } else {
                        b.setUnbondValidator(
                            MsgUnbondValidator.newBuilder().setAmount(op.amount() / 2));
                      }
                    });
            case 19 ->
                chain.tx(
                    signer, b -> b.setUnjailValidator(MsgUnjailValidator.getDefaultInstance()));
              // The market: pools (deposits escrowed), jobs (budgets escrowed), closing, and
              // executors whose benchmarks time out (retries, failure).
            case 20 ->
                chain.tx(
                    signer,
                    b ->
                        b.setCreatePool(
                            MarketFixture.pool("int8-gemm-64", 1 + op.amount() % 50)
                                .setDeposit(op.amount())));
            case 21 ->
                chain.tx(
                    signer,
                    b ->
                        b.setSubmitJob(
                            MarketFixture.submission(1 + op.b() % 2, op.a(), op.amount())));
            case 22 ->
                chain.tx(
                    signer,
                    b ->
                        b.setClosePool(
                            io.peerz.ledger.proto.MsgClosePool.newBuilder()
                                .setPoolId(1 + op.b() % 2)));
            case 23 ->
                chain.tx(
                    signer,
                    b ->
                        b.setRegisterExecutor(
                            MarketFixture.registration(
                                    TestChain.key("x" + op.a() + "-" + op.amount()), "cpu")
                                .setSubnetId(subnet)));
            default -> attest(chain, k, subnet, op);
          };
      if (tx == null) {
        if (op.amount() % 3 == 0) {
          // Evidence of a duplicate vote by consensus key b at a recent height (maybe repeated).
          chain.misbehavior.add(
              new Misbehavior(
                  consensusKey(op.b()).address().bytes(), Math.max(1, chain.height - op.a()), 1));
        }
        outcomes.add(chain.block(pending.toArray(byte[][]::new)));
        pending.clear();
        proposing.clear();
        for (long i = 0; i < op.amount() % 6; i++) {
          outcomes.add(chain.block());
        }
      } else {
        pending.add(tx);
      }
    }
    outcomes.add(chain.block(pending.toArray(byte[][]::new)));
    return outcomes;
  }

  /** The consensus keys the random create-validator ops register. */
  static Ed25519KeyPair consensusKey(int i) {
    return TestChain.key("random-consensus-" + i);
  }

  private static Ed25519KeyPair keyOf(Ed25519KeyPair[] k, Node n) {
    for (Ed25519KeyPair key : k) {
      if (java.util.Arrays.equals(TestChain.addr(key), n.getColdkey().toByteArray())) {
        return key;
      }
    }
    throw new IllegalStateException("node of an unknown coldkey");
  }

  private static byte[] propose(TestChain chain, Ed25519KeyPair[] k, long subnet, Op op) {
    Store s = Store.readOnly(chain.state);
    ScoreRound r = s.round(subnet, MsgContext.epochOf(chain.height + 1, 4));
    if (r == null) {
      return chain.tx(
          k[op.a()], b -> b.setProposeScores(MsgProposeScores.newBuilder().setSubnetId(subnet)));
    }
    Node proposer = s.node(subnet, r.getProposerNodeId());
    Ed25519KeyPair signer = proposer == null ? k[op.a()] : keyOf(k, proposer);
    MsgProposeScores.Builder m =
        MsgProposeScores.newBuilder().setSubnetId(subnet).setNodeId(r.getProposerNodeId());
    long i = 0;
    for (Node n : s.nodes(subnet)) {
      m.addScores(
          NodeScore.newBuilder().setNodeId(n.getId()).setScore((op.amount() + i++ * 7) % 100));
    }
    return chain.tx(signer, b -> b.setProposeScores(m));
  }

  /** Rounds with a proposal in the block being built. */
  private static final java.util.Set<String> proposing = new java.util.HashSet<>();

  private static byte[] attest(TestChain chain, Ed25519KeyPair[] k, long subnet, Op op) {
    Store s = Store.readOnly(chain.state);
    ScoreRound r = s.round(subnet, MsgContext.epochOf(chain.height + 1, 4));
    if (r == null || r.getValidatorsCount() == 0) {
      return chain.tx(k[op.a()], b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(subnet)));
    }
    if (!r.getProposed() && proposing.add(subnet + "/" + r.getEpoch())) {
      // Propose first (once per pending block), so that rounds reach quorum and pay.
      return propose(chain, k, subnet, op);
    }
    List<Long> candidates = new ArrayList<>(r.getValidatorsList());
    candidates.remove(r.getProposerNodeId());
    candidates.removeAll(r.getAttestationsList());
    if (candidates.isEmpty() || op.amount() % 5 == 1) {
      candidates = r.getValidatorsList();
    }
    long id = candidates.get(op.b() % candidates.size());
    Node n = s.node(subnet, id);
    Ed25519KeyPair signer = n == null ? k[op.a()] : keyOf(k, n);
    return chain.tx(
        signer, b -> b.setAttest(MsgAttest.newBuilder().setSubnetId(subnet).setNodeId(id)));
  }

  /**
   * Sum of every holding: balances, unbonding, node stakes, delegation pools, validator bonds, fee
   * collector.
   */
  static long holdings(MemoryState state) {
    Store s = Store.readOnly(state);
    long[] sum = {Math.addExact(s.feeCollector(), s.escrow())};
    s.scan(
        Keys.ACCOUNT,
        (key, v) -> {
          Account a = Store.parse(v, Account::parseFrom);
          sum[0] = Math.addExact(sum[0], a.getBalance());
          for (Unbonding u : a.getUnbondingList()) {
            sum[0] = Math.addExact(sum[0], u.getAmount());
          }
          return true;
        });
    s.scan(
        Keys.NODE,
        (key, v) -> {
          sum[0] = Math.addExact(sum[0], Store.parse(v, Node::parseFrom).getStake());
          return true;
        });
    for (Subnet sn : s.subnets()) {
      sum[0] = Math.addExact(sum[0], sn.getDelegationPool());
    }
    for (io.peerz.state.proto.ConsensusValidator v : s.validators()) {
      sum[0] = Math.addExact(sum[0], v.getBonded());
    }
    return sum[0];
  }
}
