package io.peerz.abci;

import io.peerz.abci.proto.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A client that speaks the ABCI socket protocol byte for byte, as CometBFT's socket client does:
 * raw frames out, unsigned-varint-prefixed frames in. Reads fail after a deadline instead of
 * hanging a test.
 */
final class AbciTestClient implements AutoCloseable {

  static final int DEADLINE_MILLIS = 20_000;

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  AbciTestClient(String address) throws IOException {
    InetSocketAddress target = AbciServer.parse(address);
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(target, DEADLINE_MILLIS);
    socket.setSoTimeout(DEADLINE_MILLIS);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  /** Writes bytes as they are, in one write call. */
  AbciTestClient write(byte[] raw) throws IOException {
    out.write(raw);
    out.flush();
    return this;
  }

  /** Sends one request frame: the request message built with the spec encoder. */
  AbciTestClient send(SpecEncoder request) throws IOException {
    return write(SpecEncoder.frame(request.toBytes()));
  }

  /** Sends one request frame encoded by the generated classes. */
  AbciTestClient send(io.peerz.abci.proto.Request request) throws IOException {
    return write(SpecEncoder.frame(request.toByteArray()));
  }

  /** Sends {@code request} and a flush, and returns the response to {@code request}. */
  Response call(io.peerz.abci.proto.Request request) throws IOException {
    send(request).flush();
    Response r = read();
    if (!read().hasFlush()) {
      throw new IOException("expected the flush response after " + r.getValueCase());
    }
    return r;
  }

  /** Sends Request{flush = 2}. */
  AbciTestClient flush() throws IOException {
    return send(SpecEncoder.message().message(2, SpecEncoder.message()));
  }

  void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** The next response frame's message bytes. */
  byte[] readFrame() throws IOException {
    ByteArrayOutputStream prefix = new ByteArrayOutputStream();
    long length = 0;
    for (int shift = 0; ; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a frame");
      }
      prefix.write(b);
      length |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    return in.readNBytes((int) length);
  }

  Response read() throws IOException {
    return Response.parseFrom(readFrame());
  }

  /** Whether the server closed the connection (end of stream) before the deadline. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by peer
    }
  }

  /** Bytes that have arrived and were not read yet. */
  int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
