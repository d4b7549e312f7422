/**
 * The ledger: SHA-256, Ed25519 keys and addresses, the signed transaction envelope, block wire
 * types, the event log of finalized blocks and the authenticated state store on RocksDB.
 *
 * <p>Public surface: {@link io.peerz.ledger.Sha256}, {@link io.peerz.ledger.Hex}, {@link
 * io.peerz.ledger.Ed25519}, {@link io.peerz.ledger.Ed25519Batch}, {@link
 * io.peerz.ledger.Ed25519KeyPair}, {@link io.peerz.ledger.Address}, {@link io.peerz.ledger.PeerId},
 * {@link io.peerz.ledger.Transactions}, {@link io.peerz.ledger.SignedTx}, {@link
 * io.peerz.ledger.MalformedTxException}, {@link io.peerz.ledger.Blocks}, {@link
 * io.peerz.ledger.DeterministicProto}, {@link io.peerz.ledger.StateReader}, {@link
 * io.peerz.ledger.ChangeSet}, {@link io.peerz.ledger.LedgerDb}, {@link io.peerz.ledger.BlockStore},
 * {@link io.peerz.ledger.StateStore}, {@link io.peerz.ledger.StateProof}, {@link
 * io.peerz.ledger.StateRoot}, {@link io.peerz.ledger.TxQuery} and the generated wire types in
 * {@code io.peerz.ledger.proto}.
 */
package io.peerz.ledger;
