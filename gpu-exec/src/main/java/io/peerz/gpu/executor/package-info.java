/**
 * The executor daemon ({@code peerz server}): the job loop that takes seeded and data jobs, runs
 * them on a {@link io.peerz.gpu.GemmBackend}, serves data through {@link
 * io.peerz.gpu.data.DataServer}, and commits, reveals and answers on chain through a {@link
 * io.peerz.gpu.executor.NodeClient}. The CLI only parses its flags and wires it.
 *
 * <p>Public surface: {@link io.peerz.gpu.executor.ExecutorDaemon}, {@link
 * io.peerz.gpu.executor.ExecutorState}, {@link io.peerz.gpu.executor.NodeClient}, {@link
 * io.peerz.gpu.executor.Faults}, {@link io.peerz.gpu.executor.MatrixInputCheck}.
 */
package io.peerz.gpu.executor;
