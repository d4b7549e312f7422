package io.peerz.ledger;

import java.util.List;

/** CometBFT's tx query language, the subset peerz indexes: conditions joined by AND. */
public final class TxQuery {
  private TxQuery() {}

  /** One {@code key op value} condition. */
  public record Condition(String key, String op, String value) {}

  /**
   * Parses e.g. {@code tx.height=5 AND transfer.recipient='0xab..'}; throws
   * IllegalArgumentException naming what is wrong.
   */
  public static List<Condition> parse(String query) {
    throw new UnsupportedOperationException("contract");
  }
}
