package io.peerz.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockId;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.CommitSig;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.ledger.proto.Header;
import io.peerz.ledger.proto.PartSetHeader;
import io.peerz.ledger.proto.TxResult;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * CometBFT v0.38's JSON encoding of its types: 64-bit integers as strings, 32-bit ones as numbers,
 * {@code HexBytes} (hashes, addresses) as upper-case hex, other bytes as base64, times as Go's RFC
 * 3339 with nanoseconds and trailing zeros trimmed.
 */
final class CometJson {
  private CometJson() {}

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** CometBFT version peerz is wire-compatible with. */
  static final String COMET_VERSION = "0.38.17";

  static final String PUBKEY_ED25519 = "tendermint/PubKeyEd25519";

  // Go's zero time.Time, what CometBFT prints for an absent commit signature's timestamp.
  private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** Upper-case hex; empty for null or empty bytes (CometBFT's HexBytes). */
  static String hex(byte[] bytes) {
    return bytes == null ? "" : UPPER_HEX.formatHex(bytes);
  }

  static String hex(ByteString bytes) {
    return hex(bytes.toByteArray());
  }

  /** Base64 of bytes, JSON null for null (Go's nil []byte). */
  static JsonNode base64(byte[] bytes) {
    return bytes == null
        ? NODES.nullNode()
        : NODES.textNode(Base64.getEncoder().encodeToString(bytes));
  }

  /** Base64, or null for empty bytes (what jsonpb prints for an unset bytes field). */
  static JsonNode base64OrNull(ByteString bytes) {
    return bytes.isEmpty() ? NODES.nullNode() : base64(bytes.toByteArray());
  }

  static String int64(long value) {
    return Long.toString(value);
  }

  /** Go's {@code time.RFC3339Nano}: fraction with trailing zeros trimmed, none when zero. */
  static String time(long epochSeconds, int nanos) {
    StringBuilder out = new StringBuilder(SECONDS.format(Instant.ofEpochSecond(epochSeconds)));
    if (nanos != 0) {
      String fraction = String.format("%09d", nanos);
      int end = fraction.length();
      while (fraction.charAt(end - 1) == '0') {
        end--;
      }
      out.append('.').append(fraction, 0, end);
    }
    return out.append('Z').toString();
  }

  static String time(Timestamp timestamp) {
    return time(timestamp.getSeconds(), timestamp.getNanos());
  }

  static String timeMillis(long epochMillis) {
    return time(
        Math.floorDiv(epochMillis, 1000L), (int) Math.floorMod(epochMillis, 1000L) * 1_000_000);
  }

  static ObjectNode pubKey(byte[] ed25519) {
    ObjectNode key = object();
    key.put("type", PUBKEY_ED25519);
    key.set("value", base64(ed25519));
    return key;
  }

  static ObjectNode blockId(BlockId id) {
    ObjectNode node = object();
    node.put("hash", hex(id.getHash()));
    node.set("parts", parts(id.getPartSetHeader()));
    return node;
  }

  static ObjectNode parts(PartSetHeader parts) {
    ObjectNode node = object();
    node.put("total", Integer.toUnsignedLong(parts.getTotal()));
    node.put("hash", hex(parts.getHash()));
    return node;
  }

  static ObjectNode header(Header h) {
    ObjectNode node = object();
    ObjectNode version = node.putObject("version");
    version.put("block", Long.toUnsignedString(h.getVersionBlock()));
    version.put("app", Long.toUnsignedString(h.getVersionApp()));
    node.put("chain_id", h.getChainId());
    node.put("height", int64(h.getHeight()));
    node.put("time", h.hasTime() ? time(h.getTime()) : GO_ZERO_TIME);
    node.set("last_block_id", blockId(h.getLastBlockId()));
    node.put("last_commit_hash", hex(h.getLastCommitHash()));
    node.put("data_hash", hex(h.getDataHash()));
    node.put("validators_hash", hex(h.getValidatorsHash()));
    node.put("next_validators_hash", hex(h.getNextValidatorsHash()));
    node.put("consensus_hash", hex(h.getConsensusHash()));
    node.put("app_hash", hex(h.getAppHash()));
    node.put("last_results_hash", hex(h.getLastResultsHash()));
    node.put("evidence_hash", hex(h.getEvidenceHash()));
    node.put("proposer_address", hex(h.getProposerAddress()));
    return node;
  }

  static ObjectNode commit(Commit commit) {
    ObjectNode node = object();
    node.put("height", int64(commit.getHeight()));
    node.put("round", commit.getRound());
    node.set("block_id", blockId(commit.getBlockId()));
    ArrayNode signatures = node.putArray("signatures");
    for (CommitSig sig : commit.getSignaturesList()) {
      ObjectNode s = signatures.addObject();
      s.put("block_id_flag", sig.getBlockIdFlagValue());
      s.put("validator_address", hex(sig.getValidatorAddress()));
      s.put("timestamp", sig.hasTimestamp() ? time(sig.getTimestamp()) : GO_ZERO_TIME);
      s.set("signature", base64OrNull(sig.getSignature()));
    }
    return node;
  }

  /** The {@code block} object of {@code ResultBlock}. */
  static ObjectNode block(Block block) {
    ObjectNode node = object();
    node.set("header", header(block.getHeader()));
    ArrayNode txs = node.putObject("data").putArray("txs");
    for (ByteString tx : block.getTxsList()) {
      txs.add(Base64.getEncoder().encodeToString(tx.toByteArray()));
    }
    node.putObject("evidence").putArray("evidence");
    node.set("last_commit", commit(block.getLastCommit()));
    return node;
  }

  /** An ExecTxResult / CheckTxResponse as jsonpb writes it (defaults emitted). */
  static ObjectNode txResult(TxResult result) {
    ObjectNode node = object();
    node.put("code", Integer.toUnsignedLong(result.getCode()));
    node.set("data", base64OrNull(result.getData()));
    node.put("log", result.getLog());
    node.put("info", result.getInfo());
    node.put("gas_wanted", int64(result.getGasWanted()));
    node.put("gas_used", int64(result.getGasUsed()));
    node.set("events", events(result.getEventsList()));
    node.put("codespace", result.getCodespace());
    return node;
  }

  static ArrayNode events(List<Event> events) {
    ArrayNode array = array();
    for (Event event : events) {
      ObjectNode e = array.addObject();
      e.put("type", event.getType());
      ArrayNode attributes = e.putArray("attributes");
      for (EventAttribute attribute : event.getAttributesList()) {
        ObjectNode a = attributes.addObject();
        a.put("key", attribute.getKey());
        a.put("value", attribute.getValue());
        a.put("index", attribute.getIndex());
      }
    }
    return array;
  }

  /**
   * A ValidatorUpdate as CometBFT v0.38 writes it in {@code block_results}: the protobuf public key
   * in its registered oneof wrapper, power omitted when zero.
   */
  static ObjectNode validatorUpdate(ValidatorUpdate update) {
    ObjectNode node = object();
    ObjectNode sum = node.putObject("pub_key").putObject("Sum");
    sum.put("type", "tendermint.crypto.PublicKey_Ed25519");
    sum.putObject("value").set("ed25519", base64(update.getPubKey().toByteArray()));
    if (update.getPower() != 0) {
      node.put("power", int64(update.getPower()));
    }
    return node;
  }
}
