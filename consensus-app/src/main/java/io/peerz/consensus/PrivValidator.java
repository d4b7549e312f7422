package io.peerz.consensus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peerz.consensus.proto.CanonicalVote;
import io.peerz.consensus.proto.Proposal;
import io.peerz.consensus.proto.SignedMsgType;
import io.peerz.consensus.proto.Vote;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;

/**
 * The validator's signing key guarded against double signing, like CometBFT's FilePV: the last
 * signed height, round and step (with sign bytes and signature) reach disk before a signature is
 * returned, and a different message for an already signed height/round/step is refused.
 */
public final class PrivValidator {

  static final int STEP_PROPOSE = 1;
  static final int STEP_PREVOTE = 2;
  static final int STEP_PRECOMMIT = 3;

  /** A refused signature: signing it could equivocate. */
  static final class DoubleSignException extends Exception {
    DoubleSignException(String message) {
      super(message);
    }
  }

  /** The last signed position, as persisted in priv_validator_state.json. */
  record LastSigned(long height, int round, int step, byte[] signature, byte[] signBytes) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Ed25519KeyPair key;
  private final Path stateFile;
  private LastSigned last;

  /** Signs with {@code key}; the last signature is kept in {@code stateFile} (null: in memory). */
  public PrivValidator(Ed25519KeyPair key, Path stateFile) {
    this.key = key;
    this.stateFile = stateFile;
    this.last = load(stateFile);
  }

  public byte[] publicKey() {
    return key.publicKey();
  }

  public byte[] address() {
    return key.address().bytes();
  }

  synchronized LastSigned lastSigned() {
    return last;
  }

  synchronized Vote signVote(String chainId, Vote vote) throws DoubleSignException {
    int step =
        vote.getType() == SignedMsgType.SIGNED_MSG_TYPE_PREVOTE ? STEP_PREVOTE : STEP_PRECOMMIT;
    byte[] signBytes = SignBytes.vote(chainId, vote);
    if (sameHrs(vote.getHeight(), vote.getRound(), step)) {
      if (Arrays.equals(signBytes, last.signBytes())) {
        return vote.toBuilder().setSignature(bytes(last.signature())).build();
      }
      // Same vote at another time: CometBFT answers with the stored timestamp and signature.
      CanonicalVote before = parseVote(last.signBytes());
      if (before != null
          && before.toBuilder()
              .clearTimestamp()
              .build()
              .equals(parseVote(signBytes).toBuilder().clearTimestamp().build())) {
        return vote.toBuilder()
            .setTimestamp(before.getTimestamp())
            .setSignature(bytes(last.signature()))
            .build();
      }
      throw conflict(vote.getHeight(), vote.getRound(), step);
    }
    checkNotBehind(vote.getHeight(), vote.getRound(), step);
    byte[] sig = key.sign(signBytes);
    persist(new LastSigned(vote.getHeight(), vote.getRound(), step, sig, signBytes));
    return vote.toBuilder().setSignature(bytes(sig)).build();
  }

  synchronized Proposal signProposal(String chainId, Proposal proposal) throws DoubleSignException {
    byte[] signBytes = SignBytes.proposal(chainId, proposal);
    if (sameHrs(proposal.getHeight(), proposal.getRound(), STEP_PROPOSE)) {
      if (Arrays.equals(signBytes, last.signBytes())) {
        return proposal.toBuilder().setSignature(bytes(last.signature())).build();
      }
      throw conflict(proposal.getHeight(), proposal.getRound(), STEP_PROPOSE);
    }
    checkNotBehind(proposal.getHeight(), proposal.getRound(), STEP_PROPOSE);
    byte[] sig = key.sign(signBytes);
    persist(
        new LastSigned(proposal.getHeight(), proposal.getRound(), STEP_PROPOSE, sig, signBytes));
    return proposal.toBuilder().setSignature(bytes(sig)).build();
  }

  private boolean sameHrs(long h, int r, int s) {
    return last != null && last.height() == h && last.round() == r && last.step() == s;
  }

  private void checkNotBehind(long h, int r, int s) throws DoubleSignException {
    if (last == null) {
      return;
    }
    boolean behind =
        h < last.height()
            || (h == last.height() && r < last.round())
            || (h == last.height() && r == last.round() && s < last.step());
    if (behind) {
      throw new DoubleSignException(
          "refusing to sign height="
              + h
              + " round="
              + r
              + " step="
              + s
              + ": already signed height="
              + last.height()
              + " round="
              + last.round()
              + " step="
              + last.step());
    }
  }

  private static DoubleSignException conflict(long h, int r, int s) {
    return new DoubleSignException(
        "refusing to sign conflicting data at height=" + h + " round=" + r + " step=" + s);
  }

  private static CanonicalVote parseVote(byte[] delimited) {
    try {
      return CanonicalVote.parseDelimitedFrom(new java.io.ByteArrayInputStream(delimited));
    } catch (IOException e) {
      return null;
    }
  }

  private static com.google.protobuf.ByteString bytes(byte[] b) {
    return com.google.protobuf.ByteString.copyFrom(b);
  }

  /** Written to a temp file, fsynced, renamed over the old one, and the directory fsynced. */
  private void persist(LastSigned s) {
    if (stateFile == null) {
      // In-memory signer of the deterministic simulation: the object itself outlives a "crash".
      last = s;
      return;
    }
    String json =
        "{\n  \"height\": \""
            + s.height()
            + "\",\n  \"round\": "
            + s.round()
            + ",\n  \"step\": "
            + s.step()
            + ",\n  \"signature\": \""
            + Base64.getEncoder().encodeToString(s.signature())
            + "\",\n  \"signbytes\": \""
            + Hex.encodeUpper(s.signBytes())
            + "\"\n}\n";
    try {
      Files.createDirectories(stateFile.getParent());
      Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(
          tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(stateFile.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException e) {
        // Some file systems cannot sync a directory; the rename itself is atomic.
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + stateFile, e);
    }
    last = s;
  }

  private static LastSigned load(Path file) {
    if (file == null || !Files.exists(file)) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      long height = Long.parseLong(n.path("height").asText("0"));
      String sig = n.path("signature").asText("");
      String sb = n.path("signbytes").asText("");
      return new LastSigned(
          height,
          n.path("round").asInt(0),
          n.path("step").asInt(0),
          sig.isEmpty() ? new byte[0] : Base64.getDecoder().decode(sig),
          sb.isEmpty() ? new byte[0] : Hex.decode(sb));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
