package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.peerz.ledger.Address;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Hex;
import io.peerz.ledger.MalformedTxException;
import io.peerz.ledger.SignedTx;
import io.peerz.ledger.Transactions;
import io.peerz.ledger.proto.Tx;
import io.peerz.ledger.proto.TxBody;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

/**
 * The JSON files of offline signing (docs/keys.md): an unsigned tx, which {@code tx
 * --generate-only} writes and {@code tx sign} reads, and a signed tx, which {@code tx sign} writes
 * and {@code tx broadcast} reads. Both show what is signed in words (chain id, signer, nonce, fee,
 * memo, and the message in the proto3 JSON mapping); the signed file adds the signature, the Tx
 * bytes and their hash, and is checked against them before anything is sent.
 */
final class TxFile {
  static final String UNSIGNED = "peerz/unsigned-tx";
  static final String SIGNED = "peerz/signed-tx";

  private static final JsonFormat.Printer MESSAGE_PRINTER =
      JsonFormat.printer()
          .preservingProtoFieldNames()
          .alwaysPrintFieldsWithNoPresence()
          .omittingInsignificantWhitespace();
  private static final JsonFormat.Parser MESSAGE_PARSER = JsonFormat.parser();
  private static final OneofDescriptor MSG = TxBody.getDescriptor().getOneofs().get(0);

  private TxFile() {}

  /**
   * A body waiting for its signature and the address that must sign it. The body's signer_pub_key
   * is empty when the file was made from an address alone; {@code tx sign} fills it.
   */
  record Unsigned(TxBody body, Address signer) {
    Unsigned {
      if (!body.getSignerPubKey().isEmpty()
          && !Address.of(body.getSignerPubKey().toByteArray()).equals(signer)) {
        throw new CliException(
            "signer_pub_key is the key of "
                + Address.of(body.getSignerPubKey().toByteArray())
                + ", not of the signer "
                + signer);
      }
      if (body.getMsgCase() == TxBody.MsgCase.MSG_NOT_SET) {
        throw new CliException("the tx has no message");
      }
    }
  }

  /** The unsigned file of {@code body}, to be signed by {@code signer}. */
  static ObjectNode unsigned(Unsigned tx) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", UNSIGNED);
    fields(n, tx.body(), tx.signer());
    return n;
  }

  /** The signed file of {@code tx}: its fields in words, the signature, the Tx bytes, the hash. */
  static ObjectNode signed(Tx tx) {
    TxBody body;
    try {
      body = TxBody.parseFrom(tx.getBody());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("a Tx made here always holds a TxBody", e);
    }
    byte[] bytes = tx.toByteArray();
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", SIGNED);
    fields(n, body, Address.of(body.getSignerPubKey().toByteArray()));
    n.put("signature", Base64.getEncoder().encodeToString(tx.getSignature().toByteArray()));
    n.put("tx", Base64.getEncoder().encodeToString(bytes));
    n.put("hash", Hex.encodeUpper(Transactions.hash(bytes)));
    return n;
  }

  /** Reads an unsigned file; a signed one, or one that does not parse, is refused in words. */
  static Unsigned readUnsigned(Path file) {
    JsonNode n = read(file);
    String type = n.path("type").asText("");
    if (type.equals(SIGNED)) {
      throw new CliException(file + " is already signed: send it with 'peerz tx broadcast'");
    }
    if (!type.equals(UNSIGNED)) {
      throw new CliException(
          file + " is not an unsigned tx (\"type\": \"" + UNSIGNED + "\", from --generate-only)");
    }
    return fromFields(n, file.toString());
  }

  /**
   * Reads a signed file and checks it: the Tx bytes decode, the signature verifies, the hash is
   * theirs and every field shown in words is the one signed. A file altered after signing is
   * refused, naming what differs.
   */
  static SignedTx readSigned(Path file) {
    JsonNode n = read(file);
    String type = n.path("type").asText("");
    if (type.equals(UNSIGNED)) {
      throw new CliException(
          file + " is not signed: sign it with 'peerz tx sign " + file + " --from KEY'");
    }
    if (!type.equals(SIGNED)) {
      throw new CliException(
          file + " is not a signed tx (\"type\": \"" + SIGNED + "\", from 'peerz tx sign')");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(n.path("tx").asText(""));
    } catch (IllegalArgumentException e) {
      throw new CliException(file + ": \"tx\" is not base64: " + e.getMessage());
    }
    SignedTx tx;
    try {
      tx = Transactions.decode(bytes);
    } catch (MalformedTxException e) {
      throw new CliException(file + ": \"tx\" is not a peerz tx: " + e.getMessage());
    }
    if (!Ed25519.verify(
        tx.body().getSignerPubKey().toByteArray(),
        tx.tx().getBody().toByteArray(),
        tx.tx().getSignature().toByteArray())) {
      throw new CliException(
          file + ": the signature does not verify: the tx bytes were altered after signing");
    }
    String what = file + " was altered after signing: ";
    if (!Hex.encodeUpper(tx.hash()).equalsIgnoreCase(n.path("hash").asText(""))) {
      throw new CliException(what + "\"hash\" is not the hash of \"tx\"");
    }
    if (!Arrays.equals(
        tx.tx().getSignature().toByteArray(), decode64(n.path("signature"), "signature", file))) {
      throw new CliException(what + "\"signature\" is not the signature in \"tx\"");
    }
    Unsigned shown = fromFields(n, file.toString());
    TxBody signed = tx.body();
    TxBody words = shown.body();
    if (!shown.signer().equals(tx.signer())) {
      throw new CliException(
          what + "\"signer\" says " + shown.signer() + ", the tx is signed by " + tx.signer());
    }
    String differs =
        !words.getChainId().equals(signed.getChainId())
            ? "chain_id"
            : !words.getSignerPubKey().equals(signed.getSignerPubKey())
                ? "signer_pub_key"
                : words.getNonce() != signed.getNonce()
                    ? "nonce"
                    : words.getFee() != signed.getFee()
                        ? "fee"
                        : !words.getMemo().equals(signed.getMemo())
                            ? "memo"
                            : !messageOnly(words).equals(messageOnly(signed)) ? "message" : null;
    if (differs != null) {
      throw new CliException(what + "its \"" + differs + "\" is not the one in the signed bytes");
    }
    return tx;
  }

  /**
   * One line that says what a body does, for the person about to sign it: the message and its set
   * fields, with 20-byte values written as addresses (the JSON file has them in base64).
   */
  static String describe(TxBody body) {
    FieldDescriptor field = body.getOneofFieldDescriptor(MSG);
    StringBuilder s = new StringBuilder();
    s.append(field == null ? "no message" : field.getName());
    if (field != null) {
      s.append(' ');
      describe(s, (Message) body.getField(field));
    }
    return s.append(" | chain ")
        .append(body.getChainId())
        .append(", nonce ")
        .append(Long.toUnsignedString(body.getNonce()))
        .append(", fee ")
        .append(Long.toUnsignedString(body.getFee()))
        .append(body.getMemo().isEmpty() ? "" : ", memo " + body.getMemo())
        .toString();
  }

  private static void describe(StringBuilder s, Message m) {
    s.append('{');
    boolean first = true;
    for (var e : m.getAllFields().entrySet()) {
      s.append(first ? "" : ", ").append(e.getKey().getName()).append(": ");
      first = false;
      if (e.getKey().isRepeated()) {
        s.append('[');
        boolean firstItem = true;
        for (Object item : (java.util.List<?>) e.getValue()) {
          s.append(firstItem ? "" : ", ");
          firstItem = false;
          value(s, item);
        }
        s.append(']');
      } else {
        value(s, e.getValue());
      }
    }
    s.append('}');
  }

  private static void value(StringBuilder s, Object v) {
    if (v instanceof Message m) {
      describe(s, m);
    } else if (v instanceof ByteString b) {
      s.append(
          b.size() == Address.LENGTH
              ? new Address(b.toByteArray()).toString()
              : b.size() <= 64 ? "0x" + Hex.encode(b.toByteArray()) : b.size() + " bytes");
    } else if (v instanceof Descriptors.EnumValueDescriptor en) {
      s.append(en.getName());
    } else {
      s.append(v);
    }
  }

  private static void fields(ObjectNode n, TxBody body, Address signer) {
    n.put("chain_id", body.getChainId());
    n.put("signer", signer.toString());
    n.put(
        "signer_pub_key", Base64.getEncoder().encodeToString(body.getSignerPubKey().toByteArray()));
    n.put("nonce", Long.toUnsignedString(body.getNonce()));
    n.put("fee", Long.toUnsignedString(body.getFee()));
    n.put("memo", body.getMemo());
    FieldDescriptor field = body.getOneofFieldDescriptor(MSG);
    ObjectNode message = n.putObject("message");
    try {
      message.set(
          field.getName(),
          Json.parse(
              MESSAGE_PRINTER
                  .print((Message) body.getField(field))
                  .getBytes(StandardCharsets.UTF_8),
              "message"));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("every peerz message prints as JSON", e);
    }
  }

  private static Unsigned fromFields(JsonNode n, String what) {
    String signerText = required(n, "signer", what);
    Address signer;
    try {
      signer = Address.parse(signerText);
    } catch (IllegalArgumentException e) {
      throw new CliException(what + ": \"signer\" is not an address: " + e.getMessage());
    }
    JsonNode message = n.get("message");
    if (message == null || !message.isObject() || message.size() != 1) {
      throw new CliException(
          what + ": \"message\" must be one object naming one message, e.g. {\"send\": {...}}");
    }
    String name = message.fieldNames().next();
    FieldDescriptor field = TxBody.getDescriptor().findFieldByName(name);
    if (field == null || field.getContainingOneof() != MSG) {
      throw new CliException(what + ": \"message\" names no peerz message: '" + name + "'");
    }
    TxBody.Builder body = TxBody.newBuilder();
    Message.Builder sub = body.newBuilderForField(field);
    try {
      MESSAGE_PARSER.merge(Json.compact(message.get(name)), sub);
    } catch (InvalidProtocolBufferException e) {
      throw new CliException(what + ": \"message\" is not a valid " + name + ": " + e.getMessage());
    }
    body.setField(field, sub.build());
    byte[] pub = decode64(n.path("signer_pub_key"), "signer_pub_key", what);
    body.setChainId(required(n, "chain_id", what))
        .setSignerPubKey(ByteString.copyFrom(pub))
        .setNonce(unsigned(n, "nonce", what))
        .setFee(unsigned(n, "fee", what))
        .setMemo(n.path("memo").asText(""));
    if (pub.length != 0 && pub.length != Ed25519.KEY_LENGTH) {
      throw new CliException(what + ": \"signer_pub_key\" is not a 32-byte Ed25519 key");
    }
    return new Unsigned(body.build(), signer);
  }

  private static TxBody messageOnly(TxBody body) {
    TxBody.Builder b = TxBody.newBuilder();
    // Copies the one field of the msg oneof, whichever it is.
    body.getAllFields()
        .forEach(
            (field, value) -> {
              if (field.getContainingOneof() != null) {
                b.setField(field, value);
              }
            });
    return b.build();
  }

  private static String required(JsonNode n, String field, Object what) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new CliException(what + ": \"" + field + "\" is missing");
    }
    return v.asText();
  }

  private static long unsigned(JsonNode n, String field, Object what) {
    JsonNode v = n.get(field);
    if (v == null || !(v.isTextual() || v.isIntegralNumber())) {
      throw new CliException(what + ": \"" + field + "\" is missing");
    }
    try {
      return Long.parseUnsignedLong(v.asText());
    } catch (NumberFormatException e) {
      throw new CliException(what + ": \"" + field + "\" is not a whole number: " + v);
    }
  }

  private static byte[] decode64(JsonNode v, String field, Object what) {
    try {
      return Base64.getDecoder().decode(v.asText(""));
    } catch (IllegalArgumentException e) {
      throw new CliException(what + ": \"" + field + "\" is not base64: " + e.getMessage());
    }
  }

  private static JsonNode read(Path file) {
    try {
      return Json.parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }
}
