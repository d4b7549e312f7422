/**
 * JSON-RPC in CometBFT's shapes (URI GET and JSON-RPC 2.0 POST) on Micronaut. Public surface:
 * {@link io.peerz.rpc.RpcServer} and the {@link io.peerz.rpc.RpcBackend} it serves from.
 */
package io.peerz.rpc;
