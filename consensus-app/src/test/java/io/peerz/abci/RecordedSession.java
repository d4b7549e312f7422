package io.peerz.abci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The requests a CometBFT v0.38 validator sends an application it starts from genesis: the
 * handshake's Info on the query connection, InitChain on the consensus connection, then for three
 * heights CheckTx (mempool), PrepareProposal when it proposes, ProcessProposal, FinalizeBlock and
 * Commit (consensus), each synchronous call followed by Flush as CometBFT's socket client sends it;
 * then a proving Query and a second Info.
 *
 * <p>How the frames in {@code src/test/resources/abci/cometbft-v0.38-session.hex} were made: this
 * class builds every request with {@link SpecRequests}, i.e. with {@link SpecEncoder} from the
 * field numbers of CometBFT v0.38's {@code proto/tendermint/abci/types.proto} (not from the
 * generated classes), frames each one with an unsigned varint length as CometBFT's {@code protoio}
 * does, and writes one line per frame: {@code <connection> <request> <hex>}. Regenerate with
 *
 * <pre>
 * mvn -o -q -pl consensus-app test-compile
 * java -cp consensus-app/target/test-classes io.peerz.abci.RecordedSession \
 *     consensus-app/src/test/resources/abci/cometbft-v0.38-session.hex
 * </pre>
 *
 * {@code RecordedSessionTest} checks that the file is exactly what this class writes.
 */
final class RecordedSession {

  static final String RESOURCE = "/abci/cometbft-v0.38-session.hex";
  static final String CHAIN_ID = "peerz-abci-session";
  static final long GENESIS_SECONDS = 1_767_225_600L; // 2026-01-01T00:00:00Z
  static final int BLOCK_NANOS = 123_456_789;
  static final byte[] VALIDATOR_KEY = new byte[32];
  static final byte[] APP_STATE = utf8("{\"accounts\":[]}");

  static {
    for (int i = 0; i < 32; i++) {
      VALIDATOR_KEY[i] = (byte) (i + 1);
    }
  }

  /** One frame of the session. */
  record Line(String connection, String request, byte[] frame) {}

  private RecordedSession() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** CometBFT's validator address: the first 20 bytes of SHA-256 of the Ed25519 key. */
  static byte[] proposer() {
    return Arrays.copyOf(sha256(VALIDATOR_KEY), 20);
  }

  static byte[] blockHash(long height) {
    return sha256(utf8("block " + height));
  }

  static List<byte[]> blockTxs(long height) {
    return switch ((int) height) {
      case 1 -> List.of(utf8("k1=v1"));
      case 2 -> List.of(utf8("k2=v2"));
      default -> List.of(utf8("k3=v3"), utf8("k1=v3"));
    };
  }

  static List<Line> lines() {
    List<Line> lines = new ArrayList<>();
    add(lines, "query", "info", SpecRequests.info());
    add(
        lines,
        "consensus",
        "init_chain",
        SpecRequests.initChain(
            SpecRequests.time(GENESIS_SECONDS, 0),
            CHAIN_ID,
            List.of(SpecRequests.validator(1, VALIDATOR_KEY, 10)),
            APP_STATE));
    for (long h = 1; h <= 3; h++) {
      SpecEncoder time = SpecRequests.time(GENESIS_SECONDS + h, BLOCK_NANOS);
      SpecEncoder lastCommit =
          h == 1 ? SpecEncoder.message() : SpecRequests.commitInfo(proposer(), 10);
      List<byte[]> txs = blockTxs(h);
      if (h < 3) {
        // This validator proposes heights 1 and 2; its mempool saw the txs first.
        for (byte[] tx : txs) {
          add(lines, "mempool", "check_tx", SpecRequests.checkTx(tx, 0));
        }
        add(lines, "mempool", "check_tx", SpecRequests.checkTx(utf8("not-a-pair"), 0));
        add(
            lines,
            "consensus",
            "prepare_proposal",
            SpecRequests.prepareProposal(22_020_096, txs, h, time, proposer()));
      }
      add(
          lines,
          "consensus",
          "process_proposal",
          SpecRequests.processProposal(txs, blockHash(h), h, time, proposer()));
      add(
          lines,
          "consensus",
          "finalize_block",
          SpecRequests.finalizeBlock(txs, lastCommit, blockHash(h), h, time, proposer()));
      add(lines, "consensus", "commit", SpecRequests.commit());
    }
    add(lines, "query", "query", SpecRequests.query("/store", utf8("k1"), 0, true));
    add(lines, "query", "info", SpecRequests.info());
    return lines;
  }

  /** A synchronous call: the request, then Flush on the same connection. */
  private static void add(List<Line> lines, String connection, String name, SpecEncoder request) {
    lines.add(new Line(connection, name, SpecEncoder.frame(request.toBytes())));
    lines.add(new Line(connection, "flush", SpecEncoder.frame(SpecRequests.flush().toBytes())));
  }

  static String render() {
    StringBuilder out = new StringBuilder();
    out.append("# A CometBFT v0.38 validator's ABCI requests from genesis to height 3.\n");
    out.append("# Written by io.peerz.abci.RecordedSession (see its Javadoc) from the spec's\n");
    out.append("# field numbers. Line: <connection> <request> <hex: uvarint length + Request>\n");
    for (Line line : lines()) {
      out.append(line.connection())
          .append(' ')
          .append(line.request())
          .append(' ')
          .append(HexFormat.of().formatHex(line.frame()))
          .append('\n');
    }
    return out.toString();
  }

  static List<Line> parse(String text) {
    List<Line> lines = new ArrayList<>();
    for (String raw : text.split("\n")) {
      if (raw.isBlank() || raw.startsWith("#")) {
        continue;
      }
      String[] parts = raw.trim().split(" ");
      lines.add(new Line(parts[0], parts[1], HexFormat.of().parseHex(parts[2])));
    }
    return lines;
  }

  public static void main(String[] args) throws IOException {
    Files.writeString(Path.of(args[0]), render());
  }
}
