package io.peerz.attest;

import io.peerz.attest.proto.Attestation;

/** The outcome of checking an attestation or a reveal: valid, or invalid with a reason. */
public sealed interface Verdict permits Verdict.Valid, Verdict.Invalid {

  /** True for {@link Valid}. */
  default boolean isValid() {
    return this instanceof Valid;
  }

  /** The check passed; carries the decoded attestation. */
  record Valid(Attestation attestation) implements Verdict {}

  /** The check failed: a reason callers branch on and a message that names the specifics. */
  record Invalid(Reason reason, String message) implements Verdict {}

  /** Why a check failed; codes are stable (codespace {@code attest} in docs/errors.md). */
  enum Reason {
    /** The attestation bytes do not decode, are not canonical, or a field is out of range. */
    MALFORMED_ATTESTATION(1),
    /** The executor's signature does not verify. */
    BAD_SIGNATURE(2),
    /** The challenge is for another job or another matrix size. */
    CHALLENGE_MISMATCH(3),
    /** The reveal is for another job or does not hold exactly the challenged rows in order. */
    REVEAL_MISMATCH(4),
    /** A revealed row is not 4n bytes. */
    MALFORMED_ROW(5),
    /** A row's Merkle proof does not lead to the committed output root. */
    BAD_PROOF(6),
    /** A revealed row differs from the recomputed row of A x B. */
    WRONG_ROW(7),
    /** A revealed output entry differs from the dot product of its committed row and column. */
    WRONG_ENTRY(8);

    private final int code;

    Reason(int code) {
      this.code = code;
    }

    /** The stable numeric code. */
    public int code() {
      return code;
    }
  }
}
