package io.peerz.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.ledger.ChangeSet;
import io.peerz.ledger.Hex;
import io.peerz.ledger.StateReader;
import io.peerz.ledger.proto.ValidatorUpdate;
import io.peerz.state.proto.Chain;
import io.peerz.state.proto.ConsensusValidator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The whole state at one height as {@code app_state.export} of a genesis file (the path of a
 * breaking upgrade: {@code peerz export --height H}), and the genesis write that loads it back. It
 * holds every entry as stored, so a chain started from it answers every query as the exported chain
 * did at that height; only the chain id is the new genesis's.
 */
final class StateExport {
  static final String FIELD = "export";
  private static final ObjectMapper JSON = new ObjectMapper();

  private StateExport() {}

  /**
   * {@code {"export": {"height", "app_hash", "entries": [{"key": hex, "value": base64}, ...]}}} of
   * {@code state}, entries in key order.
   */
  static byte[] appState(StateReader state, long height, byte[] appHash) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode export = root.putObject(FIELD);
    export.put("height", Long.toString(height));
    export.put("app_hash", Hex.encodeUpper(appHash));
    ArrayNode entries = export.putArray("entries");
    Base64.Encoder b64 = Base64.getEncoder();
    state.scan(
        null,
        null,
        (k, v) -> {
          entries.addObject().put("key", Hex.encodeUpper(k)).put("value", b64.encodeToString(v));
          return true;
        });
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render the export: " + e.getMessage(), e);
    }
  }

  /** The validators consensus was last told of in {@code state} (power above 0), in key order. */
  static List<ValidatorUpdate> validators(StateReader state) {
    List<ValidatorUpdate> out = new ArrayList<>();
    for (ConsensusValidator v : Store.readOnly(state).validators()) {
      if (v.getPower() > 0) {
        out.add(
            ValidatorUpdate.newBuilder().setPubKey(v.getPubKey()).setPower(v.getPower()).build());
      }
    }
    return out;
  }

  /**
   * Writes the entries of {@code export} (the value of app_state.export) into {@code changes}, the
   * chain record renamed to {@code chainId}, and checks that {@code genesisValidators} are the
   * state's validators: consensus starts with them. Throws IllegalArgumentException naming the
   * field at fault.
   */
  static void load(
      JsonNode export, ChangeSet changes, String chainId, List<ValidatorUpdate> genesisValidators) {
    if (!export.isObject()) {
      throw new IllegalArgumentException("app_state.export must be an object");
    }
    JsonNode entries = export.get("entries");
    if (entries == null || !entries.isArray()) {
      throw new IllegalArgumentException("app_state.export.entries must be an array");
    }
    byte[] previous = null;
    Base64.Decoder b64 = Base64.getDecoder();
    for (int i = 0; i < entries.size(); i++) {
      String at = "app_state.export.entries[" + i + "]";
      JsonNode e = entries.get(i);
      byte[] key;
      byte[] value;
      try {
        key = Hex.decode(e.path("key").asText(""));
        value = b64.decode(e.path("value").asText(""));
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(at + ": " + bad.getMessage(), bad);
      }
      if (key.length == 0) {
        throw new IllegalArgumentException(at + ".key must be non-empty hex");
      }
      if (previous != null && Arrays.compareUnsigned(previous, key) >= 0) {
        throw new IllegalArgumentException(at + ".key is not after the entry before it");
      }
      previous = key;
      changes.put(key, value);
    }
    byte[] chainKey = Keys.CHAIN;
    byte[] chainBytes = changes.get(chainKey);
    if (chainBytes == null) {
      throw new IllegalArgumentException(
          "app_state.export holds no "
              + new String(chainKey, StandardCharsets.US_ASCII)
              + " entry: it is not a peerz state");
    }
    try {
      changes.put(
          chainKey,
          Chain.parseFrom(chainBytes).toBuilder().setChainId(chainId).build().toByteArray());
    } catch (InvalidProtocolBufferException bad) {
      throw new IllegalArgumentException("app_state.export: the chain entry is corrupt", bad);
    }
    List<ValidatorUpdate> expected = validators(changes);
    if (!sameSet(expected, genesisValidators)) {
      throw new IllegalArgumentException(
          "validators: an exported state starts with the validators it holds ("
              + expected.size()
              + " with power above 0); list exactly those, with their powers, as peerz export"
              + " wrote them");
    }
  }

  private static boolean sameSet(List<ValidatorUpdate> a, List<ValidatorUpdate> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (ValidatorUpdate x : a) {
      if (b.stream()
          .noneMatch(y -> y.getPubKey().equals(x.getPubKey()) && y.getPower() == x.getPower())) {
        return false;
      }
    }
    return true;
  }
}
