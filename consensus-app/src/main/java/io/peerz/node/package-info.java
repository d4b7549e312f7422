/**
 * The node: {@link io.peerz.node.PeerzNode} builds, starts and stops the ledger, the application,
 * the consensus driver and its reactors, p2p and the JSON-RPC server from a {@link
 * io.peerz.node.NodeConfig}; its own ports are the executor-backed event loop, the transport over
 * p2p and the RPC backend (docs/architecture.md).
 */
package io.peerz.node;
