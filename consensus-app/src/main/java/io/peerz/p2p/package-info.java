/**
 * Peer-to-peer transport between validators: authenticated, encrypted TCP with numbered channels.
 *
 * <p>Public surface: {@link io.peerz.p2p.P2pNode} ({@code start(config, listener)}, {@code send},
 * {@code broadcast}, {@code connectedPeers}, {@code nodeId}, {@code listenAddress}, {@code close},
 * {@code reportMisbehavior} and {@code isBanned}, the counters {@code droppedMessages}, {@code
 * droppedPeers} and {@code refusedPeers}) with its {@link io.peerz.p2p.P2pNode.Listener}, {@link
 * io.peerz.p2p.P2pConfig} (and {@code P2pConfig.defaults}), {@link io.peerz.p2p.PeerLimits}
 * (CometBFT's peer limits), {@link io.peerz.p2p.Misbehavior}, {@link io.peerz.p2p.P2pChannels}
 * (CometBFT's channel ids) and {@link io.peerz.p2p.NodeId}. The handshake, frame decoder and
 * cipher, packet assembly, rate limits, scores, queues and re-dial logic are package-private.
 */
package io.peerz.p2p;
