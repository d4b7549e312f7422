package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.peerz.consensus.proto.ReactorMessage;
import io.peerz.consensus.proto.RoundState;
import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Txs;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.PartSetHeader;
import io.peerz.p2p.P2pChannels;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReactorChannelsTest {
  private static final Map<Integer, Integer> CAPS = ReactorChannels.maxMessageBytes(4L << 20);

  @Test
  void theLargestHonestRoundStateVoteAndTxBatchFitTheirChannelsAndLittleMore() {
    RoundState.Builder rs =
        RoundState.newBuilder()
            .setHeight(Long.MAX_VALUE)
            .setRound(Integer.MAX_VALUE)
            .setStep(7)
            .setBaseHeight(Long.MAX_VALUE)
            .setHasProposal(true);
    for (int i = 0; i < ReactorChannels.ROUND_STATE_PEERS; i++) {
      rs.addPeers(String.format("%040x", i));
    }
    int roundState = ReactorMessage.newBuilder().setRoundState(rs).build().getSerializedSize();
    assertThat(roundState).isLessThanOrEqualTo(CAPS.get(P2pChannels.CONSENSUS_STATE));
    // Another peer id would not fit: the cap is the honest maximum, not a round number.
    assertThat(roundState + 42).isGreaterThan(CAPS.get(P2pChannels.CONSENSUS_STATE));

    byte[] hash = new byte[32];
    hash[0] = 1;
    Vote vote =
        Vote.newBuilder()
            .setType(SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT)
            .setHeight(Long.MAX_VALUE)
            .setRound(Integer.MAX_VALUE)
            .setBlockId(
                BlockId.newBuilder()
                    .setHash(ByteString.copyFrom(hash))
                    .setPartSetHeader(
                        PartSetHeader.newBuilder().setTotal(1).setHash(ByteString.copyFrom(hash))))
            .setTimestamp(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).setNanos(999_999_999))
            .setValidatorAddress(ByteString.copyFrom(new byte[20]))
            .setValidatorIndex(Integer.MAX_VALUE)
            .setSignature(ByteString.copyFrom(new byte[64]))
            .build();
    assertThat(ReactorMessage.newBuilder().setVote(vote).build().getSerializedSize())
        .isLessThanOrEqualTo(CAPS.get(P2pChannels.CONSENSUS_VOTE))
        .isGreaterThan(CAPS.get(P2pChannels.CONSENSUS_VOTE) / 2);

    // The gossip batch is sent once it passes TX_GOSSIP_BYTES: its last tx may be a whole 1 MiB.
    Txs.Builder batch = Txs.newBuilder();
    batch.addTxs(ByteString.copyFrom(new byte[MempoolReactor.TX_GOSSIP_BYTES - 1]));
    batch.addTxs(ByteString.copyFrom(new byte[Mempool.MAX_TX_BYTES]));
    assertThat(ReactorMessage.newBuilder().setTxs(batch).build().getSerializedSize())
        .isLessThanOrEqualTo(CAPS.get(P2pChannels.MEMPOOL));
  }

  @Test
  void everyKindTravelsOnExactlyOneChannelAndDecodesOnlyThere() {
    for (ReactorMessage.MsgCase kind : ReactorMessage.MsgCase.values()) {
      long channels = CAPS.keySet().stream().filter(c -> ReactorChannels.carries(c, kind)).count();
      assertThat(channels)
          .as("%s", kind)
          .isEqualTo(kind == ReactorMessage.MsgCase.MSG_NOT_SET ? 0 : 1);
    }
    byte[] txs = ReactorMessage.newBuilder().setTxs(Txs.getDefaultInstance()).build().toByteArray();
    assertThat(ReactorChannels.decode(P2pChannels.MEMPOOL, txs)).isNotNull();
    assertThat(ReactorChannels.decode(P2pChannels.CONSENSUS_VOTE, txs)).isNull();
    assertThat(ReactorChannels.problem(P2pChannels.CONSENSUS_VOTE, txs))
        .isEqualTo("txs not carried on channel=0x22 bytes=2");
    assertThat(ReactorChannels.problem(P2pChannels.MEMPOOL, new byte[] {(byte) 0xff}))
        .isEqualTo("does not decode channel=0x30 bytes=1");
    assertThat(ReactorChannels.problem(P2pChannels.MEMPOOL, new byte[] {(byte) 0xa2, 0x06, 0}))
        .isEqualTo("no message this node knows channel=0x30 bytes=3");
  }
}
