package io.peerz.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.consensus.proto.LightBlockResponse;
import io.peerz.consensus.proto.StateSyncAnchor;
import io.peerz.genesis.GenesisDoc;
import io.peerz.ledger.Hex;
import java.nio.file.Path;
import java.util.List;

/** Checks of state sync's light-block verification, run on the anchor of a node that synced. */
public final class StateSyncChecks {
  private StateSyncChecks() {}

  /**
   * The light blocks a node verified (kept in its anchor under {@code dataDir}) pass verification;
   * altered ones, or a trusted set that never signed them, do not.
   */
  public static void verificationRefusesForgedLightBlocks(
      Path dataDir, GenesisDoc g, long height, String expectedAppHash) throws Exception {
    StateSyncAnchor anchor =
        StateSyncAnchor.parseFrom(
            java.nio.file.Files.readAllBytes(dataDir.resolve("statesync.pb")));
    assertThat(anchor.getHeight()).isEqualTo(height);
    ValidatorSet trusted =
        ValidatorSet.of(
            g.validators().stream()
                .map(
                    v ->
                        io.peerz.ledger.proto.ValidatorUpdate.newBuilder()
                            .setPubKey(com.google.protobuf.ByteString.copyFrom(v.pubKey()))
                            .setPower(v.power())
                            .build())
                .toList());
    LightBlockResponse at = anchor.getAtHeight();
    LightBlockResponse next = anchor.getNext();
    assertThat(Hex.encode(StateSyncer.verify(g.chainId(), trusted, height, at, next)))
        .isEqualTo(expectedAppHash);

    LightBlockResponse otherAppHash =
        next.toBuilder()
            .setBlock(
                next.getBlock().toBuilder()
                    .setHeader(
                        next.getBlock().getHeader().toBuilder()
                            .setAppHash(com.google.protobuf.ByteString.copyFrom(new byte[32]))))
            .build();
    assertThatThrownBy(() -> StateSyncer.verify(g.chainId(), trusted, height, at, otherAppHash))
        .isInstanceOf(StateSyncer.Unusable.class)
        .hasMessageContaining("commit of height " + (height + 1) + " is invalid");

    io.peerz.ledger.proto.CommitSig sig = next.getCommit().getSignatures(0);
    byte[] bad = sig.getSignature().toByteArray();
    bad[0] ^= 1;
    LightBlockResponse badSignature =
        next.toBuilder()
            .setCommit(
                next.getCommit().toBuilder()
                    .setSignatures(
                        0,
                        sig.toBuilder().setSignature(com.google.protobuf.ByteString.copyFrom(bad))))
            .build();
    assertThatThrownBy(() -> StateSyncer.verify(g.chainId(), trusted, height, at, badSignature))
        .isInstanceOf(StateSyncer.Unusable.class)
        .hasMessageContaining("commit_signature");

    ValidatorSet stranger =
        ValidatorSet.of(
            List.of(
                io.peerz.ledger.proto.ValidatorUpdate.newBuilder()
                    .setPubKey(
                        com.google.protobuf.ByteString.copyFrom(TestChains.key(9).publicKey()))
                    .setPower(10)
                    .build()));
    assertThatThrownBy(() -> StateSyncer.verify(g.chainId(), stranger, height, at, next))
        .isInstanceOf(StateSyncer.Unusable.class)
        .hasMessageContaining("genesis validators");

    LightBlockResponse otherSet =
        next.toBuilder()
            .setNextValidators(
                next.getNextValidators().toBuilder()
                    .setValidators(
                        0,
                        next.getNextValidators().getValidators(0).toBuilder().setVotingPower(11)))
            .build();
    assertThatThrownBy(() -> StateSyncer.verify(g.chainId(), trusted, height, at, otherSet))
        .isInstanceOf(StateSyncer.Unusable.class)
        .hasMessageContaining("validators hash");
    assertThatThrownBy(() -> StateSyncer.verify("other-chain", trusted, height, at, next))
        .isInstanceOf(StateSyncer.Unusable.class)
        .hasMessageContaining("another chain");
  }
}
