/**
 * The application interface in ABCI 2.0 shape, the embedded sequencer (Tendermint algorithm), the
 * mempool and the node that wires them. Public surface: {@link io.peerz.consensus.GenesisDoc},
 * {@link io.peerz.consensus.NodeConfig}, {@link io.peerz.consensus.PeerzNode}, {@link
 * io.peerz.consensus.Replay}, {@link io.peerz.consensus.Application}.
 */
package io.peerz.consensus;
