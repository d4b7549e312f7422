/**
 * The compute market's data plane (docs/data-plane.md): buyers' inputs in, outputs back, over plain
 * HTTP/1.1 on Netty.
 *
 * <p>Public surface: {@link io.peerz.gpu.data.DataServer} (an executor's data endpoint) with {@link
 * io.peerz.gpu.data.InputCheck}, {@link io.peerz.gpu.data.DataRejectedException} and {@link
 * io.peerz.gpu.data.DataLimits}; {@link io.peerz.gpu.data.DataClient} and {@link
 * io.peerz.gpu.data.DataTransferException} (uploads, downloads, fetches); {@link
 * io.peerz.gpu.data.FolderServer} ({@code peerz data serve}); {@link io.peerz.gpu.data.DataError}
 * (the {@code data/N} codes of docs/errors.md).
 */
package io.peerz.gpu.data;
