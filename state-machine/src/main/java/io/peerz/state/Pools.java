package io.peerz.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.attest.DataWorkload;
import io.peerz.attest.ModelCommitment;
import io.peerz.attest.Workload;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.ledger.proto.MsgClosePool;
import io.peerz.ledger.proto.MsgCreatePool;
import io.peerz.ledger.proto.MsgJoinPool;
import io.peerz.ledger.proto.MsgLeavePool;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.Executor;
import io.peerz.state.proto.HardwareClassParam;
import io.peerz.state.proto.Pool;
import io.peerz.state.proto.PoolMember;
import io.peerz.state.proto.PoolTemplate;
import java.util.Arrays;
import java.util.Locale;

/** create-pool, join-pool, leave-pool and close-pool (the pool platform of the seeds). */
final class Pools {
  private Pools() {}

  static void create(MsgContext c, MsgCreatePool m) {
    PoolTemplate template =
        switch (m.getTemplate().toLowerCase(Locale.ROOT)) {
          case "gpu" -> PoolTemplate.POOL_TEMPLATE_GPU;
          case "proxy" -> PoolTemplate.POOL_TEMPLATE_PROXY;
          case "custom" -> PoolTemplate.POOL_TEMPLATE_CUSTOM;
          default ->
              throw ErrorCode.INVALID_TEMPLATE.reject(
                  "template '" + m.getTemplate() + "' is not gpu, proxy or custom");
        };
    String workload = m.getWorkload().isEmpty() ? m.getModel() : m.getWorkload();
    boolean data = DataWorkload.parse(workload) != null;
    if (data && !m.getModel().isEmpty()) {
      throw ErrorCode.INVALID_MODEL.reject(
          workload
              + " runs on each buyer's own matrices: give no model (got '"
              + m.getModel()
              + "')");
    }
    if (!data) {
      try {
        Workload.parse(workload);
      } catch (IllegalArgumentException e) {
        throw ErrorCode.INVALID_MODEL.reject(
            "workload: " + e.getMessage() + ", or gemm-int8 for the buyer's own matrices");
      }
      if (!m.getModel().isEmpty() && !m.getModel().equals(workload)) {
        throw ErrorCode.INVALID_MODEL.reject(
            "model " + m.getModel() + " and workload " + workload + " disagree: give one");
      }
    }
    DataWorkload dataWorkload = DataWorkload.parse(workload);
    CommittedModel model = null;
    if (dataWorkload != null && dataWorkload.usesModel()) {
      model = model(c, m);
    } else if (!m.getModelCommitment().isEmpty() || !m.getModelUrl().isEmpty()) {
      throw ErrorCode.INVALID_MODEL_COMMITMENT.reject(
          workload + " runs no model file: give no model commitment or model URL");
    }
    if (ComputePoints.hardwareClass(c.params(), m.getHardwareClass()) == null) {
      throw ErrorCode.POOL_UNKNOWN_HARDWARE_CLASS.reject(
          "hardware class '" + m.getHardwareClass() + "' is not in params.hardware_classes");
    }
    long limit = MsgContext.amount(m.getLimit(), "limit");
    if (limit == 0) {
      throw ErrorCode.INVALID_LIMIT.reject("limit must be positive");
    }
    long perUser = m.getPerUser() == 0 ? 1 : MsgContext.amount(m.getPerUser(), "per_user");
    if (perUser > limit) {
      throw ErrorCode.INVALID_PER_USER.reject(
          "per_user " + perUser + " is above the slot limit " + limit);
    }
    long price = MsgContext.amount(m.getPrice(), "price");
    if (price == 0) {
      throw ErrorCode.INVALID_PRICE.reject("price must be positive");
    }
    long deposit = MsgContext.amount(m.getDeposit(), "deposit");
    Escrow.lock(c, c.signer(), deposit, ErrorCode.DEPOSIT_INSUFFICIENT_FUNDS);
    Chain chain = c.store().chain();
    long id = Math.max(1, chain.getNextPoolId());
    c.store().putChain(chain.toBuilder().setNextPoolId(id + 1).build());
    Pool.Builder pool = Pool.newBuilder();
    if (model != null) {
      pool.setModelCommitment(model)
          .setModelUrl(m.getModelUrl())
          .setModelFileBytes(m.getModelFileBytes());
    }
    c.store()
        .putPool(
            pool.setId(id)
                .setCreator(ByteString.copyFrom(c.signer()))
                .setTemplate(template)
                .setModel(data ? "" : workload)
                .setWorkload(workload)
                .setHardwareClass(m.getHardwareClass())
                .setLimit(limit)
                .setPerUser(perUser)
                .setPrice(price)
                .setDeposit(deposit)
                .setCreatedHeight(c.height())
                .build());
    c.emit(
        "pool_created",
        "pool_id",
        Long.toString(id),
        "creator",
        MsgContext.hex(c.signer()),
        "workload",
        workload,
        "hardware_class",
        m.getHardwareClass(),
        "price",
        Long.toString(price),
        "deposit",
        Long.toString(deposit));
  }

  /**
   * The model of an mlp-int8 pool: the commitment must decode and be consistent ({@link
   * ModelCommitment#check}), the URL http(s), the file size positive and within
   * params.max_input_bytes.
   */
  private static CommittedModel model(MsgContext c, MsgCreatePool m) {
    if (m.getModelCommitment().isEmpty()) {
      throw ErrorCode.INVALID_MODEL_COMMITMENT.reject(
          "an mlp-int8 pool needs its model's commitment (create-pool --model FILE.safetensors)");
    }
    CommittedModel model;
    try {
      model = CommittedModel.parseFrom(m.getModelCommitment());
    } catch (InvalidProtocolBufferException e) {
      throw ErrorCode.INVALID_MODEL_COMMITMENT.reject(
          "the model commitment does not decode: " + e.getMessage());
    }
    String bad = ModelCommitment.check(model);
    if (bad != null) {
      throw ErrorCode.INVALID_MODEL_COMMITMENT.reject("the model commitment: " + bad);
    }
    if (!ExecutorRegistry.isHttpUrl(m.getModelUrl())) {
      throw ErrorCode.INVALID_MODEL_COMMITMENT.reject(
          "model_url must be http(s)://... of printable ASCII up to 200 bytes, where executors GET"
              + " the .safetensors file");
    }
    long size = m.getModelFileBytes();
    if (size <= 8 || Long.compareUnsigned(size, c.params().getMaxInputBytes()) > 0) {
      throw ErrorCode.INVALID_MODEL_COMMITMENT.reject(
          "model_file_bytes "
              + Long.toUnsignedString(size)
              + " must be the file's size, 9.."
              + c.params().getMaxInputBytes()
              + " (params.max_input_bytes)");
    }
    return model;
  }

  static void join(MsgContext c, MsgJoinPool m) {
    Pool p = open(c, m.getPoolId());
    Executor e = ExecutorRegistry.resolve(c, m.getExecutor().toByteArray());
    long slots = MsgContext.amount(m.getSlots(), "slots");
    if (slots == 0) {
      throw ErrorCode.INVALID_SLOTS.reject("slots must be positive");
    }
    if (!meets(c, e, p)) {
      throw ErrorCode.HARDWARE_BELOW_REQUIREMENT.reject(
          "executor class "
              + e.getHardwareClass()
              + " has less VRAM than pool "
              + p.getId()
              + "'s "
              + p.getHardwareClass());
    }
    byte[] addr = e.getAddress().toByteArray();
    if (c.store().member(p.getId(), addr) != null) {
      throw ErrorCode.ALREADY_MEMBER.reject(
          "executor " + MsgContext.hex(addr) + " is in pool " + p.getId() + " already");
    }
    long joined = Math.addExact(p.getSlotsJoined(), slots);
    if (joined > p.getLimit()) {
      throw ErrorCode.POOL_FULL.reject(
          "pool "
              + p.getId()
              + " has "
              + (p.getLimit() - p.getSlotsJoined())
              + " of "
              + p.getLimit()
              + " slots free, asked "
              + slots);
    }
    c.store()
        .putMember(
            p.getId(), PoolMember.newBuilder().setExecutor(e.getAddress()).setSlots(slots).build());
    c.store().putPool(p.toBuilder().setSlotsJoined(joined).build());
    c.emit(
        "pool_joined",
        "pool_id",
        Long.toString(p.getId()),
        "executor",
        MsgContext.hex(addr),
        "slots",
        Long.toString(slots));
  }

  static void leave(MsgContext c, MsgLeavePool m) {
    Pool p = existing(c, m.getPoolId());
    Executor e = ExecutorRegistry.resolve(c, m.getExecutor().toByteArray());
    byte[] addr = e.getAddress().toByteArray();
    PoolMember member = c.store().member(p.getId(), addr);
    if (member == null) {
      throw ErrorCode.NOT_MEMBER.reject(
          "executor " + MsgContext.hex(addr) + " is not in pool " + p.getId());
    }
    if (member.getActiveJobs() > 0) {
      throw ErrorCode.MEMBER_BUSY.reject(
          "executor " + MsgContext.hex(addr) + " has " + member.getActiveJobs() + " open jobs");
    }
    c.store().delete(Keys.poolMember(p.getId(), addr));
    c.store().putPool(p.toBuilder().setSlotsJoined(p.getSlotsJoined() - member.getSlots()).build());
    c.emit("pool_left", "pool_id", Long.toString(p.getId()), "executor", MsgContext.hex(addr));
  }

  static void close(MsgContext c, MsgClosePool m) {
    Pool p = open(c, m.getPoolId());
    if (!Arrays.equals(p.getCreator().toByteArray(), c.signer())) {
      throw ErrorCode.NOT_POOL_CREATOR.reject(
          "pool "
              + p.getId()
              + " was created by "
              + MsgContext.hex(p.getCreator().toByteArray())
              + ", signer is "
              + MsgContext.hex(c.signer()));
    }
    if (p.getOpenJobs() > 0) {
      throw ErrorCode.POOL_HAS_OPEN_JOBS.reject(
          "pool " + p.getId() + " has " + p.getOpenJobs() + " unfinished jobs");
    }
    Escrow.release(c.store(), c.bank(), c.signer(), p.getDeposit());
    c.store().putPool(p.toBuilder().setClosed(true).build());
    c.emit(
        "pool_closed",
        "pool_id",
        Long.toString(p.getId()),
        "refund",
        Long.toString(p.getDeposit()));
  }

  /** The pool's workload (pools created before workloads were named hold it in model). */
  static String workload(Pool p) {
    return p.getWorkload().isEmpty() ? p.getModel() : p.getWorkload();
  }

  /** Whether the executor's class has at least the VRAM of the pool's class. */
  static boolean meets(MsgContext c, Executor e, Pool p) {
    return meets(c.params(), e, p);
  }

  static boolean meets(io.peerz.state.proto.Params params, Executor e, Pool p) {
    HardwareClassParam have = ComputePoints.hardwareClass(params, e.getHardwareClass());
    HardwareClassParam need = ComputePoints.hardwareClass(params, p.getHardwareClass());
    return have != null && need != null && have.getMinVramMib() >= need.getMinVramMib();
  }

  static Pool existing(MsgContext c, long id) {
    Pool p = c.store().pool(id);
    if (p == null) {
      throw ErrorCode.POOL_NOT_FOUND.reject(
          "pool " + Long.toUnsignedString(id) + " does not exist");
    }
    return p;
  }

  private static Pool open(MsgContext c, long id) {
    Pool p = existing(c, id);
    if (p.getClosed()) {
      throw ErrorCode.POOL_CLOSED.reject("pool " + id + " is closed");
    }
    return p;
  }
}
