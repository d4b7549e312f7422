package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.Header;
import io.peerz.ledger.proto.TxResult;
import java.io.ByteArrayOutputStream;
import java.util.List;

/** The hashes a header commits to; block and data hashes are the ledger's definitions. */
final class BlockHashes {
  private BlockHashes() {}

  static byte[] block(Header header) {
    return Blocks.hash(header);
  }

  static byte[] data(List<ByteString> txs) {
    return Blocks.dataHash(txs);
  }

  /** Empty for the first block (no last commit), else SHA-256 of the commit's encoding. */
  static byte[] commit(Commit commit) {
    if (commit == null || commit.getSignaturesCount() == 0) {
      return new byte[0];
    }
    return Sha256.hash(commit.toByteArray());
  }

  /** CometBFT's LastResultsHash over the deterministic part of each result. */
  static byte[] results(List<TxResult> results) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (TxResult r : results) {
      TxResult deterministic =
          TxResult.newBuilder()
              .setCode(r.getCode())
              .setData(r.getData())
              .setGasWanted(r.getGasWanted())
              .setGasUsed(r.getGasUsed())
              .build();
      out.writeBytes(Sha256.hash(deterministic.toByteArray()));
    }
    return Sha256.hash(out.toByteArray());
  }

  static byte[] evidence() {
    return Sha256.hash();
  }

  /** The hash of a block's evidence list: that of no evidence when empty. */
  static byte[] evidence(List<io.peerz.consensus.proto.DuplicateVoteEvidence> evidence) {
    if (evidence.isEmpty()) {
      return evidence();
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (io.peerz.consensus.proto.DuplicateVoteEvidence e : evidence) {
      out.writeBytes(Sha256.hash(io.peerz.ledger.DeterministicProto.encode(e)));
    }
    return Sha256.hash(out.toByteArray());
  }
}
