/**
 * The application interface in ABCI 2.0 shape, the embedded sequencer (Tendermint algorithm), its
 * driver and reactors, and the mempool. Never imports RPC or the node that wires it
 * (docs/architecture.md).
 *
 * <p>Public surface: {@link io.peerz.consensus.Application} (with its request and response
 * records), {@link io.peerz.consensus.PeerzApplication} (the state machine over the ledger), {@link
 * io.peerz.consensus.Replay}, the state-sync settings {@link io.peerz.consensus.SnapshotConfig} and
 * {@link io.peerz.consensus.StateSyncConfig}, and what the node wires: {@link
 * io.peerz.consensus.ConsensusDriver} over its ports {@link io.peerz.consensus.EventLoop} and
 * {@link io.peerz.consensus.PeerTransport}, the reactors {@link
 * io.peerz.consensus.ConsensusReactor}, {@link io.peerz.consensus.BlockSyncReactor}, {@link
 * io.peerz.consensus.StateSyncReactor} and {@link io.peerz.consensus.MempoolReactor} behind the
 * {@link io.peerz.consensus.PeerRouter}, {@link io.peerz.consensus.BlockExecution}, {@link
 * io.peerz.consensus.Handshake}, {@link io.peerz.consensus.Mempool}, {@link
 * io.peerz.consensus.EventBus} and their values.
 *
 * <p>State sync: {@code StateSyncer} restores a fresh node from a peer's snapshot after verifying
 * its app hash against the next header (commit signed by its validators and by the genesis set);
 * {@code StateSyncReactor} serves snapshots, chunks and light blocks on p2p channels 0x60 and 0x61
 * and keeps the verified light blocks in {@code data/statesync.pb} to resume from.
 *
 * <p>Internals: the sans-IO consensus core ({@code ConsensusCore}, events in, actions out), its
 * validator set with CometBFT's proposer rotation, vote sets and the double-sign guarded signer
 * ({@code PrivValidator}, {@code data/priv_validator_state.json}). Votes and proposals are the
 * {@code peerz.consensus.v1} protobuf messages; their sign bytes include the chain id.
 */
package io.peerz.consensus;
