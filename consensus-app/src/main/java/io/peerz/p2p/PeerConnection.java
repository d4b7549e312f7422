package io.peerz.p2p;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.peerz.p2p.proto.ChannelMessage;
import io.peerz.p2p.proto.Packet;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated connection to a peer and its outgoing queues, one bounded queue per channel.
 * {@link #enqueue} may be called from any thread; frames are sealed and written only on the
 * connection's event loop, which keeps the nonce counter in write order.
 */
final class PeerConnection {
  private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);

  final String peerId;
  final boolean outbound;
  final Channel channel;
  private final FrameCipher sendCipher;
  private final int[] channelIds;
  private final ArrayBlockingQueue<byte[]>[] queues;
  private final AtomicBoolean[] full;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private int nextQueue;

  @SuppressWarnings("unchecked")
  PeerConnection(
      String peerId,
      boolean outbound,
      Channel channel,
      FrameCipher sendCipher,
      Map<Integer, Integer> maxMessageBytes,
      int queueCapacity) {
    this.peerId = peerId;
    this.outbound = outbound;
    this.channel = channel;
    this.sendCipher = sendCipher;
    this.channelIds = maxMessageBytes.keySet().stream().mapToInt(Integer::intValue).toArray();
    this.queues = new ArrayBlockingQueue[channelIds.length];
    this.full = new AtomicBoolean[channelIds.length];
    for (int i = 0; i < channelIds.length; i++) {
      queues[i] = new ArrayBlockingQueue<>(queueCapacity);
      full[i] = new AtomicBoolean();
    }
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

  /** Writes queued messages, one channel after another, while the socket accepts more. */
  void drain() {
    drainScheduled.set(false);
    boolean wrote = false;
    while (channel.isActive() && channel.isWritable()) {
      byte[] message = null;
      int channelId = 0;
      for (int k = 0; k < queues.length && message == null; k++) {
        int i = (nextQueue + k) % queues.length;
        message = queues[i].poll();
        channelId = channelIds[i];
        if (message != null) {
          nextQueue = (i + 1) % queues.length;
          if (queues[i].isEmpty() && full[i].get()) {
            // Drained: the next time it fills up is a new event worth a line.
            full[i].set(false);
          }
        }
      }
      if (message == null) {
        break;
      }
      Packet packet =
          Packet.newBuilder()
              .setMessage(
                  ChannelMessage.newBuilder()
                      .setChannel(channelId)
                      .setPayload(ByteString.copyFrom(message)))
              .build();
      writeSealed(packet.toByteArray());
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
  }

  /** Seals and writes one frame; event loop only. */
  void writeSealed(byte[] plaintext) {
    byte[] sealed = sendCipher.seal(plaintext);
    ByteBuf buf = channel.alloc().buffer(4 + sealed.length);
    buf.writeInt(sealed.length);
    buf.writeBytes(sealed);
    channel.write(buf);
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
