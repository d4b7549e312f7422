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
    String url = m.getDataUrl().isEmpty() ? "" : dataUrl(m.getDataUrl());
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
            .setDataUrl(url)
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

  /** An executor (signing with its own key) announces its data endpoint. */
  static void setDataUrl(MsgContext c, io.peerz.ledger.proto.MsgSetDataUrl m) {
    Executor e = c.store().executor(c.signer());
    if (e == null) {
      throw ErrorCode.EXECUTOR_NOT_FOUND.reject(
          "signer "
              + MsgContext.hex(c.signer())
              + " is not a registered executor key; register it with tx register-executor first");
    }
    String url = dataUrl(m.getDataUrl());
    c.store().putExecutor(e.toBuilder().setDataUrl(url).build());
    c.emit("executor_data_url", "executor", MsgContext.hex(c.signer()), "data_url", url);
  }

  /** A checked data URL: http(s)://..., printable ASCII, at most 200 bytes. */
  static String dataUrl(String url) {
    if (!isHttpUrl(url)) {
      throw ErrorCode.INVALID_DATA_URL.reject(
          "data_url '"
              + (url.length() > 60 ? url.substring(0, 60) + "..." : url)
              + "' is not http(s)://host[:port][/path] of printable ASCII up to 200 bytes");
    }
    return url;
  }

  /** Whether {@code url} is http(s)://host... of printable ASCII, at most 200 bytes. */
  static boolean isHttpUrl(String url) {
    if (url.isEmpty() || url.length() > 200) {
      return false;
    }
    for (int i = 0; i < url.length(); i++) {
      char ch = url.charAt(i);
      if (ch <= ' ' || ch > '~') {
        return false;
      }
    }
    String rest;
    if (url.startsWith("http://")) {
      rest = url.substring(7);
    } else if (url.startsWith("https://")) {
      rest = url.substring(8);
    } else {
      return false;
    }
    return !rest.isEmpty() && rest.charAt(0) != '/' && rest.charAt(0) != ':';
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
