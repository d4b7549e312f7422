package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.p2p.P2pChannels;
import java.util.List;

/**
 * Fuzz target (Jazzer) for the reactors' message decoder: whatever a peer sends on whatever
 * channel, {@link ReactorChannels#decode} yields a message of a kind that channel carries, or null
 * with a reason to report, and never throws. Corpus: src/test/resources/io/peerz/consensus/
 * ReactorFuzzTestInputs; docs/fuzzing.md says how to run it longer.
 */
public class ReactorFuzzTest {
  private static final List<Integer> CHANNELS =
      List.of(
          P2pChannels.CONSENSUS_STATE,
          P2pChannels.CONSENSUS_DATA,
          P2pChannels.CONSENSUS_VOTE,
          P2pChannels.MEMPOOL,
          P2pChannels.EVIDENCE,
          P2pChannels.BLOCK_SYNC,
          P2pChannels.STATE_SYNC_SNAPSHOT,
          P2pChannels.STATE_SYNC_CHUNK);

  @FuzzTest
  public void aPeerMessageDecodesToAKindItsChannelCarriesOrIsReported(FuzzedDataProvider data) {
    int channel = data.pickValue(CHANNELS);
    byte[] bytes = data.consumeRemainingAsBytes();
    ReactorMessage m = ReactorChannels.decode(channel, bytes);
    if (m == null) {
      assertThat(ReactorChannels.problem(channel, bytes)).contains("channel=0x");
      return;
    }
    assertThat(ReactorChannels.carries(channel, m.getMsgCase())).isTrue();
    try {
      // What decoded encodes back to a message equal to it (unknown fields included).
      assertThat(ReactorMessage.parseFrom(m.toByteArray())).isEqualTo(m);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("a decoded message does not parse again", e);
    }
  }
}
