package io.peerz.gpu.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the executor daemon has sent for each job it accepted, in {@code
 * <home>/data/executor-<address>.json}: written (temp file, then atomic rename) before every tx
 * leaves, so a restarted daemon resends the same commit instead of losing the job; and, for a data
 * job whose attempt ended, the height until which its output stays served.
 */
public final class ExecutorState {
  /**
   * One job's progress: the attestation committed for the assignment at {@code assignedHeight}, and
   * {@code retainUntil} (a data job's output is served until that height; 0 while open).
   */
  public record Entry(
      long jobId,
      long assignedHeight,
      String phase,
      String signedAttestationHex,
      long retainUntil) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final TreeMap<Long, Entry> jobs = new TreeMap<>();

  /** Reads {@code file} when it exists. */
  public ExecutorState(Path file) {
    this.file = file;
    if (Files.isRegularFile(file)) {
      JsonNode root;
      try {
        root = JSON.readTree(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read executor state " + file, e);
      }
      Iterator<Map.Entry<String, JsonNode>> it = root.path("jobs").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode j = f.getValue();
        long id = Long.parseLong(f.getKey());
        jobs.put(
            id,
            new Entry(
                id,
                j.path("assigned_height").asLong(),
                j.path("phase").asText(),
                j.path("signed_attestation").asText(""),
                j.path("retain_until").asLong(0)));
      }
    }
  }

  Entry get(long jobId) {
    return jobs.get(jobId);
  }

  Set<Long> jobIds() {
    return Set.copyOf(jobs.keySet());
  }

  void put(Entry e) {
    jobs.put(e.jobId(), e);
    save();
  }

  void remove(long jobId) {
    if (jobs.remove(jobId) != null) {
      save();
    }
  }

  private void save() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode js = root.putObject("jobs");
    for (Entry e : jobs.values()) {
      js.putObject(Long.toString(e.jobId()))
          .put("assigned_height", e.assignedHeight())
          .put("phase", e.phase())
          .put("signed_attestation", e.signedAttestationHex())
          .put("retain_until", e.retainUntil());
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write executor state " + file, e);
    }
  }
}
