package io.peerz.state;

/** An answer to a query path: code 0 and a JSON value, or an error code and log. */
public record QueryResult(int code, String codespace, String log, byte[] key, byte[] value) {}
