package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.BlockId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivValidatorTest {

  @TempDir Path dir;
  private final Ed25519KeyPair key = Ed25519KeyPair.fromSeed(new byte[32]);

  private Path stateFile() {
    return dir.resolve("data/priv_validator_state.json");
  }

  private static Vote vote(SignedMsgType type, long h, int r, byte blockByte, long millis) {
    Vote.Builder v =
        Vote.newBuilder()
            .setType(type)
            .setHeight(h)
            .setRound(r)
            .setTimestamp(SignBytes.timestamp(millis));
    if (blockByte != 0) {
      v.setBlockId(BlockId.newBuilder().setHash(ByteString.copyFrom(new byte[] {blockByte})));
    }
    return v.build();
  }

  @Test
  void persistsTheLastSignatureInCometBftLayoutBeforeReturningIt() throws Exception {
    PrivValidator pv = new PrivValidator(key, stateFile());
    Vote signed =
        pv.signVote("chain-a", vote(SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT, 5, 0, (byte) 1, 1000));
    JsonNode json = new ObjectMapper().readTree(stateFile().toFile());
    assertThat(json.get("height").asText()).isEqualTo("5");
    assertThat(json.get("height").isTextual()).isTrue();
    assertThat(json.get("round").asInt()).isZero();
    assertThat(json.get("step").asInt()).isEqualTo(3);
    assertThat(Base64.getDecoder().decode(json.get("signature").asText()))
        .isEqualTo(signed.getSignature().toByteArray());
    byte[] signBytes = Hex.decode(json.get("signbytes").asText());
    assertThat(signBytes).isEqualTo(SignBytes.vote("chain-a", signed));
    assertThat(Ed25519.verify(key.publicKey(), signBytes, signed.getSignature().toByteArray()))
        .isTrue();
    assertThat(Files.exists(stateFile().resolveSibling("priv_validator_state.json.tmp"))).isFalse();
  }

  @Test
  void signBytesBindTheChainId() throws Exception {
    Vote v = vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 1, 0, (byte) 1, 1000);
    assertThat(SignBytes.vote("chain-a", v)).isNotEqualTo(SignBytes.vote("chain-b", v));
  }

  @Test
  void refusesAConflictingVoteAtTheSameHeightRoundAndStepEvenAfterARestart() throws Exception {
    PrivValidator pv = new PrivValidator(key, stateFile());
    pv.signVote("c", vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 3, 1, (byte) 1, 1000));
    PrivValidator restarted = new PrivValidator(key, stateFile());
    assertThatThrownBy(
            () ->
                restarted.signVote(
                    "c", vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 3, 1, (byte) 2, 1000)))
        .isInstanceOf(PrivValidator.DoubleSignException.class)
        .hasMessageContaining("conflicting");
  }

  @Test
  void signsTheSameVoteAgainWithTheSameSignature() throws Exception {
    PrivValidator pv = new PrivValidator(key, stateFile());
    Vote first =
        pv.signVote("c", vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 3, 1, (byte) 1, 1000));
    Vote again =
        pv.signVote("c", vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 3, 1, (byte) 1, 1000));
    assertThat(again.getSignature()).isEqualTo(first.getSignature());
    Vote later =
        pv.signVote("c", vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 3, 1, (byte) 1, 9000));
    assertThat(later.getTimestamp()).isEqualTo(first.getTimestamp());
    assertThat(later.getSignature()).isEqualTo(first.getSignature());
  }

  @Test
  void refusesToSignBehindTheLastSignedPosition() throws Exception {
    PrivValidator pv = new PrivValidator(key, stateFile());
    pv.signVote("c", vote(SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT, 4, 2, (byte) 1, 1000));
    assertThatThrownBy(
            () -> pv.signVote("c", vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 4, 2, (byte) 1, 1)))
        .isInstanceOf(PrivValidator.DoubleSignException.class);
    assertThatThrownBy(
            () ->
                pv.signVote("c", vote(SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT, 4, 1, (byte) 1, 1)))
        .isInstanceOf(PrivValidator.DoubleSignException.class);
    assertThatThrownBy(
            () ->
                pv.signProposal(
                    "c",
                    Proposal.newBuilder()
                        .setType(SignedMsgType.SIGNED_MSG_TYPE_PROPOSAL)
                        .setHeight(3)
                        .setRound(9)
                        .setPolRound(-1)
                        .build()))
        .isInstanceOf(PrivValidator.DoubleSignException.class);
    Vote next = pv.signVote("c", vote(SignedMsgType.SIGNED_MSG_TYPE_PREVOTE, 5, 0, (byte) 1, 1));
    assertThat(next.getSignature().size()).isEqualTo(64);
  }
}
