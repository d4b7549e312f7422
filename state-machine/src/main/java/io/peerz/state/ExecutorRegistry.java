package io.peerz.state;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Address;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.MsgRegisterExecutor;
import io.peerz.state.proto.Executor;
import io.peerz.state.proto.HardwareClassParam;
import io.peerz.state.proto.Node;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** register-executor: an executor key bound to a subnet node, and its benchmark job. */
final class ExecutorRegistry {
  private ExecutorRegistry() {}

  static final byte[] BENCHMARK_DOMAIN = "peerz/benchmark/v1".getBytes(StandardCharsets.US_ASCII);

  static void register(MsgContext c, MsgRegisterExecutor m) {
    Node n = NodeRegistry.resolve(c, m.getSubnetId(), m.getNodeId(), false);
    byte[] pub = m.getExecutorPubKey().toByteArray();
    if (pub.length != 32) {
      throw ErrorCode.INVALID_EXECUTOR_KEY.reject(
          "executor_pub_key must be 32 bytes, got " + pub.length);
    }
    byte[] address = Address.of(pub).bytes();
    if (Arrays.equals(address, c.signer())) {
      throw ErrorCode.EXECUTOR_IS_ACCOUNT_KEY.reject(
          "executor key " + MsgContext.hex(address) + " is the signer's own key");
    }
    if (c.store().executor(address) != null) {
      throw ErrorCode.EXECUTOR_TAKEN.reject(
          "executor " + MsgContext.hex(address) + " is registered already");
    }
    HardwareClassParam cls = ComputePoints.hardwareClass(c.params(), m.getHardwareClass());
    if (cls == null) {
      throw ErrorCode.UNKNOWN_HARDWARE_CLASS.reject(
          "hardware class '" + m.getHardwareClass() + "' is not one of " + classNames(c));
    }
    long jobId = Jobs.nextJobId(c.store());
    Executor e =
        Executor.newBuilder()
            .setAddress(ByteString.copyFrom(address))
            .setPubKey(ByteString.copyFrom(pub))
            .setSubnetId(n.getSubnetId())
            .setNodeId(n.getId())
            .setColdkey(n.getColdkey())
            .setHardwareClass(cls.getName())
            .setRegisteredHeight(c.height())
            .setReputationPpm(c.params().getInitialReputationPpm())
            .setBenchmarkJobId(jobId)
            .build();
    c.store().putExecutor(e);
    c.store()
        .put(
            Keys.executorOfNode(n.getSubnetId(), n.getId(), address),
            com.google.protobuf.Empty.getDefaultInstance());
    c.store()
        .put(
            Keys.executorOfColdkey(n.getColdkey().toByteArray(), address),
            com.google.protobuf.Empty.getDefaultInstance());
    byte[] seed = Sha256.hash(BENCHMARK_DOMAIN, address, Keys.u64(c.height()));
    Jobs.createBenchmark(c, jobId, e, seed);
    c.emit(
        "executor_registered",
        "executor",
        MsgContext.hex(address),
        "subnet_id",
        Long.toString(n.getSubnetId()),
        "node_id",
        Long.toString(n.getId()),
        "hardware_class",
        cls.getName(),
        "benchmark_job_id",
        Long.toString(jobId));
  }

  /**
   * The executor a pool message means: by address (signer must be its node's coldkey), or for an
   * empty address the signer's only executor.
   */
  static Executor resolve(MsgContext c, byte[] address) {
    if (address.length == 0) {
      List<byte[]> mine = c.store().addressesUnder(Keys.executorsOfColdkey(c.signer()));
      if (mine.isEmpty()) {
        throw ErrorCode.EXECUTOR_NOT_FOUND.reject(
            "signer " + MsgContext.hex(c.signer()) + " has no executor");
      }
      if (mine.size() > 1) {
        throw ErrorCode.AMBIGUOUS_EXECUTOR.reject(
            "signer has " + mine.size() + " executors; name one with --executor");
      }
      address = mine.get(0);
    }
    Executor e = c.store().executor(address);
    if (e == null) {
      throw ErrorCode.EXECUTOR_NOT_FOUND.reject(
          "no executor " + MsgContext.hex(address) + " is registered");
    }
    if (!Arrays.equals(e.getColdkey().toByteArray(), c.signer())) {
      throw ErrorCode.NOT_EXECUTOR_OWNER.reject(
          "executor "
              + MsgContext.hex(address)
              + " belongs to coldkey "
              + MsgContext.hex(e.getColdkey().toByteArray())
              + ", signer is "
              + MsgContext.hex(c.signer()));
    }
    return e;
  }

  private static String classNames(MsgContext c) {
    return c.params().getHardwareClassesList().stream()
        .map(HardwareClassParam::getName)
        .toList()
        .toString();
  }
}
