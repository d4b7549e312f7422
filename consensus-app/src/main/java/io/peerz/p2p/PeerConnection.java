package io.peerz.p2p;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.peerz.p2p.proto.ChannelMessage;
import io.peerz.p2p.proto.Packet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated connection to a peer: its outgoing queues (one bounded queue per channel), the
 * packets they are cut into, the send rate, and the peer's misbehavior score. {@link #enqueue} may
 * be called from any thread; frames are sealed and written only on the connection's event loop,
 * which keeps the nonce counter in write order.
 */
final class PeerConnection {
  private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);

  final String peerId;
  final boolean outbound;

  /** A persistent or unconditional peer: outside the peer counts, never banned. */
  final boolean privileged;

  final Channel channel;
  private final FrameCipher sendCipher;
  private final int[] channelIds;
  private final ArrayBlockingQueue<byte[]>[] queues;
  private final AtomicBoolean[] full;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final int maxPacket;
  private final TokenBucket sendRate;
  private final PeerScore score = new PeerScore();
  private int nextQueue;
  // The message being written, packet by packet (event loop only).
  private byte[] current;
  private int currentChannel;
  private int offset;
  private boolean throttled;

  @SuppressWarnings("unchecked")
  PeerConnection(
      String peerId,
      boolean outbound,
      boolean privileged,
      Channel channel,
      FrameCipher sendCipher,
      P2pConfig config) {
    this.peerId = peerId;
    this.outbound = outbound;
    this.privileged = privileged;
    this.channel = channel;
    this.sendCipher = sendCipher;
    this.channelIds =
        config.maxMessageBytes().keySet().stream().mapToInt(Integer::intValue).toArray();
    this.queues = new ArrayBlockingQueue[channelIds.length];
    this.full = new AtomicBoolean[channelIds.length];
    for (int i = 0; i < channelIds.length; i++) {
      queues[i] = new ArrayBlockingQueue<>(config.queueCapacity());
      full[i] = new AtomicBoolean();
    }
    this.maxPacket = config.limits().maxPacketMsgPayloadSize();
    this.sendRate = new TokenBucket(config.limits().sendRate(), System.nanoTime());
  }

  /** Queues a message without blocking; false when that channel's queue is full. */
  boolean enqueue(int channelId, byte[] message) {
    int i = indexOf(channelId);
    if (!queues[i].offer(message)) {
      if (full[i].compareAndSet(false, true)) {
        // One line each time a queue fills up, not one per dropped message.
        LOG.warn(
            "p2p queue full peer={} channel=0x{} capacity={} action=dropping",
            peerId,
            Integer.toHexString(channelId),
            queues[i].remainingCapacity() + queues[i].size());
      }
      return false;
    }
    if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(this::drain);
    }
    return true;
  }

  /** Adds a misbehavior's points; returns the score after. Any thread. */
  synchronized long misbehaved(Misbehavior kind) {
    return score.add(kind, System.nanoTime());
  }

  /**
   * Writes queued messages, one channel after another and each message whole before the next, as
   * packets, while the socket accepts more and the send rate allows.
   */
  void drain() {
    drainScheduled.set(false);
    boolean wrote = false;
    while (channel.isActive() && channel.isWritable()) {
      long wait = sendRate.waitNanos(System.nanoTime());
      if (wait > 0) {
        if (!throttled) {
          throttled = true;
          channel
              .eventLoop()
              .schedule(
                  () -> {
                    throttled = false;
                    drain();
                  },
                  wait,
                  TimeUnit.NANOSECONDS);
        }
        break;
      }
      if (current == null && !nextMessage()) {
        break;
      }
      int n = Math.min(maxPacket, current.length - offset);
      boolean more = offset + n < current.length;
      Packet packet =
          Packet.newBuilder()
              .setMessage(
                  ChannelMessage.newBuilder()
                      .setChannel(currentChannel)
                      .setPayload(ByteString.copyFrom(current, offset, n))
                      .setMore(more))
              .build();
      sendRate.take(writeSealed(packet.toByteArray()), System.nanoTime());
      wrote = true;
      offset += n;
      if (!more) {
        current = null;
      }
    }
    if (wrote) {
      channel.flush();
    }
  }

  /** Takes the next queued message, channels in turn; false when all queues are empty. */
  private boolean nextMessage() {
    for (int k = 0; k < queues.length; k++) {
      int i = (nextQueue + k) % queues.length;
      byte[] message = queues[i].poll();
      if (message != null) {
        nextQueue = (i + 1) % queues.length;
        if (queues[i].isEmpty() && full[i].get()) {
          // Drained: the next time it fills up is a new event worth a line.
          full[i].set(false);
        }
        current = message;
        currentChannel = channelIds[i];
        offset = 0;
        return true;
      }
    }
    return false;
  }

  /** Seals and writes one frame; returns the bytes written. Event loop only. */
  int writeSealed(byte[] plaintext) {
    byte[] sealed = sendCipher.seal(plaintext);
    ByteBuf buf = channel.alloc().buffer(4 + sealed.length);
    buf.writeInt(sealed.length);
    buf.writeBytes(sealed);
    channel.write(buf);
    return 4 + sealed.length;
  }

  private int indexOf(int channelId) {
    for (int i = 0; i < channelIds.length; i++) {
      if (channelIds[i] == channelId) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown channel 0x" + Integer.toHexString(channelId));
  }
}
