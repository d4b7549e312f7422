package io.peerz.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** CometBFT's tx query language, the subset peerz indexes: conditions joined by AND. */
public final class TxQuery {
  /** The condition key for a tx's block height. */
  public static final String HEIGHT = "tx.height";

  /** The condition key for a tx's hash. */
  public static final String HASH = "tx.hash";

  private static final Set<String> OPS = Set.of("=", "<", "<=", ">", ">=");

  private TxQuery() {}

  /** One {@code key op value} condition; {@code value} is without its quotes. */
  public record Condition(String key, String op, String value) {}

  /**
   * Parses e.g. {@code tx.height=5 AND transfer.recipient='0xab..'}; throws
   * IllegalArgumentException naming what is wrong.
   */
  public static List<Condition> parse(String query) {
    if (query == null || query.isBlank()) {
      throw new IllegalArgumentException(
          "query is empty; expected e.g. tx.height=5 AND transfer.recipient='0x..'");
    }
    Parser p = new Parser(query);
    List<Condition> conditions = new ArrayList<>();
    while (true) {
      conditions.add(p.condition());
      p.skipSpaces();
      if (p.atEnd()) {
        return List.copyOf(conditions);
      }
      p.expectAnd();
    }
  }

  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return pos >= text.length();
    }

    void skipSpaces() {
      while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    Condition condition() {
      skipSpaces();
      int start = pos;
      while (!atEnd() && isKeyChar(text.charAt(pos))) {
        pos++;
      }
      String key = text.substring(start, pos);
      if (key.isEmpty()) {
        throw error("expected a key such as tx.height or <event type>.<attribute>");
      }
      if (!key.equals(HEIGHT) && !key.equals(HASH) && !isEventKey(key)) {
        throw new IllegalArgumentException(
            "key '"
                + key
                + "' must be tx.height, tx.hash or <event type>.<attribute key> in query '"
                + text
                + "'");
      }
      skipSpaces();
      String op = operator(key);
      skipSpaces();
      String value = value();
      if (!op.equals("=") && !key.equals(HEIGHT)) {
        throw new IllegalArgumentException(
            "operator " + op + " is only supported on tx.height; use = for '" + key + "'");
      }
      if (key.equals(HEIGHT) && !isNumber(value)) {
        throw new IllegalArgumentException(
            "tx.height must be compared with a whole number, got '" + value + "'");
      }
      if (key.equals(HASH) && !isHash(value)) {
        throw new IllegalArgumentException(
            "tx.hash must be 64 hex digits, got '" + value + "' (" + value.length() + " chars)");
      }
      return new Condition(key, op, value);
    }

    private String operator(String key) {
      int start = pos;
      while (!atEnd() && "=<>!".indexOf(text.charAt(pos)) >= 0) {
        pos++;
      }
      String op = text.substring(start, pos);
      if (OPS.contains(op)) {
        return op;
      }
      if (op.isEmpty()) {
        int wordEnd = pos;
        while (wordEnd < text.length() && Character.isLetter(text.charAt(wordEnd))) {
          wordEnd++;
        }
        String word = text.substring(pos, wordEnd);
        if (!word.isEmpty()) {
          throw error(
              "operator " + word + " after '" + key + "' is not supported; supported: = < <= > >=");
        }
      }
      throw error("expected an operator (= < <= > >=) after '" + key + "'");
    }

    private String value() {
      if (atEnd()) {
        throw error("expected a value: a quoted string like 'abc' or a number");
      }
      char c = text.charAt(pos);
      if (c == '\'') {
        int close = text.indexOf('\'', pos + 1);
        if (close < 0) {
          throw error("unterminated quoted value; add the closing '");
        }
        String value = text.substring(pos + 1, close);
        pos = close + 1;
        return value;
      }
      if (c == '"') {
        throw error("quote values with single quotes ('...'), not double quotes");
      }
      int start = pos;
      while (!atEnd() && isAsciiDigit(text.charAt(pos))) {
        pos++;
      }
      if (start == pos) {
        throw error("expected a value: a quoted string like 'abc' or a number");
      }
      if (!atEnd() && !Character.isWhitespace(text.charAt(pos))) {
        throw error("a bare value must be a whole number; quote text values with '...'");
      }
      return text.substring(start, pos);
    }

    void expectAnd() {
      if (text.regionMatches(true, pos, "AND", 0, 3)
          && (pos + 3 == text.length() || Character.isWhitespace(text.charAt(pos + 3)))) {
        pos += 3;
        skipSpaces();
        if (atEnd()) {
          throw error("expected a condition after AND");
        }
        return;
      }
      throw error("expected AND between conditions (OR and other keywords are not supported)");
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(
          what + " at position " + pos + " in query '" + text + "'");
    }
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isKeyChar(char c) {
    return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-';
  }

  private static boolean isEventKey(String key) {
    int dot = key.indexOf('.');
    return dot > 0 && dot < key.length() - 1 && !key.startsWith("tx.");
  }

  private static boolean isNumber(String value) {
    if (value.isEmpty() || value.length() > 18) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (!isAsciiDigit(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHash(String value) {
    if (value.length() != 2 * Sha256.LENGTH) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.digit(value.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
