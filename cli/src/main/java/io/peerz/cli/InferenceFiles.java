package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.peerz.attest.InferenceCommitments;
import io.peerz.attest.Int32Matrix;
import io.peerz.attest.Int8Matrix;
import io.peerz.attest.MatrixCommitment;
import io.peerz.attest.ModelCommitment;
import io.peerz.attest.ModelFormatException;
import io.peerz.attest.QuantizedLayer;
import io.peerz.attest.QuantizedMlp;
import io.peerz.attest.proto.CommittedModel;
import io.peerz.gpu.data.DataClient;
import io.peerz.gpu.data.DataTransferException;
import io.peerz.ledger.Hex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The buyer's files of an mlp-int8 job: the pool's model (a given file, or fetched once from the
 * pool's URL into {@code <home>/models/}), checked against the root the pool commits to; and the
 * job's layers, downloaded from the executor into {@code <home>/jobs/<id>/} and checked against the
 * roots it committed.
 */
final class InferenceFiles {
  private InferenceFiles() {}

  /** A model file, read and checked, or a CliException naming what is wrong with it. */
  static QuantizedMlp readModel(Path file) {
    try {
      return QuantizedMlp.read(file);
    } catch (ModelFormatException e) {
      throw new CliException(file + " is not a valid mlp-int8 model: " + e.getMessage());
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** The pool's JSON, or a CliException. */
  static JsonNode pool(RpcClient rpc, long id) {
    RpcClient.QueryAnswer a = rpc.abciQuery("/pool/" + id);
    if (!a.ok()) {
      throw new CliException("pool " + id + ": " + a.log());
    }
    return Json.parse(a.value(), "/pool/" + id);
  }

  /** The model commitment an mlp-int8 pool states. */
  static CommittedModel committedModel(JsonNode pool) {
    String bytes = pool.path("model_commitment").path("bytes").asText("");
    if (bytes.isEmpty()) {
      throw new CliException(
          "pool "
              + pool.path("id").asText()
              + " runs "
              + pool.path("workload").asText()
              + ", not mlp-int8: it has no model");
    }
    try {
      return CommittedModel.parseFrom(Base64.getDecoder().decode(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new CliException("pool " + pool.path("id").asText() + "'s model does not decode");
    }
  }

  /**
   * The pool's model: {@code given}, or the file at the pool's URL (kept under {@code
   * <home>/models/<root>.safetensors}); either way its commitment must be the pool's.
   */
  static QuantizedMlp poolModel(Path home, JsonNode pool, Path given) {
    CommittedModel stated = committedModel(pool);
    String root = Hex.encodeUpper(stated.getRoot().toByteArray());
    Path file = given;
    if (file == null) {
      file = home.resolve("models").resolve(root + ".safetensors");
      if (!Files.isRegularFile(file)) {
        String url = pool.path("model_commitment").path("url").asText();
        try {
          Files.createDirectories(file.getParent());
          Path part = file.resolveSibling(root + ".part");
          new DataClient(Duration.ofMinutes(2))
              .fetch(
                  URI.create(url), part, pool.path("model_commitment").path("file_bytes").asLong());
          Files.move(part, file);
        } catch (DataTransferException | IOException e) {
          throw new CliException(
              "cannot fetch pool "
                  + pool.path("id").asText()
                  + "'s model from "
                  + url
                  + ": "
                  + e.getMessage()
                  + " (or give the file with --model)");
        }
      }
    }
    QuantizedMlp model = readModel(file);
    if (!ModelCommitment.of(model).committed().equals(stated)) {
      throw new CliException(
          file
              + " is not the model pool "
              + pool.path("id").asText()
              + " commits to (root "
              + root.substring(0, 16)
              + "...)");
    }
    return model;
  }

  /** Where fetch keeps a job's layers: {@code <home>/jobs/<id>/}. */
  static Path layersDir(Path home, long id) {
    return home.resolve("jobs").resolve(Long.toString(id));
  }

  /**
   * Downloads every committed layer file of the job from its executor into {@code dir} and checks
   * each against its committed root; the layers, in order.
   */
  static List<QuantizedLayer.Result> downloadLayers(JsonNode job, long id, Path dir) {
    String url = job.path("data_url").asText();
    JsonNode outputs = job.path("outputs");
    DataClient client = new DataClient(Duration.ofMinutes(5));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (JsonNode o : outputs) {
      String name = o.path("name").asText() + ".npy";
      Path file = dir.resolve(name);
      try {
        Files.deleteIfExists(file);
        client.download(URI.create(url), id, name, file);
      } catch (DataTransferException e) {
        throw new CliException(
            "cannot download "
                + name
                + " of job "
                + id
                + " from "
                + url
                + ": "
                + e.getMessage()
                + (job.path("status").asText().equals("verified")
                    ? "; ask for rows on chain: peerz tx request-rows "
                        + id
                        + " --matrix "
                        + o.path("name").asText()
                        + " --rows 0"
                    : ""));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return readLayers(job, dir);
  }

  /** The job's layers from {@code dir}, each checked against its committed root. */
  static List<QuantizedLayer.Result> readLayers(JsonNode job, Path dir) {
    JsonNode outputs = job.path("outputs");
    List<QuantizedLayer.Result> out = new ArrayList<>();
    for (int l = 0; 2 * l + 1 < outputs.size(); l++) {
      Path accFile = dir.resolve(InferenceCommitments.accumulatorsName(l) + ".npy");
      Path outFile = dir.resolve(InferenceCommitments.outputsName(l) + ".npy");
      Int32Matrix acc = JobCommand.readInt32(accFile);
      Int8Matrix y = JobCommand.readInt8(outFile);
      JobCommand.sameRoot(
          outputs.get(2 * l),
          MatrixCommitment.int32Rows(
                  InferenceCommitments.accumulatorsName(l), acc.rows(), acc.cols(), acc.data())
              .root(),
          accFile);
      JobCommand.sameRoot(
          outputs.get(2 * l + 1),
          MatrixCommitment.int8Rows(
                  InferenceCommitments.outputsName(l), y.rows(), y.cols(), y.data())
              .root(),
          outFile);
      out.add(new QuantizedLayer.Result(acc.rows(), acc.cols(), acc.data(), y.data()));
    }
    return out;
  }
}
