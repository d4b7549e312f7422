package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.attest.Activation;
import io.peerz.attest.Attestations;
import io.peerz.attest.CpuGemm;
import io.peerz.attest.EntryChallenge;
import io.peerz.attest.InferenceCheck;
import io.peerz.attest.InferenceCommitments;
import io.peerz.attest.Int8Matrix;
import io.peerz.attest.ModelCommitment;
import io.peerz.attest.QuantizedLayer;
import io.peerz.attest.QuantizedMlp;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.SignedAttestation;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.JobInput;
import io.peerz.ledger.proto.MsgCommitResult;
import io.peerz.ledger.proto.MsgCreatePool;
import io.peerz.ledger.proto.MsgDisputeEntry;
import io.peerz.ledger.proto.MsgRevealEntries;
import io.peerz.ledger.proto.MsgSetDataUrl;
import io.peerz.ledger.proto.MsgSubmitJob;
import io.peerz.ledger.proto.TxResult;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobStatus;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * mlp-int8 jobs on the chain: a pool that commits to a quantized model, jobs on the buyer's batch,
 * activations sampled over every layer and recomputed from the committed input row, weights, bias
 * and requantization, one wrong hidden activation proven by a dispute, and each bad model or input
 * refused with nothing changed.
 */
class InferenceMarketTest {
  static final int HALF = 1 << 30;
  static final int ROWS = 12;

  final MarketFixture f = new MarketFixture(DataMarketTest.PARAMS);
  final TestChain chain = f.chain;
  final QuantizedMlp model = model();
  final ModelCommitment committed = ModelCommitment.of(model);
  final Int8Matrix x = DataMarketTest.random(ROWS, 6, 3);
  final List<QuantizedLayer.Result> results = model.forward(ROWS, x.data(), CpuGemm::multiply);
  final InferenceCommitments honest = InferenceCommitments.of(committed, x, results);

  /** 6 -> 5 (per channel, ReLU) -> 3 (per tensor). */
  static QuantizedMlp model() {
    SplittableRandom r = new SplittableRandom(11);
    byte[] w0 = new byte[30];
    byte[] w1 = new byte[15];
    for (int i = 0; i < w0.length; i++) {
      w0[i] = (byte) r.nextInt(-127, 128);
    }
    for (int i = 0; i < w1.length; i++) {
      w1[i] = (byte) r.nextInt(-127, 128);
    }
    QuantizedLayer l0 =
        new QuantizedLayer(
            6,
            5,
            w0,
            new int[] {100, -50, 0, 7, 3000},
            new int[] {HALF, HALF + 9, HALF * 2 - 1, HALF, HALF + 77},
            new int[] {-8, -9, -8, -7, -10},
            -2,
            -128,
            Activation.RELU);
    QuantizedLayer l1 =
        new QuantizedLayer(
            5,
            3,
            w1,
            new int[] {-1, 2, 40},
            new int[] {HALF + 12345},
            new int[] {-7},
            -128,
            5,
            Activation.NONE);
    return new QuantizedMlp(List.of(l0, l1));
  }

  MsgCreatePool.Builder mlpPool(CommittedModel m) {
    return MarketFixture.pool("", 5)
        .setWorkload("mlp-int8")
        .setModelCommitment(m.toByteString())
        .setModelUrl("http://127.0.0.1:8000/model.safetensors")
        .setModelFileBytes(4096);
  }

  /** Executors 0 and 1 benchmarked, with data endpoints, in an mlp-int8 pool (1 slot each). */
  void market() {
    for (int i = 0; i < 2; i++) {
      f.registerAndBenchmark(i);
      int e = i;
      chain.ok(
          f.exec[i],
          tx -> tx.setSetDataUrl(MsgSetDataUrl.newBuilder().setDataUrl("http://127.0.0.1:90" + e)));
    }
    chain.ok(f.queen, tx -> tx.setCreatePool(mlpPool(committed.committed())));
    f.join(0, 1);
    f.join(1, 1);
  }

  MsgSubmitJob.Builder submission(CommittedMatrix in) {
    return MsgSubmitJob.newBuilder()
        .setPoolId(1)
        .setMaxBudget(40)
        .addInputs(
            JobInput.newBuilder()
                .setName(in.getName())
                .setRows(in.getRows())
                .setCols(in.getCols())
                .setRoot(in.getRoot())
                .setFileBytes(128L + (long) in.getRows() * in.getCols()));
  }

  long submit() {
    TxResult r = chain.ok(f.alice, tx -> tx.setSubmitJob(submission(honest.inputs().get(0))));
    return Long.parseLong(EpochFlowTest.attr(r.getEventsList(), "job_submitted", "job_id"));
  }

  void commit(int i, long id, InferenceCommitments c) {
    Job job = f.job(id);
    Attestation att =
        Attestation.newBuilder()
            .setJobId(id)
            .setExecutorPubKey(ByteString.copyFrom(f.exec[i].publicKey()))
            .setSubnetId(job.getSubnetId())
            .setNodeId(job.getNodeId())
            .setWorkload("mlp-int8")
            .addAllInputs(c.inputs())
            .addAllOutputs(c.outputs())
            .setStartedHeight(job.getAssignedHeight())
            .setFinishedHeight(chain.height)
            .setWorkedMillis(10)
            .build();
    SignedAttestation s = Attestations.sign(att, f.exec[i]);
    chain.ok(
        f.exec[i],
        tx ->
            tx.setCommitResult(
                MsgCommitResult.newBuilder().setJobId(id).setSignedAttestation(s.toByteString())));
  }

  EntryChallenge challenge(long id) {
    Job j = f.job(id);
    return EntryChallenge.derive(
        j.getChallengeBlockHash().toByteArray(),
        id,
        InferenceCheck.challengeShape(j.getOutputsList()),
        j.getChallengeRowsCount());
  }

  /** The challenge a commit in the next block will get (TestChain's block hashes). */
  EntryChallenge nextChallenge(long id) {
    return EntryChallenge.derive(
        Sha256.hash(Keys.u64(chain.height + 2)),
        id,
        InferenceCheck.challengeShape(honest.outputs()),
        8);
  }

  TxResult work(int i, long id, InferenceCommitments c) {
    commit(i, id, c);
    chain.block();
    var reveal = c.reveal(challenge(id));
    return chain.run(
        f.exec[i],
        tx ->
            tx.setRevealEntries(
                MsgRevealEntries.newBuilder().setJobId(id).setReveal(reveal.toByteString())));
  }

  /** A cheater whose hidden activation [row][col] is off by one, layer 1 run on it. */
  InferenceCommitments cheat(int row, int col) {
    byte[] hidden = results.get(0).outputs().clone();
    hidden[row * 5 + col] = (byte) (hidden[row * 5 + col] == 127 ? 126 : hidden[row * 5 + col] + 1);
    return InferenceCommitments.of(
        committed,
        x,
        List.of(
            new QuantizedLayer.Result(ROWS, 5, results.get(0).accumulators(), hidden),
            model.layers().get(1).forward(ROWS, hidden, CpuGemm::multiply)));
  }

  @Test
  void anHonestJobIsVerifiedFromActivationsOfEveryLayer() {
    market();
    assertThat(chain.query("/pool/1").get("model_commitment").get("root").asText())
        .isEqualTo(io.peerz.ledger.Hex.encodeUpper(committed.root()));
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    assertThat(f.job(id).getMultiplyAdds()).isEqualTo(ROWS * (6 * 5 + 5 * 3));
    TxResult r = work(who, id, honest);
    assertThat(r.getCode()).as(r.getLog()).isZero();
    Job verified = f.job(id);
    assertThat(verified.getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
    assertThat(verified.getOutputsList()).isEqualTo(honest.outputs());
    assertThat(verified.getChallengeColsList()).isNotEmpty().allMatch(c -> c < 8);
    chain.advanceTo(verified.getPayoutHeight());
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_PAID);
  }

  @Test
  void aSampledWrongActivationIsSlashedAtReveal() {
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    EntryChallenge ch = nextChallenge(id);
    int s = 0;
    while (ch.cols()[s] >= 5) {
      s++;
    }
    long stake = f.node(who).getStake();
    TxResult r = work(who, id, cheat(ch.rows()[s], ch.cols()[s]));
    assertThat(r.getCode()).as(r.getLog()).isZero();
    assertThat(EpochFlowTest.attr(r.getEventsList(), "job_slashed", "reason"))
        .isEqualTo("wrong_reveal");
    assertThat(f.node(who).getStake()).isLessThan(stake);
    assertThat(f.job(id).getAttempts(0).getDetail())
        .contains("WRONG_ENTRY")
        .contains("layers.0.outputs[" + ch.rows()[s] + "][" + ch.cols()[s] + "]");
  }

  @Test
  void aWrongHiddenActivationIsProvenByOneDisputeAndACorrectOneCostsTheFee() {
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    EntryChallenge ch = nextChallenge(id);
    int row = -1;
    int col = -1;
    for (int r = 0; r < ROWS && row < 0; r++) {
      for (int c = 0; c < 5 && row < 0; c++) {
        boolean sampled = false;
        for (int s = 0; s < ch.size(); s++) {
          sampled |= ch.rows()[s] == r && ch.cols()[s] == c;
        }
        if (!sampled) {
          row = r;
          col = c;
        }
      }
    }
    InferenceCommitments bad = cheat(row, col);
    assertThat(work(who, id, bad).getCode()).isZero();
    assertThat(f.job(id).getStatus()).isEqualTo(JobStatus.JOB_STATUS_VERIFIED);
    int r0 = row;
    int c0 = col;
    chain.rejects(
        f.alice,
        tx -> tx.setDisputeEntry(dispute(id, bad.entry(0, (r0 + 1) % ROWS, c0))),
        ErrorCode.DISPUTE_ENTRY_CORRECT);
    chain.rejects(
        f.alice,
        tx -> tx.setDisputeEntry(dispute(id, honest.entry(0, r0, c0))),
        ErrorCode.DISPUTE_UNPROVEN);
    long stake = f.node(who).getStake();
    TxResult proven =
        chain.ok(f.alice, tx -> tx.setDisputeEntry(dispute(id, bad.entry(0, r0, c0))));
    assertThat(EpochFlowTest.attr(proven.getEventsList(), "job_disputed", "row"))
        .isEqualTo(Integer.toString(row));
    Job disputed = f.job(id);
    assertThat(disputed.getStatus()).isEqualTo(JobStatus.JOB_STATUS_DISPUTED);
    assertThat(disputed.getRefund()).isEqualTo(40);
    assertThat(f.node(who).getStake()).isLessThan(stake);
    assertThat(disputed.getAttempts(disputed.getAttemptsCount() - 1).getDetail())
        .contains("layers.0.outputs[" + row + "][" + col + "]");
  }

  MsgDisputeEntry.Builder dispute(long id, io.peerz.attest.proto.RevealedEntry e) {
    return MsgDisputeEntry.newBuilder().setJobId(id).setEntry(e.toByteString());
  }

  @Test
  void eachBadModelIsRefusedAtPoolCreationWithNothingChanged() {
    CommittedModel good = committed.committed();
    chain.rejects(
        f.queen,
        tx -> tx.setCreatePool(mlpPool(good).clearModelCommitment()),
        ErrorCode.INVALID_MODEL_COMMITMENT);
    chain.rejects(
        f.queen,
        tx -> tx.setCreatePool(mlpPool(good).setModelCommitment(ByteString.copyFromUtf8("junk"))),
        ErrorCode.INVALID_MODEL_COMMITMENT);
    TxResult lying =
        chain.rejects(
            f.queen,
            tx ->
                tx.setCreatePool(
                    mlpPool(good.toBuilder().setRoot(ByteString.copyFrom(new byte[32])).build())),
            ErrorCode.INVALID_MODEL_COMMITMENT);
    assertThat(lying.getLog()).contains("not the root over the stated tensors");
    TxResult chain2 =
        chain.rejects(
            f.queen,
            tx ->
                tx.setCreatePool(
                    mlpPool(
                        good.toBuilder()
                            .setLayers(1, good.getLayers(1).toBuilder().setInputZeroPoint(4))
                            .build())),
            ErrorCode.INVALID_MODEL_COMMITMENT);
    assertThat(chain2.getLog()).contains("zero points do not chain");
    TxResult zp =
        chain.rejects(
            f.queen,
            tx ->
                tx.setCreatePool(
                    mlpPool(
                        good.toBuilder()
                            .setLayers(0, good.getLayers(0).toBuilder().setInputZeroPoint(300))
                            .build())),
            ErrorCode.INVALID_MODEL_COMMITMENT);
    assertThat(zp.getLog()).contains("-128..127");
    chain.rejects(
        f.queen,
        tx -> tx.setCreatePool(mlpPool(good).setModelUrl("ftp://x")),
        ErrorCode.INVALID_MODEL_COMMITMENT);
    chain.rejects(
        f.queen,
        tx -> tx.setCreatePool(mlpPool(good).setModelFileBytes(0)),
        ErrorCode.INVALID_MODEL_COMMITMENT);
    chain.rejects(
        f.queen,
        tx -> tx.setCreatePool(DataMarketTest.gemmPool().setModelCommitment(good.toByteString())),
        ErrorCode.INVALID_MODEL_COMMITMENT);
  }

  @Test
  void anInputThatDoesNotFitTheModelIsRefusedAtSubmission() {
    market();
    CommittedMatrix wide =
        InferenceCommitments.input(DataMarketTest.random(ROWS, 7, 4)).committed();
    TxResult r =
        chain.rejects(f.alice, tx -> tx.setSubmitJob(submission(wide)), ErrorCode.INVALID_INPUTS);
    assertThat(r.getLog()).contains("takes rows of 6 features");
    CommittedMatrix named = honest.inputs().get(0).toBuilder().setName("a").build();
    chain.rejects(f.alice, tx -> tx.setSubmitJob(submission(named)), ErrorCode.INVALID_INPUTS);
    chain.rejects(
        f.alice,
        tx ->
            tx.setSubmitJob(
                submission(honest.inputs().get(0))
                    .addInputs(submission(honest.inputs().get(0)).getInputs(0))),
        ErrorCode.INVALID_INPUTS);
  }

  @Test
  void outputsThatAreNotTheModelsLayersAreRefusedAtCommit() {
    market();
    long id = submit();
    chain.block();
    int who = f.assignee(id);
    // The layers of another model (a wider hidden layer) do not fit this pool's.
    QuantizedMlp other = new QuantizedMlp(List.of(model.layers().get(0)));
    InferenceCommitments oneLayer =
        InferenceCommitments.of(
            ModelCommitment.of(other), x, other.forward(ROWS, x.data(), CpuGemm::multiply));
    Job job = f.job(id);
    Attestation att =
        Attestation.newBuilder()
            .setJobId(id)
            .setExecutorPubKey(ByteString.copyFrom(f.exec[who].publicKey()))
            .setSubnetId(job.getSubnetId())
            .setNodeId(job.getNodeId())
            .setWorkload("mlp-int8")
            .addAllInputs(oneLayer.inputs())
            .addAllOutputs(oneLayer.outputs())
            .setStartedHeight(job.getAssignedHeight())
            .setFinishedHeight(chain.height)
            .setWorkedMillis(10)
            .build();
    SignedAttestation s = Attestations.sign(att, f.exec[who]);
    TxResult r =
        chain.rejects(
            f.exec[who],
            tx ->
                tx.setCommitResult(
                    MsgCommitResult.newBuilder()
                        .setJobId(id)
                        .setSignedAttestation(s.toByteString())),
            ErrorCode.ATTESTATION_MISMATCH);
    assertThat(r.getLog()).contains("not the pool's model's layers");
  }
}
