package io.peerz.attest;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.DeterministicProto;
import io.peerz.ledger.Ed25519KeyPair;
import java.util.Arrays;

/** Signing attestations: the executor signs the deterministic encoding of its Attestation. */
public final class Attestations {
  private Attestations() {}

  /**
   * Signs {@code attestation} with the executor's key; throws IllegalArgumentException when the
   * attestation names another executor key.
   */
  public static SignedAttestation sign(Attestation attestation, Ed25519KeyPair executorKey) {
    if (!Arrays.equals(attestation.getExecutorPubKey().toByteArray(), executorKey.publicKey())) {
      throw new IllegalArgumentException(
          "attestation names another executor key than the one signing it");
    }
    byte[] body = DeterministicProto.encode(attestation);
    return SignedAttestation.newBuilder()
        .setAttestation(ByteString.copyFrom(body))
        .setSignature(ByteString.copyFrom(executorKey.sign(body)))
        .build();
  }
}
