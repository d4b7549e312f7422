package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.attest.proto.Attestation;
import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.RevealedEntry;
import io.peerz.attest.proto.SignedAttestation;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InferenceCheckTest {
  private static QuantizedMlp model;
  private static ModelCommitment committed;
  private static Int8Matrix x;

  @BeforeAll
  static void load() throws Exception {
    Path repo = SafetensorsFileTest.repo();
    model = QuantizedMlp.read(repo.resolve("models/digits-mlp-int8.safetensors"));
    committed = ModelCommitment.of(model);
    byte[] all = NpyFile.readInt8(repo.resolve("models/digits-test-images.npy")).data();
    x = new Int8Matrix(20, 64, Arrays.copyOf(all, 20 * 64));
  }

  @Test
  void everyChallengedActivationOfAnHonestRunChecks() {
    List<QuantizedLayer.Result> results = model.forward(x.rows(), x.data(), CpuGemm::multiply);
    InferenceCommitments c = InferenceCommitments.of(committed, x, results);
    CommittedModel m = committed.committed();
    CommittedMatrix input = c.inputs().get(0);
    assertThat(InferenceCheck.checkInput(m, input)).isNull();
    List<CommittedMatrix> outputs = c.outputs();
    assertThat(outputs)
        .extracting(CommittedMatrix::getName)
        .containsExactly(
            "layers.0.accumulators",
            "layers.0.outputs",
            "layers.1.accumulators",
            "layers.1.outputs");
    for (int i = 0; i < outputs.size(); i++) {
      assertThat(outputs.get(i).toBuilder().clearRoot().build())
          .isEqualTo(InferenceCheck.outputShapes(m, input).get(i));
    }
    CommittedMatrix shape = InferenceCheck.challengeShape(outputs);
    assertThat(shape.getRows()).isEqualTo(20);
    assertThat(shape.getCols()).isEqualTo(74);
    assertThat(InferenceCheck.layerColumn(outputs, 63)).containsExactly(0, 63);
    assertThat(InferenceCheck.layerColumn(outputs, 64)).containsExactly(1, 0);
    EntryChallenge ch = EntryChallenge.derive(Fixtures.blockHash("b"), 9, shape, 64);
    EntryReveal reveal = c.reveal(ch);
    assertThat(reveal.getEntriesList()).extracting(RevealedEntry::getLayer).contains(0, 1);
    for (RevealedEntry e : reveal.getEntriesList()) {
      assertThat(InferenceCheck.checkEntry(m, input, outputs, e))
          .isInstanceOf(EntryCheck.Correct.class);
    }
    assertThat(InferenceCheck.verifyLayers(model, x, results, Fixtures.SEED, 2))
        .isEqualTo(new InferenceCheck.AllCorrect(2));
  }

  @Test
  void oneChangedHiddenActivationIsFoundByTheBuyerAndProvenByOneEntry() {
    List<QuantizedLayer.Result> honest = model.forward(x.rows(), x.data(), CpuGemm::multiply);
    byte[] hidden = honest.get(0).outputs().clone();
    int at = 7 * 64 + 21;
    hidden[at] = (byte) (hidden[at] == 127 ? 126 : hidden[at] + 1);
    // The cheater runs layer 1 on its changed hidden layer, so the later layer is consistent.
    QuantizedLayer.Result changed =
        new QuantizedLayer.Result(20, 64, honest.get(0).accumulators(), hidden);
    QuantizedLayer.Result next = model.layers().get(1).forward(20, hidden, CpuGemm::multiply);
    List<QuantizedLayer.Result> cheat = List.of(changed, next);

    InferenceCheck.LayersVerdict v = InferenceCheck.verifyLayers(model, x, cheat, Fixtures.SEED, 2);
    assertThat(v)
        .isEqualTo(
            new InferenceCheck.WrongActivation(
                0, 7, 21, "outputs", hidden[at], honest.get(0).outputs()[at]));

    InferenceCommitments c = InferenceCommitments.of(committed, x, cheat);
    RevealedEntry proof = c.entry(0, 7, 21);
    EntryCheck check =
        InferenceCheck.checkEntry(committed.committed(), c.inputs().get(0), c.outputs(), proof);
    assertThat(check).isInstanceOf(EntryCheck.Wrong.class);
    assertThat(InferenceCheck.explain(committed.committed(), proof, (EntryCheck.Wrong) check))
        .startsWith("layers.0.outputs[7][21] is " + hidden[at] + ", requantizing its accumulator");
    // Its neighbours are right.
    assertThat(
            InferenceCheck.checkEntry(
                committed.committed(), c.inputs().get(0), c.outputs(), c.entry(0, 7, 22)))
        .isInstanceOf(EntryCheck.Correct.class);
    assertThat(
            InferenceCheck.checkEntry(
                committed.committed(), c.inputs().get(0), c.outputs(), c.entry(1, 7, 3)))
        .isInstanceOf(EntryCheck.Correct.class);
  }

  @Test
  void aChangedAccumulatorFailsFreivaldsAndItsEntry() {
    List<QuantizedLayer.Result> honest = model.forward(x.rows(), x.data(), CpuGemm::multiply);
    int[] acc = honest.get(1).accumulators().clone();
    acc[13 * 10 + 4] += 1000;
    List<QuantizedLayer.Result> cheat =
        List.of(honest.get(0), new QuantizedLayer.Result(20, 10, acc, honest.get(1).outputs()));
    InferenceCheck.LayersVerdict v = InferenceCheck.verifyLayers(model, x, cheat, Fixtures.SEED, 1);
    assertThat(v).isInstanceOf(InferenceCheck.WrongActivation.class);
    InferenceCheck.WrongActivation w = (InferenceCheck.WrongActivation) v;
    assertThat(List.of(w.layer(), w.row(), w.col(), w.quantity()))
        .containsExactly(1, 13, 4, "accumulators");
    assertThat(w.claimed() - w.computed()).isEqualTo(1000);
    InferenceCommitments c = InferenceCommitments.of(committed, x, cheat);
    RevealedEntry e = c.entry(1, 13, 4);
    EntryCheck check =
        InferenceCheck.checkEntry(committed.committed(), c.inputs().get(0), c.outputs(), e);
    assertThat(InferenceCheck.explain(committed.committed(), e, (EntryCheck.Wrong) check))
        .startsWith("layers.1.accumulators[13][4] is");
  }

  @Test
  void anEntryWhoseVectorsDoNotProveOrFitIsUnproven() {
    List<QuantizedLayer.Result> results = model.forward(x.rows(), x.data(), CpuGemm::multiply);
    InferenceCommitments c = InferenceCommitments.of(committed, x, results);
    CommittedModel m = committed.committed();
    CommittedMatrix input = c.inputs().get(0);
    RevealedEntry good = c.entry(1, 2, 3);
    byte[] w = good.getRightColumn().getData().toByteArray();
    w[0]++;
    assertUnproven(
        m,
        input,
        c.outputs(),
        good.toBuilder()
            .setRightColumn(good.getRightColumn().toBuilder().setData(ByteString.copyFrom(w)))
            .build(),
        Verdict.Reason.BAD_PROOF);
    assertUnproven(
        m,
        input,
        c.outputs(),
        good.toBuilder().setBias(c.entry(1, 2, 4).getBias()).build(),
        Verdict.Reason.REVEAL_MISMATCH);
    assertUnproven(
        m,
        input,
        c.outputs(),
        good.toBuilder().setLeftRow(c.entry(0, 2, 3).getLeftRow()).build(),
        Verdict.Reason.BAD_PROOF);
    assertUnproven(
        m,
        input,
        c.outputs(),
        good.toBuilder().setAccumulatorRow(good.getOutputRow()).build(),
        Verdict.Reason.MALFORMED_ROW);
    assertUnproven(
        m,
        input,
        c.outputs(),
        good.toBuilder().setLayer(2).build(),
        Verdict.Reason.REVEAL_MISMATCH);
    assertUnproven(
        m, input, c.outputs(), good.toBuilder().setCol(10).build(), Verdict.Reason.REVEAL_MISMATCH);
    assertUnproven(
        m,
        input,
        c.outputs(),
        good.toBuilder().setOutput("layers.0.outputs").build(),
        Verdict.Reason.REVEAL_MISMATCH);
  }

  @Test
  void aSignedRevealVerifiesForTheHonestRunAndNotForTheCheater() {
    List<QuantizedLayer.Result> honest = model.forward(x.rows(), x.data(), CpuGemm::multiply);
    InferenceCommitments c = InferenceCommitments.of(committed, x, honest);
    SignedAttestation signed = attest(c);
    assertThat(Verifier.checkAttestation(signed).isValid()).isTrue();
    EntryChallenge ch =
        EntryChallenge.derive(
            Fixtures.blockHash("r"),
            Fixtures.JOB_ID,
            InferenceCheck.challengeShape(c.outputs()),
            16);
    CommittedModel m = committed.committed();
    assertThat(Verifier.verifyEntryReveal(signed, ch, c.reveal(ch), m).isValid()).isTrue();
    // Entries of another challenge do not answer this one.
    EntryChallenge other =
        EntryChallenge.derive(
            Fixtures.blockHash("s"),
            Fixtures.JOB_ID,
            InferenceCheck.challengeShape(c.outputs()),
            16);
    assertThat(
            ((Verdict.Invalid) Verifier.verifyEntryReveal(signed, ch, c.reveal(other), m)).reason())
        .isEqualTo(Verdict.Reason.REVEAL_MISMATCH);

    // A cheater that zeroes the whole hidden layer of row 5 and commits to it.
    byte[] hidden = honest.get(0).outputs().clone();
    Arrays.fill(hidden, 5 * 64, 6 * 64, (byte) 0);
    List<QuantizedLayer.Result> cheat =
        List.of(
            new QuantizedLayer.Result(20, 64, honest.get(0).accumulators(), hidden),
            model.layers().get(1).forward(20, hidden, CpuGemm::multiply));
    InferenceCommitments bad = InferenceCommitments.of(committed, x, cheat);
    RevealedEntry e = bad.entry(0, 5, 0);
    assertThat(Verifier.checkEntry(Verifier.decode(attest(bad)), e, m))
        .isInstanceOf(EntryCheck.Wrong.class);
    // The first block hash whose challenge samples a changed activation (row 5, hidden layer).
    EntryChallenge hit = null;
    for (int i = 0; hit == null; i++) {
      EntryChallenge t =
          EntryChallenge.derive(
              Fixtures.blockHash("hit" + i),
              Fixtures.JOB_ID,
              InferenceCheck.challengeShape(bad.outputs()),
              16);
      for (int s = 0; s < 16; s++) {
        if (t.rows()[s] == 5
            && t.cols()[s] < 64
            && hidden[5 * 64 + t.cols()[s]] != honest.get(0).outputs()[5 * 64 + t.cols()[s]]) {
          hit = t;
        }
      }
    }
    Verdict v = Verifier.verifyEntryReveal(attest(bad), hit, bad.reveal(hit), m);
    assertThat(((Verdict.Invalid) v).reason()).isEqualTo(Verdict.Reason.WRONG_ENTRY);
    assertThat(((Verdict.Invalid) v).message()).startsWith("layers.0.outputs[5][");
    assertThat(Verifier.checkAttestation(attest(bad)).isValid()).isTrue();
  }

  private static SignedAttestation attest(InferenceCommitments c) {
    Attestation att =
        Fixtures.attestation(new Workload(64), new byte[32], Fixtures.JOB_ID, new byte[32])
            .toBuilder()
            .setWorkload("mlp-int8")
            .clearSeed()
            .clearOutputRoot()
            .addAllInputs(c.inputs())
            .addAllOutputs(c.outputs())
            .build();
    return Attestations.sign(att, Fixtures.EXECUTOR);
  }

  @Test
  void anInputOfTheWrongWidthIsRefused() {
    CommittedMatrix wide =
        InferenceCommitments.input(new Int8Matrix(2, 65, new byte[130])).committed();
    assertThat(InferenceCheck.checkInput(committed.committed(), wide))
        .isEqualTo("x is 2 x 65 but the pool's model takes rows of 64 features");
  }

  private static void assertUnproven(
      CommittedModel m,
      CommittedMatrix x,
      List<CommittedMatrix> outputs,
      RevealedEntry e,
      Verdict.Reason reason) {
    EntryCheck c = InferenceCheck.checkEntry(m, x, outputs, e);
    assertThat(c).isInstanceOf(EntryCheck.Unproven.class);
    assertThat(((EntryCheck.Unproven) c).reason()).isEqualTo(reason);
  }
}
