package io.peerz.rpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after a refusal so that the client reads the refusal: the node stops writing
 * at once (the client sees the end of the answer), then keeps dropping what the client still sends
 * for {@link #GRACE_MILLIS} before it closes. Closing at once while a client is still sending its
 * body makes the kernel reset the connection, and a reset loses the answer the client had not read.
 */
final class Linger {
  private Linger() {}

  /** How long a refused client may go on sending before the connection is closed under it. */
  static final long GRACE_MILLIS = 2_000;

  static void closeSoon(ChannelHandlerContext ctx) {
    if (ctx.channel() instanceof SocketChannel socket && socket.isActive()) {
      socket.shutdownOutput();
    }
    ctx.executor().schedule(() -> ctx.close(), GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }
}
