/**
 * The application interface in ABCI 2.0 shape, the embedded sequencer (Tendermint algorithm), the
 * mempool and the node that wires them.
 *
 * <p>Public surface: {@link io.peerz.consensus.Application} (with its request and response
 * records), {@link io.peerz.consensus.PeerzApplication} (the state machine over the ledger), {@link
 * io.peerz.consensus.NodeConfig}, {@link io.peerz.consensus.PeerzNode} (which serves {@link
 * io.peerz.rpc.RpcBackend}), {@link io.peerz.consensus.Replay}, and the state-sync settings {@link
 * io.peerz.consensus.SnapshotConfig} and {@link io.peerz.consensus.StateSyncConfig}.
 *
 * <p>State sync: {@code StateSyncer} restores a fresh node from a peer's snapshot after verifying
 * its app hash against the next header (commit signed by its validators and by the genesis set);
 * {@code PeerzNode} serves snapshots, chunks and light blocks on p2p channels 0x60 and 0x61 and
 * keeps the verified light blocks in {@code data/statesync.pb} to resume from.
 *
 * <p>Internals: the sans-IO consensus core ({@code ConsensusCore}, events in, actions out), its
 * validator set with CometBFT's proposer rotation, vote sets, the double-sign guarded signer
 * ({@code PrivValidator}, {@code data/priv_validator_state.json}) and the mempool. Votes and
 * proposals are the {@code peerz.consensus.v1} protobuf messages; their sign bytes include the
 * chain id.
 */
package io.peerz.consensus;
