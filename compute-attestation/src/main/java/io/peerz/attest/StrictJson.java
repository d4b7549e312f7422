package io.peerz.attest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of JSON (RFC 8259) for file headers: objects (unique keys, kept in order),
 * arrays, strings, integers that fit a {@code long}, true, false and null. It refuses fractions and
 * exponents (a header of counts and offsets has none, and a float there is a corrupt file),
 * duplicate keys (two readers could take different ones), nesting deeper than {@link #MAX_DEPTH}
 * and anything after the value but whitespace. Errors are IllegalArgumentException with the offset.
 */
final class StrictJson {
  static final int MAX_DEPTH = 32;

  private final String text;
  private int at;

  private StrictJson(String text) {
    this.text = text;
  }

  /**
   * The value of {@code text}: Map (LinkedHashMap, unmodifiable), List, String, Long, Boolean or
   * null.
   */
  static Object parse(String text) {
    StrictJson p = new StrictJson(text);
    p.skipWhitespace();
    Object v = p.value(0);
    p.skipWhitespace();
    if (p.at != text.length()) {
      throw p.error("unexpected " + p.describeNext() + " after the value");
    }
    return v;
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH);
    }
    if (at >= text.length()) {
      throw error("the text ends where a value should be");
    }
    char c = text.charAt(at);
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected " + describeNext());
      }
    };
  }

  private Map<String, Object> object(int depth) {
    at++;
    Map<String, Object> out = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      at++;
      return Collections.unmodifiableMap(out);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a key in quotes, found " + describeNext());
      }
      int keyAt = at;
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object v = value(depth + 1);
      if (out.containsKey(key)) {
        at = keyAt;
        throw error("the key \"" + key + "\" appears twice");
      }
      out.put(key, v);
      skipWhitespace();
      char c = peek();
      at++;
      if (c == '}') {
        return Collections.unmodifiableMap(out);
      }
      if (c != ',') {
        at--;
        throw error("expected , or } in an object, found " + describeNext());
      }
    }
  }

  private List<Object> array(int depth) {
    at++;
    List<Object> out = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      at++;
      return Collections.unmodifiableList(out);
    }
    while (true) {
      skipWhitespace();
      out.add(value(depth + 1));
      skipWhitespace();
      char c = peek();
      at++;
      if (c == ']') {
        return Collections.unmodifiableList(out);
      }
      if (c != ',') {
        at--;
        throw error("expected , or ] in an array, found " + describeNext());
      }
    }
  }

  private String string() {
    int start = at;
    at++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        at = start;
        throw error("a string that never ends");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        at--;
        throw error("a control character (U+" + String.format("%04X", (int) c) + ") in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (at >= text.length()) {
        throw error("a string that ends inside an escape");
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw error("a \\u escape needs four hex digits");
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(at + i), 16);
            if (d < 0) {
              throw error("a \\u escape needs four hex digits");
            }
            code = code * 16 + d;
          }
          at += 4;
          b.append((char) code);
        }
        default -> {
          at -= 2;
          throw error("an unknown escape \\" + e);
        }
      }
    }
  }

  private Long number() {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    int digits = at;
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
    }
    if (at == digits) {
      at = start;
      throw error("a minus sign without digits");
    }
    if (text.charAt(digits) == '0' && at - digits > 1) {
      at = start;
      throw error("a number with a leading zero");
    }
    char next = peek();
    if (next == '.' || next == 'e' || next == 'E') {
      at = start;
      throw error("a number with a fraction or exponent; only integers belong here");
    }
    try {
      return Long.parseLong(text.substring(start, at));
    } catch (NumberFormatException e) {
      at = start;
      throw error("an integer outside the 64-bit range");
    }
  }

  private Object literal(String word, Object v) {
    if (!text.startsWith(word, at)) {
      throw error("unexpected " + describeNext());
    }
    at += word.length();
    return v;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected " + c + ", found " + describeNext());
    }
    at++;
  }

  /** The next character, or 0 at the end. */
  private char peek() {
    return at < text.length() ? text.charAt(at) : 0;
  }

  private void skipWhitespace() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      at++;
    }
  }

  private String describeNext() {
    if (at >= text.length()) {
      return "the end of the text";
    }
    char c = text.charAt(at);
    return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + at);
  }
}
