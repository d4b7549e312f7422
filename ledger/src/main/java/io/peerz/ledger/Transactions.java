package io.peerz.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import java.util.Arrays;
import java.util.Set;

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

  /** Parses TxBody without keeping unknown fields, so that re-encoding exposes them. */
  private static final Parser<TxBody> BODY_PARSER =
      DiscardUnknownFieldsParser.wrap(TxBody.parser());

  /**
   * Decodes raw bytes into envelope and body; throws {@link MalformedTxException} (with the reason)
   * for bytes that are not a Tx, a body that does not parse, a signer key that is not 32 bytes or a
   * signature that is not 64 bytes. Does not verify the signature.
   *
   * <p>Also rejects an empty body, a body with no message, and an envelope or body whose bytes are
   * not its deterministic encoding (default values written out, reordered, repeated or unknown
   * fields), so one signed tx has exactly one encoding and one tx hash.
   */
  public static SignedTx decode(byte[] txBytes) throws MalformedTxException {
    if (txBytes == null || txBytes.length == 0) {
      throw new MalformedTxException("tx is empty");
    }
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
      body = BODY_PARSER.parseFrom(tx.getBody());
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedTxException("tx body does not parse as TxBody: " + e.getMessage());
    }
    if (body.getMsgCase() == TxBody.MsgCase.MSG_NOT_SET) {
      // Told apart from malformed bytes (ante/3, not ante/2): a newer client's message, which
      // this node does not know, arrives as an unknown field and no message. BODY_PARSER drops
      // unknown fields, so the body is read again, keeping them, to name the field.
      var unknown = unknownFields(tx.getBody());
      throw MalformedTxException.missingMessage(
          unknown.isEmpty()
              ? "tx body carries no message"
              : "tx body carries no message this node knows (unknown field "
                  + unknown.iterator().next()
                  + ")");
    }
    // The signature covers the body's bytes, so a body written another way (a field set to its
    // default written out, fields reordered or repeated, unknown fields at any depth, which the
    // parser drops) would be a second signed encoding, and hash, of the same tx.
    if (!tx.getBody().equals(ByteString.copyFrom(DeterministicProto.encode(body)))) {
      throw new MalformedTxException(
          "tx body is not its deterministic encoding (a field with its default value written"
              + " out, fields out of order or repeated, or unknown fields): sign the body's"
              + " deterministic protobuf encoding, as peerz clients do");
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

  /** The numbers of the body's top-level fields this node does not know, in order. */
  private static Set<Integer> unknownFields(ByteString bodyBytes) {
    try {
      return TxBody.parseFrom(bodyBytes).getUnknownFields().asMap().keySet();
    } catch (InvalidProtocolBufferException e) {
      return Set.of();
    }
  }
}
