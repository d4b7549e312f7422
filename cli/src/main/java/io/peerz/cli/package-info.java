/**
 * The {@code peerz} command line (picocli). Public surface: {@link io.peerz.cli.PeerzCli#main}.
 * Everything else (commands, keyring, JSON-RPC client) is package-private; only {@code start}
 * touches the node and its server framework, so every other command answers quickly.
 */
package io.peerz.cli;
