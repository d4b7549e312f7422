package io.peerz.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.peerz.ledger.Address;
import io.peerz.ledger.ChangeSet;
import io.peerz.state.proto.Account;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.Params;
import io.peerz.state.proto.Supply;
import java.io.IOException;
import java.util.Iterator;
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
          .setMaxTxBytes(65536)
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
          .build();

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
      b.setField(fd, integer(f.getValue(), name));
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
    return p;
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
