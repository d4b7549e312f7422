package io.peerz.attest;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Sha256;
import java.nio.charset.StandardCharsets;

/** Shared inputs: a fixed executor key and seed, and a helper that attests an output. */
final class Fixtures {
  static final Ed25519KeyPair EXECUTOR = Ed25519KeyPair.fromSeed(bytes(32, 7));
  static final byte[] SEED = bytes(32, 0);
  static final long JOB_ID = 42;

  private Fixtures() {}

  /** {@code length} bytes start, start+1, ... */
  static byte[] bytes(int length, int start) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (start + i);
    }
    return out;
  }

  static byte[] blockHash(String label) {
    return Sha256.hash(label.getBytes(StandardCharsets.UTF_8));
  }

  static Attestation attestation(Workload w, byte[] seed, long jobId, byte[] root) {
    return Attestation.newBuilder()
        .setJobId(jobId)
        .setExecutorPubKey(ByteString.copyFrom(EXECUTOR.publicKey()))
        .setSubnetId(1)
        .setNodeId(3)
        .setWorkload(w.name())
        .setSeed(ByteString.copyFrom(seed))
        .setOutputRoot(ByteString.copyFrom(root))
        .setStartedHeight(100)
        .setFinishedHeight(104)
        .setWorkedMillis(5_250)
        .build();
  }

  static SignedAttestation signed(Workload w, byte[] seed, long jobId, byte[] root) {
    return Attestations.sign(attestation(w, seed, jobId, root), EXECUTOR);
  }
}
