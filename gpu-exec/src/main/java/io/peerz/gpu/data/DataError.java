package io.peerz.gpu.data;

/**
 * The data plane's error codes (codespace {@code data}, listed in docs/errors.md): each with the
 * HTTP status a server answers it with, or 0 for the client-side ones no server sends.
 */
public enum DataError {
  /** The path names no job, input, output or file this server holds. */
  NOT_FOUND(1, "not_found", 404),
  /** The request line, path, job id, name or a header is malformed. */
  BAD_REQUEST(2, "bad_request", 400),
  /** The path does not take this method. */
  METHOD_NOT_ALLOWED(3, "method_not_allowed", 405),
  /** An upload without Content-Length (chunked transfer encoding is not taken). */
  LENGTH_REQUIRED(4, "length_required", 411),
  /** Content-Length or the Content-Range total exceeds the size the job expects. */
  TOO_LARGE(5, "too_large", 413),
  /** The Content-Range total or a whole upload's length is not the size the job expects. */
  WRONG_SIZE(6, "wrong_size", 400),
  /** Content-Range is malformed or disagrees with Content-Length. */
  BAD_CONTENT_RANGE(7, "bad_content_range", 400),
  /** A chunk that does not start at the bytes the server holds. */
  WRONG_OFFSET(8, "wrong_offset", 409),
  /** Another connection is uploading this file, or its complete bytes are being checked. */
  UPLOAD_IN_PROGRESS(9, "upload_in_progress", 409),
  /** The input was uploaded and verified already. */
  ALREADY_VERIFIED(10, "already_verified", 409),
  /** The Range header is malformed or asks for several ranges. */
  BAD_RANGE(11, "bad_range", 400),
  /** The range starts at or past the end of the file. */
  RANGE_NOT_SATISFIABLE(12, "range_not_satisfiable", 416),
  /** The upload would take the server past its stored-bytes limit. */
  STORAGE_FULL(13, "storage_full", 507),
  /** The server holds its limit of open connections. */
  TOO_MANY_CONNECTIONS(14, "too_many_connections", 503),
  /** The server failed (an I/O error on its disk); the log names it. */
  INTERNAL(15, "internal", 500),
  /** Client side: the server could not be reached, or the connection kept failing. */
  CONNECTION_FAILED(30, "connection_failed", 0),
  /** Client side: the file is larger than the caller allows. */
  RESPONSE_TOO_LARGE(31, "response_too_large", 0),
  /** Client side: the server answered something the protocol does not allow. */
  BAD_RESPONSE(32, "bad_response", 0),
  /** Client side: the local file could not be read or written. */
  LOCAL_FILE(33, "local_file", 0),
  /** Client side: the server answered an HTTP error without a data-plane error body. */
  HTTP_ERROR(34, "http_error", 0);

  private final int number;
  private final String label;
  private final int httpStatus;

  DataError(int number, String label, int httpStatus) {
    this.number = number;
    this.label = label;
    this.httpStatus = httpStatus;
  }

  /** The code as it appears in an error body: {@code data/N}. */
  public String code() {
    return "data/" + number;
  }

  /** The name in docs/errors.md, e.g. {@code not_found}. */
  public String label() {
    return label;
  }

  /** The HTTP status a server answers with; 0 for client-side errors. */
  public int httpStatus() {
    return httpStatus;
  }
}
