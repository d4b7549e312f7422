package io.peerz.attest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.attest.Verdict.Invalid;
import io.peerz.attest.Verdict.Reason;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.MatrixVector;
import io.peerz.attest.proto.Reveal;
import io.peerz.attest.proto.RevealedEntry;
import io.peerz.attest.proto.RevealedRow;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.DeterministicProto;
import io.peerz.ledger.Ed25519;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks attestations and reveals. A reveal is checked cheapest first: signature, that it answers
 * the challenge, every Merkle proof, and only then the O(k n^2) recomputation of the revealed rows
 * from B and the sampled rows of A, regenerated from the attestation's seed (never all of A); the
 * row check dispatches on the workload's kind (exact for int8, a tolerance for fp32).
 */
public final class Verifier {
  private Verifier() {}

  /**
   * Decodes a signed attestation and checks it is canonical, well-formed (32-byte key, seed and
   * root, a known workload, finished height not before started height) and signed by its executor
   * key.
   */
  public static Verdict checkAttestation(SignedAttestation signed) {
    byte[] body = signed.getAttestation().toByteArray();
    Attestation att;
    try {
      att = Attestation.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      return invalid(Reason.MALFORMED_ATTESTATION, "attestation bytes do not decode: %s", e);
    }
    if (!Arrays.equals(DeterministicProto.encode(att), body)) {
      // One attestation, one byte string: otherwise its hash could be varied without a new
      // signature, and unknown fields could ride along unsigned by meaning.
      return invalid(
          Reason.MALFORMED_ATTESTATION,
          "attestation bytes are not the deterministic encoding (unknown or reordered fields)");
    }
    if (att.getExecutorPubKey().size() != Ed25519.KEY_LENGTH) {
      return invalid(
          Reason.MALFORMED_ATTESTATION,
          "executor_pub_key is %d bytes, expected 32",
          att.getExecutorPubKey().size());
    }
    DataWorkload data = DataWorkload.parse(att.getWorkload());
    String malformed = data != null ? checkDataFields(data, att) : checkSeededFields(att);
    if (malformed != null) {
      return invalid(Reason.MALFORMED_ATTESTATION, "%s", malformed);
    }
    if (Long.compareUnsigned(att.getFinishedHeight(), att.getStartedHeight()) < 0) {
      return invalid(
          Reason.MALFORMED_ATTESTATION,
          "finished_height %s is before started_height %s",
          Long.toUnsignedString(att.getFinishedHeight()),
          Long.toUnsignedString(att.getStartedHeight()));
    }
    if (!Ed25519.verify(
        att.getExecutorPubKey().toByteArray(), body, signed.getSignature().toByteArray())) {
      return invalid(
          Reason.BAD_SIGNATURE,
          "signature does not verify against executor key %s",
          Hex.encode(att.getExecutorPubKey().toByteArray()));
    }
    return new Verdict.Valid(att);
  }

  /** The attestation {@code signed} carries; IllegalArgumentException when it does not decode. */
  public static Attestation decode(SignedAttestation signed) {
    try {
      return Attestation.parseFrom(signed.getAttestation());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("attestation bytes do not decode: " + e.getMessage(), e);
    }
  }

  /** Null when a seeded job's attestation has a 32-byte seed and root and no matrices. */
  private static String checkSeededFields(Attestation att) {
    if (att.getSeed().size() != GemmInputs.SEED_LENGTH) {
      return "seed is " + att.getSeed().size() + " bytes, expected 32";
    }
    if (att.getOutputRoot().size() != Sha256.LENGTH) {
      return "output_root is " + att.getOutputRoot().size() + " bytes, expected 32";
    }
    if (att.getInputsCount() != 0 || att.getOutputsCount() != 0) {
      return "a seeded workload's attestation carries no committed matrices";
    }
    try {
      Workload.parse(att.getWorkload());
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }

  /**
   * Null when a data job's attestation has no seed or single root, inputs the workload takes, and
   * exactly the outputs those inputs give, each with a 32-byte root.
   */
  private static String checkDataFields(DataWorkload data, Attestation att) {
    if (!att.getSeed().isEmpty() || !att.getOutputRoot().isEmpty()) {
      return data + " attests committed matrices, not a seed and output_root";
    }
    String inputs = data.checkInputs(att.getInputsList());
    if (inputs != null) {
      return inputs;
    }
    if (data.usesModel()) {
      return InferenceCheck.checkOutputs(att.getInputs(0), att.getOutputsList());
    }
    List<CommittedMatrix> want = data.outputShapes(att.getInputsList());
    if (att.getOutputsCount() != want.size()) {
      return data + " has " + want.size() + " outputs, the attestation " + att.getOutputsCount();
    }
    for (int i = 0; i < want.size(); i++) {
      CommittedMatrix got = att.getOutputs(i);
      if (!got.toBuilder().clearRoot().build().equals(want.get(i))) {
        return "output "
            + i
            + " is "
            + MatrixCommitment.describe(got)
            + ", expected "
            + MatrixCommitment.describe(want.get(i));
      }
      if (got.getRoot().size() != Sha256.LENGTH) {
        return "output " + got.getName() + "'s root is " + got.getRoot().size() + " bytes";
      }
    }
    return null;
  }

  /**
   * Checks that {@code reveal} answers {@code challenge} for {@code signed}'s data job, in its
   * order, and that every revealed entry is committed (its output row, left row and right column
   * each proven against their roots) and equals its recomputed dot product, exactly: O(entries x
   * inner dimension) multiply-adds, whatever the output's size.
   */
  public static Verdict verifyEntryReveal(
      SignedAttestation signed, EntryChallenge challenge, EntryReveal reveal) {
    return verifyEntryReveal(signed, challenge, reveal, null);
  }

  /**
   * {@link #verifyEntryReveal(SignedAttestation, EntryChallenge, EntryReveal)} for any data job: an
   * mlp-int8 job's challenge is drawn over {@link InferenceCheck#challengeShape} and its entries
   * are checked against the pool's {@code model} (null for other workloads).
   */
  public static Verdict verifyEntryReveal(
      SignedAttestation signed,
      EntryChallenge challenge,
      EntryReveal reveal,
      CommittedModel model) {
    Verdict checked = checkAttestation(signed);
    if (!(checked instanceof Verdict.Valid valid)) {
      return checked;
    }
    Attestation att = valid.attestation();
    if (DataWorkload.parse(att.getWorkload()) == null) {
      return invalid(Reason.CHALLENGE_MISMATCH, "%s is not a data workload", att.getWorkload());
    }
    if (challenge.jobId() != att.getJobId()) {
      return invalid(
          Reason.CHALLENGE_MISMATCH,
          "challenge is for job %s, attestation for job %s",
          Long.toUnsignedString(challenge.jobId()),
          Long.toUnsignedString(att.getJobId()));
    }
    if (reveal.getJobId() != att.getJobId()) {
      return invalid(
          Reason.REVEAL_MISMATCH,
          "reveal is for job %s, attestation is for job %s",
          Long.toUnsignedString(reveal.getJobId()),
          Long.toUnsignedString(att.getJobId()));
    }
    int[] rows = challenge.rows();
    int[] cols = challenge.cols();
    if (reveal.getEntriesCount() != rows.length) {
      return invalid(
          Reason.REVEAL_MISMATCH,
          "reveal holds %d entries, the challenge asks for %d",
          reveal.getEntriesCount(),
          rows.length);
    }
    boolean inference = DataWorkload.parse(att.getWorkload()).usesModel();
    for (int s = 0; s < rows.length && inference; s++) {
      RevealedEntry e = reveal.getEntries(s);
      int[] lc = InferenceCheck.layerColumn(att.getOutputsList(), cols[s]);
      if (e.getRow() != rows[s] || e.getLayer() != lc[0] || e.getCol() != lc[1]) {
        return invalid(
            Reason.REVEAL_MISMATCH,
            "reveal entry %d is layer %d [%d][%d], the challenge asks for layer %d [%d][%d]",
            s,
            Integer.toUnsignedLong(e.getLayer()),
            Integer.toUnsignedLong(e.getRow()),
            Integer.toUnsignedLong(e.getCol()),
            lc[0],
            rows[s],
            lc[1]);
      }
    }
    for (int s = 0; s < rows.length && !inference; s++) {
      RevealedEntry e = reveal.getEntries(s);
      String name = e.getOutput().isEmpty() ? att.getOutputs(0).getName() : e.getOutput();
      if (e.getRow() != rows[s] || e.getCol() != cols[s] || !name.equals(challenge.output())) {
        return invalid(
            Reason.REVEAL_MISMATCH,
            "reveal entry %d is %s[%d][%d], the challenge asks for %s[%d][%d]",
            s,
            name,
            Integer.toUnsignedLong(e.getRow()),
            Integer.toUnsignedLong(e.getCol()),
            challenge.output(),
            rows[s],
            cols[s]);
      }
    }
    for (int s = 0; s < rows.length; s++) {
      EntryCheck c = checkEntry(att, reveal.getEntries(s), model);
      if (c instanceof EntryCheck.Unproven u) {
        return invalid(u.reason(), "%s", u.message());
      }
      if (c instanceof EntryCheck.Wrong w && inference) {
        return invalid(
            Reason.WRONG_ENTRY, "%s", InferenceCheck.explain(model, reveal.getEntries(s), w));
      }
      if (c instanceof EntryCheck.Wrong w) {
        return invalid(
            Reason.WRONG_ENTRY,
            "%s[%d][%d] is %d, its row of %s times its column of %s gives %d",
            challenge.output(),
            w.row(),
            w.col(),
            w.claimed(),
            att.getInputs(0).getName(),
            att.getInputs(1).getName(),
            w.computed());
      }
    }
    return valid;
  }

  /**
   * Checks one output entry of a data job's (already checked) attestation: the output row, the left
   * row and the right column must be the entry's, of the right length, and proven against the
   * committed roots; then the entry is compared with the exact dot product.
   */
  public static EntryCheck checkEntry(Attestation att, RevealedEntry e) {
    return checkEntry(att, e, null);
  }

  /**
   * {@link #checkEntry(Attestation, RevealedEntry)} for any data job: an mlp-int8 job's activation
   * is checked against the pool's {@code model} ({@link InferenceCheck#checkEntry}); null for other
   * workloads.
   */
  public static EntryCheck checkEntry(Attestation att, RevealedEntry e, CommittedModel model) {
    DataWorkload data = DataWorkload.parse(att.getWorkload());
    if (data != null && data.usesModel()) {
      if (model == null) {
        return new EntryCheck.Unproven(
            Reason.CHALLENGE_MISMATCH, att.getWorkload() + " entries need the pool's model");
      }
      return InferenceCheck.checkEntry(model, att.getInputs(0), att.getOutputsList(), e);
    }
    if (data == null || att.getOutputsCount() == 0) {
      return new EntryCheck.Unproven(
          Reason.CHALLENGE_MISMATCH, att.getWorkload() + " has no committed outputs");
    }
    CommittedMatrix out = null;
    for (CommittedMatrix o : att.getOutputsList()) {
      if (e.getOutput().isEmpty() ? out == null : o.getName().equals(e.getOutput())) {
        out = o;
      }
    }
    if (out == null) {
      return new EntryCheck.Unproven(
          Reason.REVEAL_MISMATCH, "the job has no output named '" + e.getOutput() + "'");
    }
    long row = Integer.toUnsignedLong(e.getRow());
    long col = Integer.toUnsignedLong(e.getCol());
    if (row >= Integer.toUnsignedLong(out.getRows())
        || col >= Integer.toUnsignedLong(out.getCols())) {
      return new EntryCheck.Unproven(
          Reason.REVEAL_MISMATCH,
          String.format("entry [%d][%d] is outside %s", row, col, MatrixCommitment.describe(out)));
    }
    int[] operands = data.operands(out.getName());
    CommittedMatrix left = att.getInputs(operands[0]);
    CommittedMatrix right = att.getInputs(operands[1]);
    if (e.getOutputRow().getIndex() != e.getRow()
        || e.getLeftRow().getIndex() != e.getRow()
        || e.getRightColumn().getIndex() != e.getCol()) {
      return new EntryCheck.Unproven(
          Reason.REVEAL_MISMATCH,
          String.format(
              "entry [%d][%d] carries vectors %d, %d and %d: they must be its row, its row and"
                  + " its column",
              row,
              col,
              Integer.toUnsignedLong(e.getOutputRow().getIndex()),
              Integer.toUnsignedLong(e.getLeftRow().getIndex()),
              Integer.toUnsignedLong(e.getRightColumn().getIndex())));
    }
    for (Object[] v :
        new Object[][] {
          {out, e.getOutputRow()}, {left, e.getLeftRow()}, {right, e.getRightColumn()}
        }) {
      CommittedMatrix m = (CommittedMatrix) v[0];
      MatrixVector vec = (MatrixVector) v[1];
      String bad = MatrixCommitment.check(m, vec);
      if (bad != null) {
        boolean length = vec.getData().size() != MatrixCommitment.vectorBytes(m);
        return new EntryCheck.Unproven(length ? Reason.MALFORMED_ROW : Reason.BAD_PROOF, bad);
      }
    }
    byte[] a = e.getLeftRow().getData().toByteArray();
    byte[] b = e.getRightColumn().getData().toByteArray();
    int computed = 0;
    for (int t = 0; t < a.length; t++) {
      computed += a[t] * b[t];
    }
    int claimed = MatrixCommitment.int32At(e.getOutputRow().getData().toByteArray(), (int) col);
    return claimed == computed
        ? new EntryCheck.Correct((int) row, (int) col, claimed)
        : new EntryCheck.Wrong((int) row, (int) col, claimed, computed);
  }

  /**
   * Checks that {@code reveal} answers {@code challenge} for {@code signed}'s job and that every
   * revealed row is committed under the output root and equals row i of A x B: exactly for an int8
   * workload, within {@link FloatRowCheck}'s tolerance for an fp32 one.
   */
  public static Verdict verifyReveal(SignedAttestation signed, Challenge challenge, Reveal reveal) {
    Verdict checked = checkAttestation(signed);
    if (!(checked instanceof Verdict.Valid valid)) {
      return checked;
    }
    Attestation att = valid.attestation();
    if (DataWorkload.parse(att.getWorkload()) != null) {
      return invalid(
          Reason.CHALLENGE_MISMATCH,
          "%s is checked by entries (verifyEntryReveal), not rows",
          att.getWorkload());
    }
    Workload workload = Workload.parse(att.getWorkload());
    int n = workload.n();
    if (challenge.jobId() != att.getJobId() || challenge.n() != n) {
      return invalid(
          Reason.CHALLENGE_MISMATCH,
          "challenge is for job %s n=%d, attestation is for job %s n=%d",
          Long.toUnsignedString(challenge.jobId()),
          challenge.n(),
          Long.toUnsignedString(att.getJobId()),
          n);
    }
    if (reveal.getJobId() != att.getJobId()) {
      return invalid(
          Reason.REVEAL_MISMATCH,
          "reveal is for job %s, attestation is for job %s",
          Long.toUnsignedString(reveal.getJobId()),
          Long.toUnsignedString(att.getJobId()));
    }
    int[] rows = challenge.rows();
    if (reveal.getRowsCount() != rows.length) {
      return invalid(
          Reason.REVEAL_MISMATCH,
          "reveal holds %d rows, the challenge asks for %d",
          reveal.getRowsCount(),
          rows.length);
    }
    byte[] root = att.getOutputRoot().toByteArray();
    List<byte[]> rowBytes = new ArrayList<>(rows.length);
    for (int s = 0; s < rows.length; s++) {
      RevealedRow revealed = reveal.getRows(s);
      if (revealed.getIndex() != rows[s]) {
        return invalid(
            Reason.REVEAL_MISMATCH,
            "reveal row %d is row %d, the challenge asks for row %d",
            s,
            Integer.toUnsignedLong(revealed.getIndex()),
            rows[s]);
      }
      byte[] bytes = revealed.getRow().toByteArray();
      if (bytes.length != 4 * n) {
        return invalid(
            Reason.MALFORMED_ROW, "row %d is %d bytes, expected %d", rows[s], bytes.length, 4 * n);
      }
      List<byte[]> aunts = new ArrayList<>(revealed.getAuntsCount());
      revealed.getAuntsList().forEach(a -> aunts.add(a.toByteArray()));
      if (!new RowProof(rows[s], n, aunts).verify(root, bytes)) {
        return invalid(
            Reason.BAD_PROOF, "row %d's Merkle proof does not lead to the output root", rows[s]);
      }
      rowBytes.add(bytes);
    }
    byte[] seed = att.getSeed().toByteArray();
    Verdict rowsChecked =
        switch (workload.kind()) {
          case INT8 -> checkInt8Rows(workload, seed, att.getJobId(), rows, rowBytes);
          case FP32 -> checkFp32Rows(workload, seed, att.getJobId(), rows, rowBytes);
        };
    return rowsChecked == null ? valid : rowsChecked;
  }

  /** Null when every revealed row equals row_i(A) x B exactly, else the first wrong entry. */
  private static Invalid checkInt8Rows(
      Workload workload, byte[] seed, long jobId, int[] rows, List<byte[]> rowBytes) {
    int[][] expected = CpuGemm.seededRows(workload, seed, jobId, rows);
    for (int s = 0; s < rows.length; s++) {
      int column = firstDifference(rowBytes.get(s), expected[s]);
      if (column >= 0) {
        return invalid(
            Reason.WRONG_ROW,
            "row %d column %d is %d, A x B gives %d",
            rows[s],
            column,
            readLittleEndian(rowBytes.get(s), column),
            expected[s][column]);
      }
    }
    return null;
  }

  /**
   * Null when every entry of every revealed row is finite and within {@link FloatRowCheck}'s
   * tolerance of the verifier's own float recomputation, else the first entry outside it.
   */
  private static Invalid checkFp32Rows(
      Workload workload, byte[] seed, long jobId, int[] rows, List<byte[]> rowBytes) {
    int n = workload.n();
    float[] b = Fp32GemmInputs.matrixB(workload, seed, jobId);
    float[][] a = new float[rows.length][];
    for (int s = 0; s < rows.length; s++) {
      a[s] = Fp32GemmInputs.rowOfA(workload, seed, jobId, rows[s]);
    }
    FloatRowCheck.Rows expected = FloatRowCheck.recompute(n, a, b);
    for (int s = 0; s < rows.length; s++) {
      float[] revealed = new float[n];
      for (int j = 0; j < n; j++) {
        revealed[j] = Float.intBitsToFloat(readLittleEndian(rowBytes.get(s), j));
      }
      float[] r = expected.values()[s];
      double[] tol = expected.tolerances()[s];
      int column = FloatRowCheck.firstViolation(revealed, r, tol);
      if (column >= 0) {
        return invalid(
            Reason.WRONG_ROW,
            "row %d column %d is %s, A x B gives %s within a tolerance of %s",
            rows[s],
            column,
            Float.toString(revealed[column]),
            Float.toString(r[column]),
            Double.toString(tol[column]));
      }
    }
    return null;
  }

  private static int firstDifference(byte[] rowBytes, int[] expected) {
    for (int j = 0; j < expected.length; j++) {
      if (readLittleEndian(rowBytes, j) != expected[j]) {
        return j;
      }
    }
    return -1;
  }

  private static int readLittleEndian(byte[] b, int column) {
    int at = 4 * column;
    return (b[at] & 0xff)
        | ((b[at + 1] & 0xff) << 8)
        | ((b[at + 2] & 0xff) << 16)
        | ((b[at + 3] & 0xff) << 24);
  }

  private static Invalid invalid(Reason reason, String format, Object... args) {
    return new Invalid(reason, String.format(java.util.Locale.ROOT, format, args));
  }
}
