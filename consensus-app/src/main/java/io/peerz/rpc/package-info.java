/**
 * JSON-RPC in CometBFT v0.38's shapes (URI GET and JSON-RPC 2.0 POST) on Micronaut.
 *
 * <p>Public surface: {@link io.peerz.rpc.RpcServer} ({@code start(backend, listen)}, {@code
 * address()}, {@code close()}) and the {@link io.peerz.rpc.RpcBackend} it serves from. Everything
 * else (the controller, the method table, the JSON encoders) is package-private.
 */
package io.peerz.rpc;
