package io.peerz.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import java.util.Arrays;

/** Building, signing, hashing and decoding the {@link Tx} envelope. */
public final class Transactions {
  private Transactions() {}

  /** Signs the deterministic encoding of {@code body} (whose signer_pub_key must be the key's). */
  public static Tx sign(TxBody body, Ed25519KeyPair key) {
    byte[] publicKey = key.publicKey();
    if (!Arrays.equals(body.getSignerPubKey().toByteArray(), publicKey)) {
      throw new IllegalArgumentException(
          "tx body signer_pub_key is not the signing key's public key " + Hex.encode(publicKey));
    }
    byte[] bodyBytes = DeterministicProto.encode(body);
    return Tx.newBuilder()
        .setBody(ByteString.copyFrom(bodyBytes))
        .setSignature(ByteString.copyFrom(key.sign(bodyBytes)))
        .build();
  }

  /** SHA-256 of the raw tx bytes: the tx hash as CometBFT computes it. */
  public static byte[] hash(byte[] txBytes) {
    return Sha256.hash(txBytes);
  }

  /**
   * Decodes raw bytes into envelope and body; throws {@link MalformedTxException} (with the reason)
   * for bytes that are not a Tx, a body that does not parse, a signer key that is not 32 bytes or a
   * signature that is not 64 bytes. Does not verify the signature.
   *
   * <p>Also rejects an empty body, a body with no message, and an envelope whose bytes are not its
   * canonical encoding (unknown or repeated fields), so one signed tx has exactly one tx hash.
   */
  public static SignedTx decode(byte[] txBytes) throws MalformedTxException {
    if (txBytes == null || txBytes.length == 0) {
      throw new MalformedTxException("tx is empty");
    }
    return DECODED.get(txBytes);
  }

  /**
   * Decoded txs by their bytes. A node decodes each tx when it arrives (RPC or gossip), in CheckTx,
   * in every mempool recheck after a block, to verify the block's signatures and to execute it;
   * decoding is two parses, a canonical re-encoding and two SHA-256. Decoding is a function of the
   * bytes, so a cached answer is the same answer. Small on purpose: 8,192 txs at most cover a tx
   * from its arrival to its CheckTx, and to its block when the mempool is short; measured with
   * 65,536 the collector's work on the retained txs cost as much as the decodes saved.
   */
  private static final DecodeCache DECODED = new DecodeCache(1 << 12);

  /** {@link #decode} of non-empty bytes, without the cache. */
  static SignedTx decodeUncached(byte[] txBytes) throws MalformedTxException {
    Tx tx;
    try {
      tx = Tx.parseFrom(txBytes);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedTxException("tx bytes are not a Tx envelope: " + e.getMessage());
    }
    // Unknown fields survive re-encoding, so they are checked apart.
    if (!tx.getUnknownFields().asMap().isEmpty()
        || !Arrays.equals(DeterministicProto.encode(tx), txBytes)) {
      throw new MalformedTxException("tx envelope is not canonically encoded");
    }
    if (tx.getBody().isEmpty()) {
      throw new MalformedTxException("tx body is empty");
    }
    TxBody body;
    try {
      body = TxBody.parseFrom(tx.getBody());
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedTxException("tx body does not parse as TxBody: " + e.getMessage());
    }
    if (body.getMsgCase() == TxBody.MsgCase.MSG_NOT_SET) {
      // Told apart from malformed bytes (ante/3, not ante/2): a newer client's message, which
      // this node does not know, arrives as an unknown field and no message.
      var unknown = body.getUnknownFields().asMap().keySet();
      throw MalformedTxException.missingMessage(
          unknown.isEmpty()
              ? "tx body carries no message"
              : "tx body carries no message this node knows (unknown field "
                  + unknown.iterator().next()
                  + ")");
    }
    int keyLength = body.getSignerPubKey().size();
    if (keyLength != Ed25519.KEY_LENGTH) {
      throw new MalformedTxException("signer_pub_key must be 32 bytes (Ed25519), got " + keyLength);
    }
    int sigLength = tx.getSignature().size();
    if (sigLength != Ed25519.SIGNATURE_LENGTH) {
      throw new MalformedTxException("signature must be 64 bytes (Ed25519), got " + sigLength);
    }
    return new SignedTx(tx, body, hash(txBytes), Address.of(body.getSignerPubKey().toByteArray()));
  }
}
