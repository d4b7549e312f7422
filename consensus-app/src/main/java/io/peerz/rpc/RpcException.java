package io.peerz.rpc;

/**
 * A JSON-RPC 2.0 error answer: code, standard message and CometBFT-style {@code data} saying what
 * was wrong. Thrown by method handlers and turned into the {@code error} member of the response.
 */
final class RpcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;

  private final int code;
  private final String data;

  private RpcException(int code, String data) {
    super(data, null, false, false);
    this.code = code;
    this.data = data;
  }

  static RpcException parseError(String data) {
    return new RpcException(PARSE_ERROR, data);
  }

  static RpcException invalidRequest(String data) {
    return new RpcException(INVALID_REQUEST, data);
  }

  static RpcException methodNotFound() {
    return new RpcException(METHOD_NOT_FOUND, null);
  }

  static RpcException invalidParams(String data) {
    return new RpcException(INVALID_PARAMS, data);
  }

  static RpcException internal(String data) {
    return new RpcException(INTERNAL_ERROR, data);
  }

  int code() {
    return code;
  }

  /** The standard message for the code, as CometBFT writes it. */
  String standardMessage() {
    return switch (code) {
      case PARSE_ERROR -> "Parse error";
      case INVALID_REQUEST -> "Invalid Request";
      case METHOD_NOT_FOUND -> "Method not found";
      case INVALID_PARAMS -> "Invalid params";
      default -> "Internal error";
    };
  }

  /** What was wrong, or null when the message says it all. */
  String data() {
    return data;
  }
}
