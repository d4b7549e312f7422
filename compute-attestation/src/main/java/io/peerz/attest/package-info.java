/**
 * Compute attestation: hardware classes, seeded workloads, the executor's commitment to its output,
 * commit / challenge / reveal and verification (row spot checks, Freivalds).
 *
 * <p>Public surface: {@link io.peerz.attest.HardwareClass}, {@link io.peerz.attest.Workload},
 * {@link io.peerz.attest.GemmInputs}, {@link io.peerz.attest.Fp32GemmInputs}, {@link
 * io.peerz.attest.CpuGemm}, {@link io.peerz.attest.FloatRowCheck}, {@link
 * io.peerz.attest.OutputCommitment}, {@link io.peerz.attest.RowProof}, {@link
 * io.peerz.attest.Attestations}, {@link io.peerz.attest.Challenge}, {@link
 * io.peerz.attest.Verifier}, {@link io.peerz.attest.Verdict}, {@link io.peerz.attest.Freivalds};
 * for data jobs on the buyer's own matrices {@link io.peerz.attest.NpyFile} (with {@link
 * io.peerz.attest.NpyDtype}, {@link io.peerz.attest.NpyFormatException}, {@link
 * io.peerz.attest.Int8Matrix}, {@link io.peerz.attest.Int32Matrix}), {@link
 * io.peerz.attest.MatrixCommitment}, {@link io.peerz.attest.GemmCommitments}, {@link
 * io.peerz.attest.DataWorkload}, {@link io.peerz.attest.EntryChallenge} and {@link
 * io.peerz.attest.EntryCheck}; the mlp-int8 model and its arithmetic ({@link
 * io.peerz.attest.SafetensorsFile}, {@link io.peerz.attest.QuantizedMlp}, {@link
 * io.peerz.attest.QuantizedLayer}, {@link io.peerz.attest.Requantization}, {@link
 * io.peerz.attest.ModelCommitment}, {@link io.peerz.attest.Int8Gemm}) and its jobs ({@link
 * io.peerz.attest.InferenceCommitments}, {@link io.peerz.attest.InferenceCheck}); and the generated
 * wire types in {@code io.peerz.attest.proto} (Attestation, SignedAttestation, Reveal, RevealedRow,
 * CommittedMatrix, MatrixVector, RevealedEntry, EntryReveal, PostedRows, CommittedModel,
 * LayerScalars). The format and its soundness are in docs/attestation.md.
 */
package io.peerz.attest;
