/**
 * genesis.json in CometBFT's layout with peerz's {@code app_state}, CometBFT's key files and their
 * validation. Public surface: {@link io.peerz.genesis.GenesisDoc} (the parsed document, which the
 * node and the RPC read), {@link io.peerz.genesis.GenesisFile}, {@link
 * io.peerz.genesis.GenesisAccount}, {@link io.peerz.genesis.InvalidGenesisException}, {@link
 * io.peerz.genesis.PrivValidatorKeyFile}, {@link io.peerz.genesis.NodeKeyFile}, {@link
 * io.peerz.genesis.PrivValidatorStateFile}, {@link io.peerz.genesis.TestnetGenerator}.
 */
package io.peerz.genesis;
