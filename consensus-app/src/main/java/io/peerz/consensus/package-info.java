/**
 * The application interface in ABCI 2.0 shape, the embedded sequencer (Tendermint algorithm), the
 * mempool and the node that wires them.
 *
 * <p>Public surface: {@link io.peerz.consensus.Application} (with its request and response
 * records), {@link io.peerz.consensus.PeerzApplication} (the state machine over the ledger), {@link
 * io.peerz.consensus.GenesisDoc}, {@link io.peerz.consensus.NodeConfig}, {@link
 * io.peerz.consensus.PeerzNode} (which serves {@link io.peerz.rpc.RpcBackend}) and {@link
 * io.peerz.consensus.Replay}.
 *
 * <p>Internals: the sans-IO consensus core ({@code ConsensusCore}, events in, actions out), its
 * validator set with CometBFT's proposer rotation, vote sets, the double-sign guarded signer
 * ({@code PrivValidator}, {@code data/priv_validator_state.json}) and the mempool. Votes and
 * proposals are the {@code peerz.consensus.v1} protobuf messages; their sign bytes include the
 * chain id.
 */
package io.peerz.consensus;
