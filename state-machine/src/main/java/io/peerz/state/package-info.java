/**
 * The deterministic state machine: every transaction type and its execution. Public surface: {@link
 * io.peerz.state.StateMachine} and the records it takes and returns.
 */
package io.peerz.state;
