package io.peerz.state;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * This module's fuzz targets behind one, for CI: Jazzer fuzzes one target per JVM, and a JVM with
 * its instrumentation costs seconds to start, so CI fuzzes this one (the first byte picks the
 * target) and each target replays its own corpus in the tests. docs/fuzzing.md runs them one by one
 * for longer.
 */
class EveryFuzzTarget {
  private final TxFuzzTest tx = new TxFuzzTest();

  @FuzzTest
  void anyTarget(FuzzedDataProvider data) {
    if (data.consumeBoolean()) {
      tx.anyBytesDecodeCanonicallyOrAreRefusedWithAnAnteCode(data.consumeRemainingAsBytes());
    } else {
      tx.signedBodiesGetAnAnswerAndAnAcceptedOneIsCharged(data);
    }
  }
}
