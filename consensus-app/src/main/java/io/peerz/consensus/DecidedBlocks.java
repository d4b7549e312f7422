package io.peerz.consensus;

import io.peerz.consensus.proto.DecidedBlock;
import io.peerz.ledger.BlockStore;
import java.util.Optional;

/** The decided blocks a node serves to peers: its block store, or the simulation's list. */
public interface DecidedBlocks {

  /** The block of {@code height} with the commit that decided it, when stored. */
  Optional<DecidedBlock> decided(long height);

  /** The first height stored (0 when none). */
  long baseHeight();

  /** The blocks of a node's block store. */
  static DecidedBlocks of(BlockStore blocks) {
    return new DecidedBlocks() {
      @Override
      public Optional<DecidedBlock> decided(long height) {
        return blocks
            .block(height)
            .flatMap(
                b ->
                    blocks
                        .seenCommit(height)
                        .map(c -> DecidedBlock.newBuilder().setBlock(b).setCommit(c).build()));
      }

      @Override
      public long baseHeight() {
        return blocks.baseHeight();
      }
    };
  }
}
