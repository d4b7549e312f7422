package io.peerz.consensus;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Blocks;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What consensus knows after the last decided and applied block (CometBFT's sm.State): the last
 * block's id and time, the validator sets of the last, current and next heights, the app hash and
 * results hash the next header carries, and the commit of the last block.
 */
public record ChainState(
    String chainId,
    long initialHeight,
    long lastBlockHeight,
    BlockId lastBlockId,
    long lastBlockTimeMillis,
    ValidatorSet lastValidators,
    ValidatorSet validators,
    ValidatorSet nextValidators,
    byte[] appHash,
    byte[] lastResultsHash,
    long appVersion,
    Commit lastCommit) {

  static final long BLOCK_PROTOCOL_VERSION = 11;

  /** The state before the first block: genesis validators (as InitChain settled them). */
  static ChainState genesis(
      String chainId,
      long initialHeight,
      long genesisTimeMillis,
      List<ValidatorUpdate> validators,
      byte[] appHash,
      long appVersion) {
    ValidatorSet vals = ValidatorSet.of(validators);
    return new ChainState(
        chainId,
        initialHeight,
        initialHeight - 1,
        BlockId.getDefaultInstance(),
        // The first block's time is at least the genesis time.
        genesisTimeMillis - 1,
        null,
        vals,
        vals.copyIncrement(1),
        appHash,
        BlockHashes.results(List.of()),
        appVersion,
        null);
  }

  long height() {
    return lastBlockHeight + 1;
  }

  /** The state after {@code block} was decided by {@code commit} and applied (updateState). */
  ChainState next(
      Block block,
      Commit commit,
      byte[] newAppHash,
      byte[] resultsHash,
      List<ValidatorUpdate> validatorUpdates) {
    return new ChainState(
        chainId,
        initialHeight,
        block.getHeader().getHeight(),
        commit.getBlockId(),
        Blocks.millis(block.getHeader().getTime()),
        validators,
        nextValidators,
        nextValidators.next(validatorUpdates),
        newAppHash,
        resultsHash,
        appVersion,
        commit);
  }

  /** Hash of the consensus parameters the blocks are built under (fixed for now). */
  static byte[] consensusParamsHash(long maxBlockTxBytes) {
    return Sha256.hash(
        ("peerz/consensus-params/v1 max_block_tx_bytes=" + maxBlockTxBytes)
            .getBytes(StandardCharsets.UTF_8));
  }

  static BlockId blockId(Block block) {
    return BlockId.newBuilder()
        .setHash(ByteString.copyFrom(BlockHashes.block(block.getHeader())))
        .setPartSetHeader(
            io.peerz.ledger.proto.PartSetHeader.newBuilder()
                .setTotal(1)
                .setHash(ByteString.copyFrom(Sha256.hash(block.toByteArray()))))
        .build();
  }
}
