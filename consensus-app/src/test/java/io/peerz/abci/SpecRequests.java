package io.peerz.abci;

import java.util.List;

/**
 * ABCI 2.0 requests written from the field numbers of CometBFT v0.38's specification
 * (proto/tendermint/abci/types.proto), not from the generated classes. Each method names the
 * Request oneof field it fills.
 */
final class SpecRequests {

  private SpecRequests() {}

  private static SpecEncoder request(int field, SpecEncoder body) {
    return SpecEncoder.message().message(field, body);
  }

  /** Request.echo = 1 { message = 1 }. */
  static SpecEncoder echo(String message) {
    return request(1, SpecEncoder.message().string(1, message));
  }

  /** Request.flush = 2 {}. */
  static SpecEncoder flush() {
    return request(2, SpecEncoder.message());
  }

  /** Request.info = 3 { version = 1, block_version = 2, p2p_version = 3, abci_version = 4 }. */
  static SpecEncoder info() {
    return request(
        3,
        SpecEncoder.message().string(1, "0.38.17").varint(2, 11).varint(3, 8).string(4, "2.0.0"));
  }

  /** google.protobuf.Timestamp { seconds = 1, nanos = 2 }. */
  static SpecEncoder time(long seconds, int nanos) {
    SpecEncoder t = SpecEncoder.message().varint(1, seconds);
    return nanos == 0 ? t : t.varint(2, nanos);
  }

  /** tendermint.abci.ValidatorUpdate { pub_key = 1 { ed25519 = 1 | secp256k1 = 2 }, power = 2 }. */
  static SpecEncoder validator(int keyField, byte[] key, long power) {
    return SpecEncoder.message()
        .message(1, SpecEncoder.message().bytes(keyField, key))
        .varint(2, power);
  }

  /**
   * Request.init_chain = 5 { time = 1, chain_id = 2, consensus_params = 3, validators = 4,
   * app_state_bytes = 5, initial_height = 6 }, with CometBFT's default consensus params: block {
   * max_bytes = 1, max_gas = 2 }, evidence { max_age_num_blocks = 1, max_age_duration = 2,
   * max_bytes = 3 }, validator { pub_key_types = 1 }, version {}, abci {}.
   */
  static SpecEncoder initChain(
      SpecEncoder time, String chainId, List<SpecEncoder> validators, byte[] appState) {
    SpecEncoder params =
        SpecEncoder.message()
            .message(1, SpecEncoder.message().varint(1, 22_020_096).varint(2, -1))
            .message(
                2,
                SpecEncoder.message()
                    .varint(1, 100_000)
                    .message(2, SpecEncoder.message().varint(1, 172_800))
                    .varint(3, 1_048_576))
            .message(3, SpecEncoder.message().string(1, "ed25519"))
            .message(4, SpecEncoder.message())
            .message(5, SpecEncoder.message());
    SpecEncoder body = SpecEncoder.message().message(1, time).string(2, chainId).message(3, params);
    for (SpecEncoder v : validators) {
      body.message(4, v);
    }
    return request(5, body.bytes(5, appState).varint(6, 1));
  }

  /** Request.query = 6 { data = 1, path = 2, height = 3, prove = 4 }. */
  static SpecEncoder query(String path, byte[] data, long height, boolean prove) {
    SpecEncoder body = SpecEncoder.message().bytes(1, data).string(2, path);
    if (height != 0) {
      body.varint(3, height);
    }
    return request(6, prove ? body.varint(4, 1) : body);
  }

  /** Request.check_tx = 8 { tx = 1, type = 2 (NEW = 0, RECHECK = 1) }. */
  static SpecEncoder checkTx(byte[] tx, int type) {
    SpecEncoder body = SpecEncoder.message().bytes(1, tx);
    return request(8, type == 0 ? body : body.varint(2, type));
  }

  /** Request.commit = 11 {}. */
  static SpecEncoder commit() {
    return request(11, SpecEncoder.message());
  }

  /** Request.list_snapshots = 12 {}. */
  static SpecEncoder listSnapshots() {
    return request(12, SpecEncoder.message());
  }

  /**
   * Request.offer_snapshot = 13 { snapshot = 1 { height = 1, format = 2, chunks = 3, hash = 4 },
   * app_hash = 2 }.
   */
  static SpecEncoder offerSnapshot() {
    return request(
        13,
        SpecEncoder.message()
            .message(
                1,
                SpecEncoder.message()
                    .varint(1, 100)
                    .varint(2, 1)
                    .varint(3, 4)
                    .bytes(4, new byte[32]))
            .bytes(2, new byte[32]));
  }

  /** Request.load_snapshot_chunk = 14 { height = 1, format = 2, chunk = 3 }. */
  static SpecEncoder loadSnapshotChunk() {
    return request(14, SpecEncoder.message().varint(1, 100).varint(2, 1).varint(3, 0));
  }

  /** Request.apply_snapshot_chunk = 15 { index = 1, chunk = 2, sender = 3 }. */
  static SpecEncoder applySnapshotChunk() {
    return request(
        15, SpecEncoder.message().varint(1, 0).bytes(2, new byte[] {1, 2}).string(3, "peer"));
  }

  /**
   * CommitInfo { round = 1, votes = 2 { validator = 1 { address = 1, power = 3 }, block_id_flag = 3
   * } }.
   */
  static SpecEncoder commitInfo(byte[] address, long power) {
    return SpecEncoder.message()
        .message(
            2,
            SpecEncoder.message()
                .message(1, SpecEncoder.message().bytes(1, address).varint(3, power))
                .varint(3, 2));
  }

  /**
   * Request.prepare_proposal = 16 { max_tx_bytes = 1, txs = 2, local_last_commit = 3, height = 5,
   * time = 6, next_validators_hash = 7, proposer_address = 8 }.
   */
  static SpecEncoder prepareProposal(
      long maxTxBytes, List<byte[]> txs, long height, SpecEncoder time, byte[] proposer) {
    SpecEncoder body = SpecEncoder.message().varint(1, maxTxBytes);
    txs.forEach(tx -> body.bytes(2, tx));
    return request(
        16,
        body.message(3, SpecEncoder.message())
            .varint(5, height)
            .message(6, time)
            .bytes(7, new byte[32])
            .bytes(8, proposer));
  }

  /**
   * Request.process_proposal = 17 { txs = 1, proposed_last_commit = 2, hash = 4, height = 5, time =
   * 6, next_validators_hash = 7, proposer_address = 8 }.
   */
  static SpecEncoder processProposal(
      List<byte[]> txs, byte[] hash, long height, SpecEncoder time, byte[] proposer) {
    SpecEncoder body = SpecEncoder.message();
    txs.forEach(tx -> body.bytes(1, tx));
    return request(
        17,
        body.message(2, SpecEncoder.message())
            .bytes(4, hash)
            .varint(5, height)
            .message(6, time)
            .bytes(7, new byte[32])
            .bytes(8, proposer));
  }

  /** Request.extend_vote = 18 { hash = 1, height = 2, time = 3, txs = 4, proposer_address = 8 }. */
  static SpecEncoder extendVote(byte[] hash, long height, SpecEncoder time, byte[] proposer) {
    return request(
        18,
        SpecEncoder.message().bytes(1, hash).varint(2, height).message(3, time).bytes(8, proposer));
  }

  /**
   * Request.verify_vote_extension = 19 { hash = 1, validator_address = 2, height = 3,
   * vote_extension = 4 }.
   */
  static SpecEncoder verifyVoteExtension(byte[] hash, byte[] validator, long height) {
    return request(19, SpecEncoder.message().bytes(1, hash).bytes(2, validator).varint(3, height));
  }

  /**
   * Request.finalize_block = 20 { txs = 1, decided_last_commit = 2, hash = 4, height = 5, time = 6,
   * next_validators_hash = 7, proposer_address = 8 }.
   */
  static SpecEncoder finalizeBlock(
      List<byte[]> txs,
      SpecEncoder lastCommit,
      byte[] hash,
      long height,
      SpecEncoder time,
      byte[] proposer) {
    SpecEncoder body = SpecEncoder.message();
    txs.forEach(tx -> body.bytes(1, tx));
    return request(
        20,
        body.message(2, lastCommit)
            .bytes(4, hash)
            .varint(5, height)
            .message(6, time)
            .bytes(7, new byte[32])
            .bytes(8, proposer));
  }
}
