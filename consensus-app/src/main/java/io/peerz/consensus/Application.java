package io.peerz.consensus;

/**
 * The application as consensus sees it, in ABCI 2.0's shape: info, init chain, check tx,
 * prepare/process proposal, finalize block, commit, query. The embedded sequencer calls it
 * in-process; the ABCI socket server (for CometBFT) calls it over the wire. The consensus-app
 * helper defines the request and response records beside this interface.
 */
public interface Application {}
