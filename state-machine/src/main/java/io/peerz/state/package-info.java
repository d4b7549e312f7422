/**
 * The deterministic state machine: every transaction type and its execution. Public surface: {@link
 * io.peerz.state.StateMachine}, {@link io.peerz.state.CheckState} and the records it takes and
 * returns ({@link io.peerz.state.BlockContext}, {@link io.peerz.state.BlockOutcome}, {@link
 * io.peerz.state.GenesisOutcome}, {@link io.peerz.state.QueryResult}, {@link
 * io.peerz.state.Misbehavior}). Error codes are listed in docs/errors.md; stored values are the
 * protobuf messages of peerz/state/v1/state.proto.
 */
package io.peerz.state;
