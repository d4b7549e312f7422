package io.peerz.gpu.data;

/** Why bytes were refused; its code ({@code data/N}) and message go in the HTTP error body. */
public final class DataRejectedException extends Exception {
  private final String code;

  /** A rejection with a {@code data/N} code and a message a person can act on. */
  public DataRejectedException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** A rejection with one of the listed codes. */
  public DataRejectedException(DataError error, String message) {
    this(error.code(), message);
  }

  /** The {@code data/N} code. */
  public String code() {
    return code;
  }
}
