package io.peerz.state;

/**
 * An answer to a query path: code 0 and a JSON value, or an error code and log. {@code key} is the
 * state key the answer is read from; {@code provable} says it names one stored value (a record such
 * as an account), so a Merkle proof of {@code key} proves what the answer is built on, while a
 * list's key is only the prefix its entries share.
 */
public record QueryResult(
    int code, String codespace, String log, byte[] key, byte[] value, boolean provable) {

  /**
   * A query for a height other than the latest committed one: only the latest state is kept. {@code
   * log} names both heights.
   */
  public static QueryResult heightUnavailable(String log) {
    return failure(ErrorCode.HEIGHT_UNAVAILABLE, log);
  }

  /** A proof asked for of a path that answers a list rather than one stored value. */
  public static QueryResult notProvable(String log) {
    return failure(ErrorCode.NOT_PROVABLE, log);
  }

  /** A /store/ path whose key is not hex. */
  public static QueryResult badArgument(String log) {
    return failure(ErrorCode.BAD_ARGUMENT, log);
  }

  /** A /store/ key that holds no value. */
  public static QueryResult notFound(String log) {
    return failure(ErrorCode.NOT_FOUND, log);
  }

  static QueryResult failure(ErrorCode error, String log) {
    return new QueryResult(error.code, error.codespace, log, null, new byte[0], false);
  }
}
