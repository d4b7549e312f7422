package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.proto.Block;
import java.util.ArrayList;
import java.util.List;

/** The node's {@link BlockSource}: PrepareProposal over the mempool's txs, ProcessProposal. */
public final class ProposalBlocks implements BlockSource {
  private final Application app;
  private final Mempool mempool;

  /** Proposals of {@code app} from {@code mempool}. */
  public ProposalBlocks(Application app, Mempool mempool) {
    this.app = app;
    this.mempool = mempool;
  }

  @Override
  public List<byte[]> proposalTxs(long height, long timeMillis, byte[] proposer, long maxTxBytes) {
    return app.prepareProposal(
        new Application.PrepareProposalRequest(
            maxTxBytes, mempool.reap(maxTxBytes), height, timeMillis, proposer));
  }

  @Override
  public boolean accept(Block block, byte[] hash) {
    List<byte[]> txs = new ArrayList<>(block.getTxsCount());
    for (ByteString tx : block.getTxsList()) {
      txs.add(tx.toByteArray());
    }
    return app.processProposal(
        new Application.ProcessProposalRequest(
            txs,
            hash,
            block.getHeader().getHeight(),
            Blocks.millis(block.getHeader().getTime()),
            block.getHeader().getProposerAddress().toByteArray()));
  }
}
