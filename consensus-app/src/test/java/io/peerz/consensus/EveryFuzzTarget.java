package io.peerz.consensus;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peerz.abci.AbciFuzzTest;
import io.peerz.p2p.P2pFuzzTest;
import io.peerz.rpc.RpcFuzzTest;

/**
 * Every fuzz target of this module behind one, for CI: Jazzer fuzzes one target per JVM, and a JVM
 * with its instrumentation costs seconds to start, so CI fuzzes this one (the first byte picks the
 * target) and each target replays its own corpus in the tests. docs/fuzzing.md runs them one by one
 * for longer.
 */
class EveryFuzzTarget {
  private final P2pFuzzTest p2p = new P2pFuzzTest();
  private final ReactorFuzzTest reactor = new ReactorFuzzTest();
  private final AbciFuzzTest abci = new AbciFuzzTest();
  private final RpcFuzzTest rpc = new RpcFuzzTest();

  @FuzzTest
  void anyTarget(FuzzedDataProvider data) throws Exception {
    switch (data.consumeInt(0, 6)) {
      case 0 -> p2p.anyBytesFromAStrangerEndItsConnectionQuietly(data);
      case 1 -> p2p.whateverAnAuthenticatedPeerSealsEndsInMessagesOrADrop(data);
      case 2 -> p2p.packetsComeOutAsWholeMessagesWithinTheirCapsOrAsAViolation(data);
      case 3 -> reactor.aPeerMessageDecodesToAKindItsChannelCarriesOrIsReported(data);
      case 4 -> abci.framesDoNotDependOnHowTheBytesWereSplitAndRequestsParseOrFail(data);
      case 5 -> rpc.anyPostBodyGetsAJsonRpcAnswer(data);
      default -> rpc.anyUriArgumentsGetAJsonRpcAnswer(data);
    }
  }
}
