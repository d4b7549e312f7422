package io.peerz.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.peerz.attest.Challenge;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.EntryChallenge;
import io.peerz.attest.Freivalds;
import io.peerz.attest.HardwareClass;
import io.peerz.attest.Workload;
import io.peerz.ledger.Address;
import io.peerz.ledger.ChangeSet;
import io.peerz.state.proto.Account;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.HardwareClassParam;
import io.peerz.state.proto.Params;
import io.peerz.state.proto.Supply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The app_state of genesis: params (each optional) and funded accounts. */
final class Genesis {
  private Genesis() {}

  /** Defaults that run a local net. */
  static final Params DEFAULTS =
      Params.newBuilder()
          .setEpochLength(10)
          .setMinFee(1)
          // 1 MiB: a reveal of 16 rows of int8-gemm-4096 with their proofs is about 270 KiB.
          .setMaxTxBytes(1_048_576)
          .setSubnetRegistrationBaseCost(100)
          .setSubnetRegistrationCostIncrement(100)
          .setRegistrationCostDecayBlocks(100)
          .setMinSubnetNodes(3)
          .setActivationGraceEpochs(2)
          .setUnbondingEpochs(2)
          .setNodeRegistrationBurn(1)
          .setEmissionPerEpoch(1000)
          .setOwnerSharePpm(100_000)
          .setAttestationThresholdPpm(666_667)
          .setMaxSubnets(64)
          .setPowerReduction(1_000_000)
          .setMaxValidators(100)
          .setDoubleSignSlashPpm(50_000)
          .setJailEpochs(2)
          .addAllHardwareClasses(defaultHardwareClasses())
          .setJobTimeoutBlocks(20)
          .setJobMaxRetries(2)
          .setRevealTimeoutBlocks(10)
          .setChallengeRows(Challenge.DEFAULT_ROWS)
          .setSlashPpm(100_000)
          .setComputeSharePpm(500_000)
          .setReputationGainPpm(10_000)
          .setReputationLossPpm(100_000)
          .setInitialReputationPpm(500_000)
          .setBenchmarkWorkload("int8-gemm-256")
          .setMaxEfficiencyPpm(4_000_000)
          // 8192 x 8192 int8 (64 MiB) inputs; a 16-entry reveal of such a job is about 800 KiB.
          .setMaxMatrixDim(8192)
          .setMaxInputBytes(64L << 20)
          .setChallengeEntries(EntryChallenge.DEFAULT_ENTRIES)
          .setDisputeWindowBlocks(10)
          .setDisputeFee(10)
          .setOutputRetentionBlocks(100)
          .setAvailabilityMaxRows(8)
          .setAvailabilityTimeoutBlocks(10)
          .setAvailabilityMaxRequests(3)
          .setInputTimeoutBlocks(10)
          .setQueueTimeoutBlocks(100)
          .setMinReputationPpm(0)
          .build();

  /**
   * HardwareClass.defaults() with the expected time of the default benchmark (int8-gemm-256) on
   * each: a multithreaded CPU about 50 ms, a GPU of any class about a kernel launch or two.
   */
  static List<HardwareClassParam> defaultHardwareClasses() {
    List<HardwareClassParam> out = new ArrayList<>();
    for (HardwareClass h : HardwareClass.defaults()) {
      out.add(
          HardwareClassParam.newBuilder()
              .setName(h.name())
              .setMinVramMib(h.minVramMib())
              .setRelativeValuePpm(h.relativeValuePpm())
              .setBenchmarkMillis(h.minVramMib() == 0 ? 50 : 2)
              .build());
    }
    return out;
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  static void write(ChangeSet changes, String chainId, long genesisTimeMillis, byte[] appState) {
    JsonNode root = parse(appState);
    Params params = DEFAULTS;
    Store store = Store.writable(changes);
    long total = 0;
    Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
    JsonNode accounts = null;
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      switch (f.getKey()) {
        case "params" -> params = params(f.getValue());
        case "accounts" -> accounts = f.getValue();
        default -> throw new IllegalArgumentException("app_state." + f.getKey() + " is unknown");
      }
    }
    if (accounts != null) {
      if (!accounts.isArray()) {
        throw new IllegalArgumentException("app_state.accounts must be an array");
      }
      TreeSet<String> seen = new TreeSet<>();
      for (int i = 0; i < accounts.size(); i++) {
        String at = "app_state.accounts[" + i + "]";
        JsonNode a = accounts.get(i);
        if (!a.isObject()) {
          throw new IllegalArgumentException(at + " must be an object");
        }
        a.fieldNames()
            .forEachRemaining(
                n -> {
                  if (!n.equals("address") && !n.equals("balance")) {
                    throw new IllegalArgumentException(at + "." + n + " is unknown");
                  }
                });
        JsonNode addrNode = a.get("address");
        if (addrNode == null || !addrNode.isTextual()) {
          throw new IllegalArgumentException(at + ".address must be a 0x.. string");
        }
        Address address;
        try {
          address = Address.parse(addrNode.asText());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(at + ".address: " + e.getMessage(), e);
        }
        if (!seen.add(MsgContext.hex(address.bytes()))) {
          throw new IllegalArgumentException(at + ".address repeats " + addrNode.asText());
        }
        long balance = a.has("balance") ? integer(a.get("balance"), at + ".balance") : 0;
        try {
          total = Math.addExact(total, balance);
        } catch (ArithmeticException e) {
          throw new IllegalArgumentException(at + ".balance: total supply exceeds int64", e);
        }
        store.putAccount(address.bytes(), Account.newBuilder().setBalance(balance).build());
      }
    }
    store.put(Keys.PARAMS, params);
    store.putChain(
        Chain.newBuilder()
            .setChainId(chainId)
            .setNextSubnetId(1)
            .setNextPoolId(1)
            .setNextJobId(1)
            .setGenesisTimeMillis(genesisTimeMillis)
            .build());
    store.putSupply(Supply.newBuilder().setTotal(total).setGenesis(total).build());
    store.putFeeCollector(0);
  }

  private static JsonNode parse(byte[] appState) {
    if (appState == null || appState.length == 0) {
      return JSON.createObjectNode();
    }
    JsonNode root;
    try {
      root = JSON.readTree(appState);
    } catch (IOException e) {
      throw new IllegalArgumentException("app_state is not JSON: " + e.getMessage(), e);
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return JSON.createObjectNode();
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("app_state must be a JSON object");
    }
    return root;
  }

  static Params params(JsonNode node) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("app_state.params must be an object");
    }
    Params.Builder b = DEFAULTS.toBuilder();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = "app_state.params." + f.getKey();
      FieldDescriptor fd = Params.getDescriptor().findFieldByName(f.getKey());
      if (fd == null) {
        throw new IllegalArgumentException(name + " is unknown");
      }
      if (fd.getNumber() == Params.HARDWARE_CLASSES_FIELD_NUMBER) {
        b.clearHardwareClasses().addAllHardwareClasses(hardwareClasses(f.getValue(), name));
      } else if (fd.getNumber() == Params.BENCHMARK_WORKLOAD_FIELD_NUMBER) {
        if (!f.getValue().isTextual()) {
          throw new IllegalArgumentException(name + " must be a workload name string");
        }
        b.setBenchmarkWorkload(f.getValue().asText());
      } else {
        b.setField(fd, integer(f.getValue(), name));
      }
    }
    Params p = b.build();
    positive(p.getEpochLength(), "epoch_length");
    positive(p.getMaxTxBytes(), "max_tx_bytes");
    positive(p.getRegistrationCostDecayBlocks(), "registration_cost_decay_blocks");
    positive(p.getMinSubnetNodes(), "min_subnet_nodes");
    positive(p.getMaxSubnets(), "max_subnets");
    positive(p.getAttestationThresholdPpm(), "attestation_threshold_ppm");
    atMostMillion(p.getAttestationThresholdPpm(), "attestation_threshold_ppm");
    atMostMillion(p.getOwnerSharePpm(), "owner_share_ppm");
    positive(p.getPowerReduction(), "power_reduction");
    positive(p.getMaxValidators(), "max_validators");
    atMostMillion(p.getDoubleSignSlashPpm(), "double_sign_slash_ppm");
    positive(p.getJobTimeoutBlocks(), "job_timeout_blocks");
    positive(p.getRevealTimeoutBlocks(), "reveal_timeout_blocks");
    positive(p.getChallengeRows(), "challenge_rows");
    positive(p.getMaxEfficiencyPpm(), "max_efficiency_ppm");
    atMostMillion(p.getSlashPpm(), "slash_ppm");
    atMostMillion(p.getComputeSharePpm(), "compute_share_ppm");
    atMostMillion(p.getReputationGainPpm(), "reputation_gain_ppm");
    atMostMillion(p.getReputationLossPpm(), "reputation_loss_ppm");
    atMostMillion(p.getInitialReputationPpm(), "initial_reputation_ppm");
    Workload benchmark;
    try {
      benchmark = Workload.parse(p.getBenchmarkWorkload());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "app_state.params.benchmark_workload: " + e.getMessage(), e);
    }
    if (benchmark.kind() != Workload.Kind.INT8) {
      // The benchmark sets efficiency from a time every device must reach on the same exact work.
      throw new IllegalArgumentException(
          "app_state.params.benchmark_workload must be an int8-gemm-<n> workload, got "
              + benchmark.name());
    }
    checkDataJobParams(p);
    if (p.getHardwareClassesCount() == 0) {
      throw new IllegalArgumentException("app_state.params.hardware_classes must not be empty");
    }
    return p;
  }

  /**
   * The data-job params fit together: dimensions within what int32 sums and the buyer's exact
   * Freivalds check allow, and the outputs retained for at least the dispute window plus one
   * availability request.
   */
  private static void checkDataJobParams(Params p) {
    positive(p.getMaxMatrixDim(), "max_matrix_dim");
    long dimLimit = Math.min(CpuGemm.MAX_INNER, Freivalds.MAX_COLS);
    if (p.getMaxMatrixDim() > dimLimit) {
      throw new IllegalArgumentException(
          "app_state.params.max_matrix_dim "
              + p.getMaxMatrixDim()
              + " exceeds "
              + dimLimit
              + " (int32 sums of int8 products overflow beyond CpuGemm.MAX_INNER; Freivalds' exact"
              + " check needs n <= 65536)");
    }
    positive(p.getMaxInputBytes(), "max_input_bytes");
    positive(p.getChallengeEntries(), "challenge_entries");
    positive(p.getDisputeWindowBlocks(), "dispute_window_blocks");
    positive(p.getAvailabilityMaxRows(), "availability_max_rows");
    positive(p.getAvailabilityTimeoutBlocks(), "availability_timeout_blocks");
    positive(p.getQueueTimeoutBlocks(), "queue_timeout_blocks");
    atMostMillion(p.getMinReputationPpm(), "min_reputation_ppm");
    if (p.getOutputRetentionBlocks()
        < p.getDisputeWindowBlocks() + p.getAvailabilityTimeoutBlocks()) {
      throw new IllegalArgumentException(
          "app_state.params.output_retention_blocks must be at least dispute_window_blocks +"
              + " availability_timeout_blocks ("
              + (p.getDisputeWindowBlocks() + p.getAvailabilityTimeoutBlocks())
              + ")");
    }
  }

  /**
   * {@code [{"name": "gpu-24gb", "min_vram_mib": 22000, "relative_value_ppm": 1000000,
   * "benchmark_millis": 2}, ...]}: names distinct, fields checked by HardwareClass.
   */
  private static List<HardwareClassParam> hardwareClasses(JsonNode v, String name) {
    if (!v.isArray()) {
      throw new IllegalArgumentException(name + " must be an array of hardware classes");
    }
    List<HardwareClassParam> out = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>();
    for (int i = 0; i < v.size(); i++) {
      String at = name + "[" + i + "]";
      JsonNode c = v.get(i);
      if (!c.isObject()) {
        throw new IllegalArgumentException(at + " must be an object");
      }
      c.fieldNames()
          .forEachRemaining(
              n -> {
                if (HardwareClassParam.getDescriptor().findFieldByName(n) == null) {
                  throw new IllegalArgumentException(at + "." + n + " is unknown");
                }
              });
      JsonNode nameNode = c.get("name");
      if (nameNode == null || !nameNode.isTextual()) {
        throw new IllegalArgumentException(at + ".name must be a string");
      }
      long vram = c.has("min_vram_mib") ? integer(c.get("min_vram_mib"), at + ".min_vram_mib") : 0;
      long value =
          c.has("relative_value_ppm")
              ? integer(c.get("relative_value_ppm"), at + ".relative_value_ppm")
              : 0;
      long bench =
          c.has("benchmark_millis")
              ? integer(c.get("benchmark_millis"), at + ".benchmark_millis")
              : 0;
      HardwareClass h;
      try {
        h = new HardwareClass(nameNode.asText(), vram, value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
      }
      if (bench <= 0) {
        throw new IllegalArgumentException(at + ".benchmark_millis must be positive");
      }
      if (!names.add(h.name())) {
        throw new IllegalArgumentException(at + ".name repeats " + h.name());
      }
      out.add(
          HardwareClassParam.newBuilder()
              .setName(h.name())
              .setMinVramMib(h.minVramMib())
              .setRelativeValuePpm(h.relativeValuePpm())
              .setBenchmarkMillis(bench)
              .build());
    }
    return out;
  }

  private static void positive(long v, String field) {
    if (v <= 0) {
      throw new IllegalArgumentException("app_state.params." + field + " must be positive");
    }
  }

  private static void atMostMillion(long v, String field) {
    if (v > MsgContext.PPM) {
      throw new IllegalArgumentException(
          "app_state.params." + field + " is " + v + ", at most 1000000 (ppm)");
    }
  }

  /** A non-negative int64 given as a JSON integer or a decimal string. */
  private static long integer(JsonNode v, String name) {
    long out;
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      out = v.asLong();
    } else if (v.isTextual() && v.asText().matches("[0-9]{1,19}")) {
      try {
        out = Long.parseLong(v.asText());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " exceeds " + Long.MAX_VALUE, e);
      }
    } else {
      throw new IllegalArgumentException(
          name + " must be a non-negative integer (number or decimal string), got " + v);
    }
    if (out < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + out);
    }
    return out;
  }
}
