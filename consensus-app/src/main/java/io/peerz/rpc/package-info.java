/**
 * JSON-RPC in CometBFT v0.38's shapes (URI GET and JSON-RPC 2.0 POST) on Micronaut.
 *
 * <p>Public surface: {@link io.peerz.rpc.RpcServer} ({@code start(backend, listen[, limits])},
 * {@code address()}, {@code close()}), the {@link io.peerz.rpc.RpcBackend} it serves from and the
 * {@link io.peerz.rpc.RpcLimits} it holds clients to. Everything else (the controller, the method
 * table, the JSON encoders, the limit handlers) is package-private.
 */
package io.peerz.rpc;
