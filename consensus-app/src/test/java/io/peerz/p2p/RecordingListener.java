package io.peerz.p2p;

import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Records what a node reports and lets a test wait, with a deadline, for a condition on it. */
final class RecordingListener implements P2pNode.Listener {
  static final long DEADLINE_MILLIS = 20_000;

  record Received(String peerId, int channel, String text) {}

  private final List<Received> received = new ArrayList<>();
  private final List<String> events = new ArrayList<>();

  @Override
  public synchronized void onPeerConnected(String peerId) {
    events.add("+" + peerId);
    notifyAll();
  }

  @Override
  public synchronized void onPeerDisconnected(String peerId) {
    events.add("-" + peerId);
    notifyAll();
  }

  @Override
  public synchronized void onMessage(String peerId, int channel, byte[] message) {
    received.add(new Received(peerId, channel, new String(message, StandardCharsets.UTF_8)));
    notifyAll();
  }

  synchronized List<Received> received() {
    return List.copyOf(received);
  }

  synchronized List<String> texts(String peerId, int channel) {
    return received.stream()
        .filter(r -> r.peerId().equals(peerId) && r.channel() == channel)
        .map(Received::text)
        .toList();
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  /**
   * Waits until the condition holds. Listener calls wake the wait; conditions on other state
   * (counters, sockets) are re-checked every 20 ms.
   */
  synchronized void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000;
    while (!condition.getAsBoolean()) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        fail("timed out waiting for " + what + "; events=" + events);
      }
      try {
        wait(Math.min(left, 20));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting for " + what);
      }
    }
  }
}
