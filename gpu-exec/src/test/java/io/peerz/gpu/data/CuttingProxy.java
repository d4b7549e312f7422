package io.peerz.gpu.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a server that cuts its first {@code cuts} connections after {@code bytes}
 * bytes in one direction: the dropped connection a resumable transfer must survive.
 */
final class CuttingProxy implements AutoCloseable {
  /** Which bytes are counted toward the cut. */
  enum Direction {
    UPLOAD,
    DOWNLOAD
  }

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final Direction direction;
  private final long bytes;
  private final AtomicInteger cutsLeft;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  CuttingProxy(URI target, Direction direction, long bytes, int cuts) throws IOException {
    this.target = new InetSocketAddress(target.getHost(), target.getPort());
    this.direction = direction;
    this.bytes = bytes;
    this.cutsLeft = new AtomicInteger(cuts);
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "cutting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        connections.incrementAndGet();
        Socket server = new Socket();
        server.connect(target);
        open.add(client);
        open.add(server);
        boolean cut = cutsLeft.getAndDecrement() > 0;
        long upLimit = cut && direction == Direction.UPLOAD ? bytes : Long.MAX_VALUE;
        long downLimit = cut && direction == Direction.DOWNLOAD ? bytes : Long.MAX_VALUE;
        pump(client, server, upLimit);
        pump(server, client, downLimit);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, long limit) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              long sent = 0;
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf, 0, (int) Math.min(buf.length, limit - sent))) > 0) {
                  out.write(buf, 0, n);
                  out.flush();
                  sent += n;
                  if (sent >= limit) {
                    break;
                  }
                }
              } catch (IOException e) {
                // the other side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
  }
}
