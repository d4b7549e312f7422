package io.peerz.gpu.data;

import java.util.concurrent.locks.LockSupport;

/** A pause between bytes a test trickles on purpose (the pace is what it tests, not a wait). */
final class LockSupportPause {
  private LockSupportPause() {}

  static void millis(long millis) {
    LockSupport.parkNanos(millis * 1_000_000);
  }
}
