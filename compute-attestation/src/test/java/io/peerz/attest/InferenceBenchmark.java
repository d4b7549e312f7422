package io.peerz.attest;

import io.peerz.attest.proto.CommittedMatrix;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.attest.proto.EntryReveal;
import io.peerz.attest.proto.RevealedEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One mlp-int8 job of the shipped digits model at a batch size: the executor's run and commitments,
 * the chain's check of a 16-activation reveal, and the buyer's full check (roots of the downloaded
 * layers, Freivalds per layer, every requantization). Run through {@link InferenceBenchmarkMain},
 * never from mvn test; the command is in docs/BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class InferenceBenchmark {
  @Param({"1", "64", "512", "4096"})
  int batch;

  @Param("16")
  int entries;

  private QuantizedMlp model;
  private ModelCommitment committed;
  private Int8Matrix x;
  private List<QuantizedLayer.Result> results;
  private CommittedModel stated;
  private CommittedMatrix input;
  private List<CommittedMatrix> outputs;
  private EntryReveal reveal;

  /** Loads the model, repeats the 200 test images to the batch, runs and commits once. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path repo = SafetensorsFileTest.repo();
    model = QuantizedMlp.read(repo.resolve("models/digits-mlp-int8.safetensors"));
    committed = ModelCommitment.of(model);
    stated = committed.committed();
    Int8Matrix shipped = NpyFile.readInt8(repo.resolve("models/digits-test-images.npy"));
    byte[] images = shipped.data();
    byte[] data = new byte[batch * shipped.cols()];
    for (int at = 0; at < data.length; at += images.length) {
      System.arraycopy(images, 0, data, at, Math.min(images.length, data.length - at));
    }
    x = new Int8Matrix(batch, shipped.cols(), data);
    results = model.forward(batch, data, CpuGemm::multiply);
    InferenceCommitments c = InferenceCommitments.of(committed, x, results);
    input = c.inputs().get(0);
    outputs = c.outputs();
    CommittedMatrix all = InferenceCheck.challengeShape(outputs);
    int count = (int) Math.min(entries, (long) all.getRows() * all.getCols());
    reveal = c.reveal(EntryChallenge.derive(Fixtures.blockHash("bench"), 1, all, count));
    if (!(verifyReveal() instanceof EntryCheck.Correct)
        || !(buyerCheck() instanceof InferenceCheck.AllCorrect)) {
      throw new IllegalStateException("the honest job does not check");
    }
  }

  /** The executor: every layer (CpuGemm and requantization) and the commitments to x and them. */
  @Benchmark
  public List<CommittedMatrix> execute() {
    List<QuantizedLayer.Result> r = model.forward(batch, x.data(), CpuGemm::multiply);
    return InferenceCommitments.of(committed, x, r).outputs();
  }

  /** Running every layer again (what a buyer without the commitments would do), no commitments. */
  @Benchmark
  public List<QuantizedLayer.Result> recompute() {
    return model.forward(batch, x.data(), CpuGemm::multiply);
  }

  /** A validator: every revealed activation's proofs and its exact recomputation. */
  @Benchmark
  public EntryCheck verifyReveal() {
    EntryCheck last = null;
    for (RevealedEntry e : reveal.getEntriesList()) {
      last = InferenceCheck.checkEntry(stated, input, outputs, e);
      if (!(last instanceof EntryCheck.Correct)) {
        return last;
      }
    }
    return last;
  }

  /**
   * The buyer: the roots of the downloaded layers (to match the executor's commitments), then
   * Freivalds (2 rounds) on every layer and every requantization.
   */
  @Benchmark
  public InferenceCheck.LayersVerdict buyerCheck() {
    InferenceCommitments.of(committed, x, results).outputs();
    return InferenceCheck.verifyLayers(model, x, results, Fixtures.SEED, 2);
  }
}
