package io.peerz.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A method's arguments, from a URI query ({@code ?height=5&tx=0x..}) or from JSON-RPC params,
 * converted the way CometBFT converts them. Getters return null for an absent argument and throw
 * {@link RpcException} (invalid params) for one that does not convert.
 */
sealed interface RpcParams {

  /** How a byte argument is written in the JSON-RPC form. */
  enum BytesForm {
    /** Go {@code []byte}: base64. */
    BASE64,
    /** CometBFT {@code HexBytes}: hex without prefix. */
    HEX,
    /** A 32-byte hash: hex (with or without 0x) or base64, whichever it is. */
    HASH
  }

  Long int64(String name);

  Boolean bool(String name);

  String string(String name);

  byte[] bytes(String name, BytesForm jsonForm);

  default long int64(String name, long absent) {
    Long value = int64(name);
    return value == null ? absent : value;
  }

  default boolean bool(String name, boolean absent) {
    Boolean value = bool(name);
    return value == null ? absent : value;
  }

  /** An int argument (page, per_page, limit), range-checked. */
  default Integer int32(String name) {
    Long value = int64(name);
    if (value == null) {
      return null;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw error(name, "value " + value + " out of range for int");
    }
    return value.intValue();
  }

  RpcException error(String name, String what);

  /** Arguments from a JSON-RPC request's {@code params}: an object, an array in order, or none. */
  static RpcParams ofJson(JsonNode params, List<String> argNames) {
    ObjectNode named = CometJson.object();
    if (params == null || params.isNull() || params.isMissingNode()) {
      return new Json(named);
    }
    if (params.isObject()) {
      return new Json((ObjectNode) params);
    }
    if (params.isArray()) {
      if (params.size() > argNames.size()) {
        throw RpcException.invalidParams(
            "error converting json params to arguments: expected "
                + argNames.size()
                + " parameters ("
                + argNames
                + "), got "
                + params.size());
      }
      for (int i = 0; i < params.size(); i++) {
        named.set(argNames.get(i), params.get(i));
      }
      return new Json(named);
    }
    throw RpcException.invalidParams(
        "error converting json params to arguments: params must be an object or an array");
  }

  static RpcParams ofUri(Map<String, String> values) {
    return new Uri(values);
  }

  /** URI form: ints bare or quoted, strings quoted or bare, bytes as 0x-hex or a quoted string. */
  record Uri(Map<String, String> values) implements RpcParams {
    private static final Pattern INT = Pattern.compile("-?[0-9]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    private String raw(String name) {
      String value = values.get(name);
      return value == null || value.isEmpty() ? null : value;
    }

    @Override
    public Long int64(String name) {
      String raw = raw(name);
      if (raw == null) {
        return null;
      }
      String digits = isQuoted(raw) ? raw.substring(1, raw.length() - 1) : raw;
      if (!INT.matcher(digits).matches()) {
        throw error(name, "expected an integer, got " + raw);
      }
      try {
        return Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw error(name, "value " + raw + " out of range for int64");
      }
    }

    @Override
    public Boolean bool(String name) {
      String raw = raw(name);
      if (raw == null) {
        return null;
      }
      String text = isQuoted(raw) ? raw.substring(1, raw.length() - 1) : raw;
      return switch (text) {
        case "true" -> true;
        case "false" -> false;
        default -> throw error(name, "expected true or false, got " + raw);
      };
    }

    @Override
    public String string(String name) {
      String raw = raw(name);
      if (raw == null) {
        return null;
      }
      if (isHex(raw)) {
        return new String(hexBytes(name, raw.substring(2)), StandardCharsets.UTF_8);
      }
      return isQuoted(raw) ? unquote(name, raw) : raw;
    }

    @Override
    public byte[] bytes(String name, BytesForm jsonForm) {
      String raw = raw(name);
      if (raw == null) {
        return null;
      }
      if (isHex(raw)) {
        return hexBytes(name, raw.substring(2));
      }
      if (isQuoted(raw)) {
        // CometBFT takes a quoted URI argument's characters as the bytes themselves.
        return unquote(name, raw).getBytes(StandardCharsets.UTF_8);
      }
      if (jsonForm == BytesForm.HASH && HashText.isHex(raw)) {
        return hexBytes(name, raw);
      }
      throw error(name, "expected 0x-prefixed hex or a quoted string, got " + raw);
    }

    @Override
    public RpcException error(String name, String what) {
      return RpcException.invalidParams(
          "error converting http params to arguments: " + name + ": " + what);
    }

    private static boolean isQuoted(String raw) {
      return raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"");
    }

    private static boolean isHex(String raw) {
      return raw.length() >= 2 && (raw.startsWith("0x") || raw.startsWith("0X"));
    }

    private String unquote(String name, String raw) {
      try {
        return JSON.readValue(raw, String.class);
      } catch (Exception e) {
        throw error(name, "malformed quoted string " + raw);
      }
    }

    private byte[] hexBytes(String name, String hex) {
      try {
        return HexFormat.of().parseHex(hex);
      } catch (IllegalArgumentException e) {
        throw error(name, "malformed hex " + hex);
      }
    }
  }

  /** JSON-RPC form: int64 as a number or a decimal string, bytes as base64 or hex per argument. */
  record Json(ObjectNode named) implements RpcParams {

    private JsonNode raw(String name) {
      JsonNode value = named.get(name);
      return value == null || value.isNull() ? null : value;
    }

    @Override
    public Long int64(String name) {
      JsonNode raw = raw(name);
      if (raw == null) {
        return null;
      }
      if (raw.isIntegralNumber() && raw.canConvertToLong()) {
        return raw.longValue();
      }
      if (raw.isTextual()) {
        try {
          return Long.parseLong(raw.textValue());
        } catch (NumberFormatException e) {
          throw error(name, "expected an integer, got " + raw);
        }
      }
      throw error(name, "expected an integer, got " + raw);
    }

    @Override
    public Boolean bool(String name) {
      JsonNode raw = raw(name);
      if (raw == null) {
        return null;
      }
      if (raw.isBoolean()) {
        return raw.booleanValue();
      }
      if (raw.isTextual() && (raw.textValue().equals("true") || raw.textValue().equals("false"))) {
        return Boolean.parseBoolean(raw.textValue());
      }
      throw error(name, "expected true or false, got " + raw);
    }

    @Override
    public String string(String name) {
      JsonNode raw = raw(name);
      if (raw == null) {
        return null;
      }
      if (!raw.isTextual()) {
        throw error(name, "expected a string, got " + raw);
      }
      return raw.textValue();
    }

    @Override
    public byte[] bytes(String name, BytesForm jsonForm) {
      JsonNode raw = raw(name);
      if (raw == null) {
        return null;
      }
      if (!raw.isTextual()) {
        throw error(name, "expected a string, got " + raw);
      }
      String text = raw.textValue();
      try {
        return switch (jsonForm) {
          case BASE64 -> Base64.getDecoder().decode(text);
          case HEX -> HexFormat.of().parseHex(stripHexPrefix(text));
          case HASH ->
              HashText.isHex(stripHexPrefix(text))
                  ? HexFormat.of().parseHex(stripHexPrefix(text))
                  : Base64.getDecoder().decode(text);
        };
      } catch (IllegalArgumentException e) {
        throw error(
            name, "malformed " + (jsonForm == BytesForm.HEX ? "hex" : "base64") + " string " + raw);
      }
    }

    @Override
    public RpcException error(String name, String what) {
      return RpcException.invalidParams(
          "error converting json params to arguments: " + name + ": " + what);
    }

    private static String stripHexPrefix(String text) {
      return text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
    }
  }

  /** Tells a hex-written hash (64 hex digits) from a base64 one. */
  final class HashText {
    private static final Pattern HASH_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private HashText() {}

    static boolean isHex(String text) {
      return HASH_HEX.matcher(text).matches();
    }
  }
}
