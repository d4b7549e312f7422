package io.peerz.gpu.data;

/**
 * A transfer that failed: the HTTP status (0 when no answer decided it), the server's {@code
 * data/N} code and message when it sent one, else a client-side code ({@code data/30} and up).
 */
public final class DataTransferException extends Exception {
  private final int status;
  private final String code;

  /** A failure with the status the server answered (0: none) and a {@code data/N} code. */
  public DataTransferException(int status, String code, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
  }

  DataTransferException(DataError error, String message) {
    this(0, error.code(), message, null);
  }

  DataTransferException(DataError error, String message, Throwable cause) {
    this(0, error.code(), message, cause);
  }

  /** The HTTP status of the answer that failed the transfer; 0 when none did. */
  public int status() {
    return status;
  }

  /** The {@code data/N} code (the server's, or the client's when the server sent none). */
  public String code() {
    return code;
  }
}
