package io.peerz.genesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Address;
import io.peerz.ledger.Hex;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * genesis.json in CometBFT's layout with peerz's {@code app_state}: creating, reading, validating
 * and editing it. Every {@link GenesisDoc} returned here carries the exact file bytes as {@code
 * rawJson}, so what the node serves is what is on disk.
 */
public final class GenesisFile {
  /** CometBFT's limit on chain id length. */
  public static final int MAX_CHAIN_ID_LENGTH = 50;

  static final String PUB_KEY_TYPE = "tendermint/PubKeyEd25519";
  private static final Pattern ACCOUNT_ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final Pattern UINT = Pattern.compile("0|[1-9][0-9]*");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GenesisFile() {}

  /**
   * A new genesis: CometBFT's default consensus params, the validators, and {@code app_state} with
   * the given parameter overrides (kept in key order) and funded accounts.
   */
  public static GenesisDoc create(
      String chainId,
      Instant genesisTime,
      List<GenesisDoc.Validator> validators,
      Map<String, ? extends Object> paramOverrides,
      List<GenesisAccount> accounts) {
    ObjectNode root = NODES.objectNode();
    root.put("genesis_time", DateTimeFormatter.ISO_INSTANT.format(genesisTime));
    root.put("chain_id", chainId);
    root.put("initial_height", "1");
    root.set("consensus_params", defaultConsensusParams());
    ArrayNode vals = root.putArray("validators");
    for (GenesisDoc.Validator v : validators) {
      vals.add(validatorNode(v));
    }
    root.put("app_hash", "");
    ObjectNode appState = root.putObject("app_state");
    ObjectNode params = appState.putObject("params");
    paramOverrides.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> params.set(e.getKey(), JsonFiles.MAPPER.valueToTree(e.getValue())));
    ArrayNode accs = appState.putArray("accounts");
    for (GenesisAccount a : accounts) {
      accs.addObject().put("address", a.address()).put("balance", Long.toString(a.balance()));
    }
    return parse(JsonFiles.render(root));
  }

  /** Reads and validates a genesis file. */
  public static GenesisDoc read(Path file) {
    return parse(JsonFiles.read(file));
  }

  /** Writes {@code doc.rawJson()} (as created or edited here) to {@code file}. */
  public static void write(Path file, GenesisDoc doc) {
    JsonFiles.write(file, doc.rawJson(), false);
  }

  /**
   * Parses and validates genesis bytes; throws {@link InvalidGenesisException} naming the first
   * offending field.
   */
  public static GenesisDoc parse(byte[] json) {
    ObjectNode root = JsonFiles.parseObject(json, "genesis");
    long timeMillis = parseTime(requiredText(root, "genesis_time"));
    String chainId = requiredText(root, "chain_id");
    if (chainId.isBlank()) {
      throw invalid("chain_id", "must not be empty");
    }
    if (chainId.length() > MAX_CHAIN_ID_LENGTH) {
      throw invalid("chain_id", "longer than " + MAX_CHAIN_ID_LENGTH + " characters");
    }
    long initialHeight = 1;
    JsonNode ih = root.get("initial_height");
    if (ih != null && !ih.isNull()) {
      initialHeight = parseInt64(ih, "initial_height");
      if (initialHeight == 0) {
        initialHeight = 1; // CometBFT reads 0 as 1
      }
    }
    JsonNode cp = root.get("consensus_params");
    if (cp != null && !cp.isNull() && !cp.isObject()) {
      throw invalid("consensus_params", "expected an object");
    }
    List<GenesisDoc.Validator> validators = parseValidators(root.get("validators"));
    JsonNode appHash = root.get("app_hash");
    if (appHash != null && !appHash.isNull()) {
      if (!appHash.isTextual() || !appHash.asText().matches("([0-9a-fA-F]{2})*")) {
        throw invalid("app_hash", "expected \"\" or hex");
      }
    }
    JsonNode appState = root.get("app_state");
    if (appState == null || appState.isNull()) {
      appState = NODES.objectNode();
    }
    validateAppState(appState);
    return new GenesisDoc(
        chainId,
        timeMillis,
        initialHeight,
        List.copyOf(validators),
        JsonFiles.render(appState),
        json.clone());
  }

  /** The same genesis with one more funded account; rejects an address already listed. */
  public static GenesisDoc addAccount(GenesisDoc doc, GenesisAccount account) {
    if (!ACCOUNT_ADDRESS.matcher(account.address()).matches()) {
      throw invalid("address", "expected 0x followed by 40 hex digits, got " + account.address());
    }
    if (account.balance() < 0) {
      throw invalid("balance", "must not be negative");
    }
    ObjectNode root = JsonFiles.parseObject(doc.rawJson(), "genesis");
    ObjectNode appState = objectField(root, "app_state");
    JsonNode existing = appState.get("accounts");
    ArrayNode accounts = existing instanceof ArrayNode a ? a : appState.putArray("accounts");
    for (JsonNode a : accounts) {
      if (a.path("address").asText().equalsIgnoreCase(account.address())) {
        throw invalid("app_state.accounts", "already holds " + account.address());
      }
    }
    accounts
        .addObject()
        .put("address", account.address().toLowerCase())
        .put("balance", Long.toString(account.balance()));
    return parse(JsonFiles.render(root));
  }

  /** The same genesis with one more validator; rejects a public key already listed. */
  public static GenesisDoc addValidator(GenesisDoc doc, GenesisDoc.Validator validator) {
    ObjectNode root = JsonFiles.parseObject(doc.rawJson(), "genesis");
    for (GenesisDoc.Validator v : doc.validators()) {
      if (Arrays.equals(v.pubKey(), validator.pubKey())) {
        throw invalid("validators", "already holds this public key");
      }
    }
    JsonNode existing = root.get("validators");
    ArrayNode vals = existing instanceof ArrayNode a ? a : root.putArray("validators");
    vals.add(validatorNode(validator));
    return parse(JsonFiles.render(root));
  }

  /** The same genesis with {@code app_state.params.<name>} set to {@code value}. */
  public static GenesisDoc withParam(GenesisDoc doc, String name, Object value) {
    ObjectNode root = JsonFiles.parseObject(doc.rawJson(), "genesis");
    objectField(objectField(root, "app_state"), "params")
        .set(name, JsonFiles.MAPPER.valueToTree(value));
    return parse(JsonFiles.render(root));
  }

  /** CometBFT's validator address: the first 20 bytes of SHA-256 of the key, upper-case hex. */
  public static String validatorAddress(byte[] pubKey) {
    return Hex.encodeUpper(Address.of(pubKey).bytes());
  }

  private static ObjectNode validatorNode(GenesisDoc.Validator v) {
    ObjectNode node = NODES.objectNode();
    node.put("address", validatorAddress(v.pubKey()));
    node.putObject("pub_key")
        .put("type", PUB_KEY_TYPE)
        .put("value", Base64.getEncoder().encodeToString(v.pubKey()));
    node.put("power", Long.toString(v.power()));
    node.put("name", v.name() == null ? "" : v.name());
    return node;
  }

  private static ObjectNode defaultConsensusParams() {
    ObjectNode cp = NODES.objectNode();
    cp.putObject("block").put("max_bytes", "22020096").put("max_gas", "-1");
    cp.putObject("evidence")
        .put("max_age_num_blocks", "100000")
        .put("max_age_duration", "172800000000000")
        .put("max_bytes", "1048576");
    cp.putObject("validator").putArray("pub_key_types").add("ed25519");
    cp.putObject("version").put("app", "0");
    cp.putObject("abci").put("vote_extensions_enable_height", "0");
    return cp;
  }

  private static List<GenesisDoc.Validator> parseValidators(JsonNode node) {
    if (node == null || !node.isArray()) {
      throw invalid("validators", "expected an array");
    }
    if (node.isEmpty()) {
      throw invalid("validators", "at least one validator is required");
    }
    List<GenesisDoc.Validator> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "validators[" + i + "]";
      JsonNode v = node.get(i);
      if (!v.isObject()) {
        throw invalid(at, "expected an object");
      }
      JsonNode pk = v.get("pub_key");
      if (pk == null || !pk.isObject()) {
        throw invalid(at + ".pub_key", "expected an object with type and value");
      }
      if (!PUB_KEY_TYPE.equals(pk.path("type").asText())) {
        throw invalid(at + ".pub_key.type", "expected " + PUB_KEY_TYPE);
      }
      byte[] pub = base64(pk.get("value"), at + ".pub_key.value", 32);
      if (!seen.add(Base64.getEncoder().encodeToString(pub))) {
        throw invalid(at + ".pub_key", "listed twice");
      }
      JsonNode powerNode = v.get("power");
      if (powerNode == null) {
        throw invalid(at + ".power", "missing");
      }
      long power = parseInt64(powerNode, at + ".power");
      if (power <= 0) {
        throw invalid(at + ".power", "must be positive");
      }
      JsonNode addr = v.get("address");
      if (addr != null && !addr.isNull() && !addr.asText().isEmpty()) {
        if (!addr.asText().equalsIgnoreCase(validatorAddress(pub))) {
          throw invalid(
              at + ".address", "does not match pub_key (expected " + validatorAddress(pub) + ")");
        }
      }
      out.add(new GenesisDoc.Validator(pub, power, v.path("name").asText("")));
    }
    return out;
  }

  private static void validateAppState(JsonNode appState) {
    if (!appState.isObject()) {
      throw invalid("app_state", "expected an object");
    }
    JsonNode params = appState.get("params");
    if (params != null && !params.isNull() && !params.isObject()) {
      throw invalid("app_state.params", "expected an object");
    }
    JsonNode accounts = appState.get("accounts");
    if (accounts == null || accounts.isNull()) {
      return;
    }
    if (!accounts.isArray()) {
      throw invalid("app_state.accounts", "expected an array");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < accounts.size(); i++) {
      String at = "app_state.accounts[" + i + "]";
      JsonNode a = accounts.get(i);
      String address = a.path("address").asText("");
      if (!ACCOUNT_ADDRESS.matcher(address).matches()) {
        throw invalid(at + ".address", "expected 0x followed by 40 hex digits");
      }
      if (!seen.add(address.toLowerCase())) {
        throw invalid(at + ".address", "listed twice");
      }
      JsonNode balance = a.get("balance");
      if (balance == null) {
        throw invalid(at + ".balance", "missing");
      }
      if (parseInt64(balance, at + ".balance") < 0) {
        throw invalid(at + ".balance", "must not be negative");
      }
    }
  }

  private static String requiredText(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw invalid(field, "missing");
    }
    if (!n.isTextual()) {
      throw invalid(field, "expected a string");
    }
    return n.asText();
  }

  private static long parseTime(String text) {
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant()
          .toEpochMilli();
    } catch (DateTimeParseException e) {
      throw invalid("genesis_time", "not an RFC3339 time: " + text);
    }
  }

  /** int64 as CometBFT writes it (a string), or a plain JSON integer. */
  static long parseInt64(JsonNode n, String field) {
    String text = n.isTextual() ? n.asText() : n.isIntegralNumber() ? n.asText() : null;
    if (text == null) {
      throw invalid(field, "expected an integer string");
    }
    boolean negative = text.startsWith("-");
    if (!UINT.matcher(negative ? text.substring(1) : text).matches()) {
      throw invalid(field, "not an integer: " + text);
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw invalid(field, "out of range: " + text);
    }
  }

  static byte[] base64(JsonNode n, String field, int length) {
    if (n == null || !n.isTextual()) {
      throw invalid(field, "expected base64 text");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(n.asText());
    } catch (IllegalArgumentException e) {
      throw invalid(field, "not base64");
    }
    if (bytes.length != length) {
      throw invalid(field, "expected " + length + " bytes, got " + bytes.length);
    }
    return bytes;
  }

  private static ObjectNode objectField(ObjectNode parent, String name) {
    JsonNode n = parent.get(name);
    if (n instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(name);
  }

  static InvalidGenesisException invalid(String field, String problem) {
    return new InvalidGenesisException(field + ": " + problem);
  }
}
