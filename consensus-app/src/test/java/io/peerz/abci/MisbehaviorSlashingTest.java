package io.peerz.abci;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.abci.proto.Misbehavior;
import io.peerz.abci.proto.MisbehaviorType;
import io.peerz.abci.proto.Request;
import io.peerz.abci.proto.RequestCommit;
import io.peerz.abci.proto.RequestFinalizeBlock;
import io.peerz.abci.proto.RequestInitChain;
import io.peerz.abci.proto.RequestQuery;
import io.peerz.abci.proto.ResponseFinalizeBlock;
import io.peerz.abci.proto.Validator;
import io.peerz.abci.proto.ValidatorUpdate;
import io.peerz.abci.proto.crypto.PublicKey;
import io.peerz.consensus.PeerzApplication;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.LedgerDb;
import io.peerz.state.StateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FinalizeBlock's misbehavior, over the ABCI adapter into the peerz application: a duplicate vote
 * slashes, jails and removes the validator with a zero-power update in that block's response.
 */
class MisbehaviorSlashingTest {
  static final String CHAIN = "peerz-abci-slash";

  @TempDir Path dir;
  LedgerDb db;
  ApplicationAdapter adapter;
  final Ed25519KeyPair v1 = key(1);
  final Ed25519KeyPair v2 = key(2);

  static Ed25519KeyPair key(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    seed[31] = 99;
    return Ed25519KeyPair.fromSeed(seed);
  }

  static ValidatorUpdate update(Ed25519KeyPair k, long power) {
    return ValidatorUpdate.newBuilder()
        .setPubKey(PublicKey.newBuilder().setEd25519(ByteString.copyFrom(k.publicKey())))
        .setPower(power)
        .build();
  }

  @BeforeEach
  void initChain() {
    db = LedgerDb.open(dir.resolve("ledger.db"));
    adapter = new ApplicationAdapter(new PeerzApplication(db, new StateMachine(), CHAIN));
    adapter.handle(
        Request.newBuilder()
            .setInitChain(
                RequestInitChain.newBuilder()
                    .setChainId(CHAIN)
                    .setInitialHeight(1)
                    .addValidators(update(v1, 10))
                    .addValidators(update(v2, 10))
                    .setAppStateBytes(ByteString.copyFrom("{}", StandardCharsets.UTF_8)))
            .build());
  }

  @AfterEach
  void close() {
    db.close();
  }

  ResponseFinalizeBlock finalize(long height, Misbehavior... misbehavior) {
    RequestFinalizeBlock.Builder b =
        RequestFinalizeBlock.newBuilder()
            .setHeight(height)
            .setHash(ByteString.copyFrom(new byte[32]))
            .setProposerAddress(ByteString.copyFrom(v1.address().bytes()));
    for (Misbehavior m : misbehavior) {
      b.addMisbehavior(m);
    }
    ResponseFinalizeBlock r =
        adapter.handle(Request.newBuilder().setFinalizeBlock(b).build()).getFinalizeBlock();
    adapter.handle(Request.newBuilder().setCommit(RequestCommit.getDefaultInstance()).build());
    return r;
  }

  static Misbehavior duplicateVote(Ed25519KeyPair k, long height, MisbehaviorType type) {
    return Misbehavior.newBuilder()
        .setType(type)
        .setValidator(
            Validator.newBuilder()
                .setAddress(ByteString.copyFrom(k.address().bytes()))
                .setPower(10))
        .setHeight(height)
        .setTotalVotingPower(20)
        .build();
  }

  String validator(Ed25519KeyPair k) {
    return adapter
        .handle(
            Request.newBuilder()
                .setQuery(RequestQuery.newBuilder().setPath("/validator/" + k.address()))
                .build())
        .getQuery()
        .getValue()
        .toStringUtf8();
  }

  @Test
  void aDuplicateVoteInFinalizeBlockJailsAndRemovesTheValidatorInThatBlock() {
    assertThat(finalize(1).getValidatorUpdatesList()).isEmpty();
    ResponseFinalizeBlock r = finalize(2, duplicateVote(v2, 1, MisbehaviorType.DUPLICATE_VOTE));
    assertThat(r.getValidatorUpdatesList()).containsExactly(update(v2, 0));
    assertThat(r.getEventsList()).anyMatch(e -> e.getType().equals("slash"));
    assertThat(validator(v2)).contains("\"jailed\":true").contains("\"power\":\"0\"");
    assertThat(validator(v1)).contains("\"jailed\":false").contains("\"power\":\"10\"");
    // The same offence again is ignored; so is evidence against the last validator's removal.
    ResponseFinalizeBlock again = finalize(3, duplicateVote(v2, 1, MisbehaviorType.DUPLICATE_VOTE));
    assertThat(again.getValidatorUpdatesList()).isEmpty();
    assertThat(again.getEventsList()).anyMatch(e -> e.getType().equals("evidence_ignored"));
    ResponseFinalizeBlock last = finalize(4, duplicateVote(v1, 3, MisbehaviorType.DUPLICATE_VOTE));
    assertThat(last.getValidatorUpdatesList()).isEmpty();
    assertThat(validator(v1)).contains("\"jailed\":true").contains("\"power\":\"10\"");
  }

  @Test
  void aLightClientAttackIsNotSlashed() {
    ResponseFinalizeBlock r =
        finalize(1, duplicateVote(v2, 1, MisbehaviorType.LIGHT_CLIENT_ATTACK));
    assertThat(r.getValidatorUpdatesList()).isEmpty();
    assertThat(validator(v2)).contains("\"jailed\":false");
  }
}
