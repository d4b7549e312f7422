package io.peerz.p2p;

import com.google.protobuf.ByteString;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts one connection's packets back together into messages. A message's packets arrive one after
 * another (a sender finishes a message before it starts the next), so one message is in progress at
 * a time; it is checked against its channel's size cap as each packet arrives and holds only the
 * bytes that arrived. Partial messages of peers that are neither persistent nor unconditional share
 * one budget, so that however many of them send half a large message and stop, together they hold
 * no more than it. Event loop only.
 */
final class MessageAssembly {
  private final AtomicLong sharedBudget;
  private final long budgetBytes;
  private int channel = -1;
  private ByteString parts = ByteString.EMPTY;
  private long reserved;

  /**
   * {@code sharedBudget} counts the bytes held by every connection that shares it, up to {@code
   * budgetBytes}; null for a connection exempt from the budget.
   */
  MessageAssembly(AtomicLong sharedBudget, long budgetBytes) {
    this.sharedBudget = sharedBudget;
    this.budgetBytes = budgetBytes;
  }

  /** True while a message has started and not ended. */
  boolean inProgress() {
    return channel >= 0;
  }

  /**
   * Adds one packet of a message on {@code channel}, whose messages are at most {@code max} bytes;
   * returns the whole message when {@code more} is false, else null.
   *
   * @throws PeerProtocolException for a packet of another channel while a message is in progress, a
   *     message over {@code max}, or a shared budget that cannot take the packet
   */
  byte[] add(int packetChannel, ByteString payload, boolean more, int max) {
    if (channel >= 0 && packetChannel != channel) {
      throw new PeerProtocolException(
          "interleaved_message",
          "packet on channel=0x"
              + Integer.toHexString(packetChannel)
              + " while a message on channel=0x"
              + Integer.toHexString(channel)
              + " is unfinished");
    }
    long size = (long) parts.size() + payload.size();
    if (size > max) {
      throw new PeerProtocolException(
          "oversize_message",
          "channel=0x" + Integer.toHexString(packetChannel) + " size>=" + size + " max=" + max);
    }
    if (!more && channel < 0) {
      return payload.toByteArray(); // one packet, the usual case: nothing held
    }
    channel = packetChannel;
    if (more) {
      reserve(payload.size());
      parts = parts.concat(payload);
      return null;
    }
    byte[] message = parts.concat(payload).toByteArray();
    release();
    return message;
  }

  private void reserve(int bytes) {
    if (sharedBudget == null) {
      return;
    }
    long total = sharedBudget.addAndGet(bytes);
    reserved += bytes;
    if (total > budgetBytes) {
      throw new PeerProtocolException(
          "assembly_budget_full",
          "partial messages of unlisted peers hold "
              + total
              + " bytes, over the node's "
              + budgetBytes,
          false);
    }
  }

  /** Forgets the message in progress and returns its bytes to the shared budget. */
  void release() {
    if (sharedBudget != null && reserved > 0) {
      sharedBudget.addAndGet(-reserved);
    }
    reserved = 0;
    channel = -1;
    parts = ByteString.EMPTY;
  }
}
