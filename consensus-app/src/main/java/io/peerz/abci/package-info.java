/**
 * The ABCI 2.0 socket server through which CometBFT v0.38 drives a peerz {@link
 * io.peerz.consensus.Application}.
 *
 * <p>Public surface: {@link io.peerz.abci.AbciServer} ({@code start(app, "tcp://host:port")},
 * {@code address()}, {@code close()}).
 *
 * <p>Internals: the unsigned-varint frame decoder and encoder, one handler per connection that
 * serves requests in order on its own thread and flushes on Flush, and the adapter that maps the
 * {@code tendermint.abci} protobuf messages (generated into {@code io.peerz.abci.proto}) to
 * Application calls under one lock (query excepted). State sync is not supported yet: snapshot
 * requests are answered with none, REJECT, empty and ABORT.
 */
package io.peerz.abci;
