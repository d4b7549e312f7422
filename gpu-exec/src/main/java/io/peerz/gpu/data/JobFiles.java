package io.peerz.gpu.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a data server's jobs under {@code storage/jobs/<job id>/}: {@code
 * partial/<name>@<size>} while an input arrives and is checked, {@code inputs/<name>} once
 * verified, {@code outputs/<name>} once published; and the state of each expected input, with the
 * bytes counted against the stored-bytes limit. One lock guards it all; no disk I/O larger than
 * opening, renaming or deleting a file happens under it.
 */
final class JobFiles {
  private static final Logger log = LoggerFactory.getLogger(JobFiles.class);

  private final Path root;
  private final DataLimits limits;
  private final TreeMap<Long, Job> jobs = new TreeMap<>();
  private long storedBytes;

  JobFiles(Path storage, DataLimits limits) {
    this.root = storage.resolve("jobs");
    this.limits = limits;
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data storage " + root + ": " + e, e);
    }
  }

  /** The inputs and outputs of one job. */
  private static final class Job {
    final TreeMap<String, InputSlot> inputs = new TreeMap<>();
    final TreeMap<String, Output> outputs = new TreeMap<>();
  }

  /** A published output. */
  record Output(Path file, long size) {}

  /**
   * Registers an input. The same size again keeps what was received (the check is replaced);
   * another size drops it. Bytes left on disk by an earlier run of the server are taken up: a
   * partial file resumes at its length, a complete or verified one is checked again (the returned
   * slot is then CHECKING and the caller runs the check).
   */
  synchronized Expected expect(long jobId, String name, long size, InputCheck check) {
    Job job = jobs.computeIfAbsent(jobId, id -> new Job());
    InputSlot old = job.inputs.get(name);
    if (old != null && old.size == size) {
      old.check = check;
      return new Expected(old, false);
    }
    if (old != null) {
      drop(old, "replaced: the job now expects " + size + " bytes");
      job.inputs.remove(name);
    }
    Path dir = root.resolve(Long.toString(jobId));
    InputSlot slot =
        new InputSlot(
            jobId,
            name,
            size,
            check,
            dir.resolve("partial").resolve(name + "@" + size),
            dir.resolve("inputs").resolve(name));
    try {
      deleteStalePartials(slot);
      if (Files.isRegularFile(slot.complete)) {
        if (Files.size(slot.complete) == size) {
          Files.createDirectories(slot.partial.getParent());
          move(slot.complete, slot.partial);
        } else {
          Files.delete(slot.complete);
        }
      }
      if (Files.isRegularFile(slot.partial)) {
        long held = Files.size(slot.partial);
        if (held <= size) {
          slot.offset = held;
          slot.reserved = true;
          storedBytes += size;
          if (held == size) {
            slot.state = InputSlot.State.CHECKING;
          }
          log.info(
              "data input resumed from disk job={} name={} offset={} size={}",
              jobId,
              name,
              held,
              size);
        } else {
          Files.delete(slot.partial);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot take up the stored bytes of job " + jobId + " input " + name + ": " + e, e);
    }
    job.inputs.put(name, slot);
    return new Expected(slot, slot.state == InputSlot.State.CHECKING);
  }

  /** An expected input, and whether its bytes found on disk are to be checked now. */
  record Expected(InputSlot slot, boolean runCheck) {}

  /** The expected input, or null. */
  synchronized InputSlot slot(long jobId, String name) {
    Job job = jobs.get(jobId);
    return job == null ? null : job.inputs.get(name);
  }

  /** The names of the inputs a job expects here (empty when none). */
  synchronized List<String> inputNames(long jobId) {
    Job job = jobs.get(jobId);
    return job == null ? List.of() : new ArrayList<>(job.inputs.keySet());
  }

  /** The names of the outputs a job has here (empty when none). */
  synchronized List<String> outputNames(long jobId) {
    Job job = jobs.get(jobId);
    return job == null ? List.of() : new ArrayList<>(job.outputs.keySet());
  }

  /**
   * Gives {@code writer} the right to append to the input from {@code first} (a whole upload starts
   * over at 0) and opens the partial file there.
   */
  synchronized FileChannel begin(InputSlot slot, Object writer, long first, boolean whole)
      throws DataRejectedException {
    if (slot.forgotten) {
      throw new DataRejectedException(
          DataError.NOT_FOUND, "job " + slot.jobId + " was forgotten by this executor");
    }
    switch (slot.state) {
      case VERIFIED ->
          throw new DataRejectedException(
              DataError.ALREADY_VERIFIED,
              slot.name
                  + " of job "
                  + slot.jobId
                  + " is uploaded and verified: nothing more to send");
      case CHECKING ->
          throw new DataRejectedException(
              DataError.UPLOAD_IN_PROGRESS,
              "all "
                  + slot.size
                  + " bytes of "
                  + slot.name
                  + " are in and being checked; HEAD it for the outcome");
      case RECEIVING -> {}
    }
    if (slot.writer != null) {
      throw new DataRejectedException(
          DataError.UPLOAD_IN_PROGRESS,
          "another connection is uploading "
              + slot.name
              + " of job "
              + slot.jobId
              + "; retry when it ends (HEAD gives the offset to resume from)");
    }
    if (!whole && first != slot.offset) {
      throw new DataRejectedException(
          DataError.WRONG_OFFSET,
          "the server holds "
              + slot.offset
              + " bytes of "
              + slot.name
              + ": send the chunk that starts at byte "
              + slot.offset
              + " (Upload-Offset), not "
              + first);
    }
    boolean reserving = !slot.reserved;
    if (reserving) {
      if (storedBytes + slot.size > limits.maxStoredBytes()) {
        throw new DataRejectedException(
            DataError.STORAGE_FULL,
            "this executor stores "
                + storedBytes
                + " of its "
                + limits.maxStoredBytes()
                + " bytes; "
                + slot.size
                + " more do not fit: retry after its running jobs end");
      }
      slot.reserved = true;
      storedBytes += slot.size;
    }
    try {
      Files.createDirectories(slot.partial.getParent());
      FileChannel file =
          FileChannel.open(slot.partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      long at = whole ? 0 : slot.offset;
      file.truncate(at);
      file.position(at);
      slot.offset = at;
      slot.writer = writer;
      return file;
    } catch (IOException e) {
      if (reserving) {
        slot.reserved = false;
        storedBytes -= slot.size;
      }
      log.warn("data partial file unwritable file={} cause={}", slot.partial, e.toString());
      throw new DataRejectedException(
          DataError.INTERNAL, "the server cannot write the upload: " + e.getMessage());
    }
  }

  /** The writer is done (chunk answered, connection dropped): another may continue. */
  synchronized void release(InputSlot slot, Object writer) {
    if (slot.writer == writer) {
      slot.writer = null;
    }
  }

  /** Every byte is in: the writer hands the file to the check. False when forgotten meanwhile. */
  synchronized boolean complete(InputSlot slot, Object writer) {
    release(slot, writer);
    if (slot.forgotten) {
      return false;
    }
    slot.state = InputSlot.State.CHECKING;
    return true;
  }

  /** The check passed: the partial file becomes the input. Null when forgotten meanwhile. */
  synchronized Path verified(InputSlot slot) throws IOException {
    if (slot.forgotten) {
      Files.deleteIfExists(slot.partial);
      return null;
    }
    Files.createDirectories(slot.complete.getParent());
    move(slot.partial, slot.complete);
    slot.state = InputSlot.State.VERIFIED;
    return slot.complete;
  }

  /** The check failed: the bytes are discarded and the upload may start again from 0. */
  synchronized void rejected(InputSlot slot) {
    try {
      Files.deleteIfExists(slot.partial);
    } catch (IOException e) {
      log.warn("data partial file not deleted file={} cause={}", slot.partial, e.toString());
    }
    if (slot.forgotten) {
      return;
    }
    slot.offset = 0;
    slot.state = InputSlot.State.RECEIVING;
    unreserve(slot);
  }

  /** Moves {@code file} to outputs/{@code name} of the job and serves it from there. */
  synchronized Path publish(long jobId, String name, Path file) {
    Path target = root.resolve(Long.toString(jobId)).resolve("outputs").resolve(name);
    try {
      Files.createDirectories(target.getParent());
      if (!Files.exists(target) || !Files.isSameFile(file, target)) {
        move(file, target);
      }
      long size = Files.size(target);
      Job job = jobs.computeIfAbsent(jobId, id -> new Job());
      Output old = job.outputs.put(name, new Output(target, size));
      storedBytes += size - (old == null ? 0 : old.size());
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot publish " + file + " as output " + name + " of job " + jobId + ": " + e, e);
    }
  }

  /** A published output, or null. */
  synchronized Output output(long jobId, String name) {
    Job job = jobs.get(jobId);
    return job == null ? null : job.outputs.get(name);
  }

  /**
   * Drops the job: its uploads stop, its futures are cancelled and its directory is deleted, even
   * when only an earlier run of the server knew it. True when anything was held.
   */
  boolean forget(long jobId) {
    boolean known;
    synchronized (this) {
      Job job = jobs.remove(jobId);
      known = job != null;
      if (job != null) {
        for (InputSlot slot : job.inputs.values()) {
          drop(slot, "job " + jobId + " was forgotten");
        }
        for (Output out : job.outputs.values()) {
          storedBytes -= out.size();
        }
      }
    }
    Path dir = root.resolve(Long.toString(jobId));
    if (!Files.exists(dir)) {
      return known;
    }
    // Outside the lock: a job's tree may be large, and nothing can recreate it once the job is
    // gone from the map (begin and publish take the lock and see no job, or a forgotten slot).
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException e) {
      // deleted concurrently by another forget
    } catch (IOException e) {
      log.warn("data job files not deleted job={} cause={}", jobId, e.toString());
    }
    return true;
  }

  /** The ids of the jobs with files on disk, ascending: what an earlier run left. */
  List<Long> storedJobs() {
    List<Long> ids = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String n = d.getFileName().toString();
        if (n.matches("[0-9]{1,19}")) {
          try {
            ids.add(Long.parseLong(n));
          } catch (NumberFormatException e) {
            // not a job directory
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list data storage " + root + ": " + e, e);
    }
    ids.sort(null);
    return ids;
  }

  synchronized long storedBytes() {
    return storedBytes;
  }

  synchronized int jobCount() {
    return jobs.size();
  }

  private void drop(InputSlot slot, String why) {
    slot.forgotten = true;
    unreserve(slot);
    slot.verified.completeExceptionally(new CancellationException(why));
    if (slot.state != InputSlot.State.CHECKING && slot.writer == null) {
      try {
        Files.deleteIfExists(slot.partial);
        Files.deleteIfExists(slot.complete);
      } catch (IOException e) {
        log.warn("data input files not deleted {} cause={}", slot, e.toString());
      }
    }
  }

  private void unreserve(InputSlot slot) {
    if (slot.reserved) {
      slot.reserved = false;
      storedBytes -= slot.size;
    }
  }

  private static void deleteStalePartials(InputSlot slot) throws IOException {
    Path dir = slot.partial.getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, slot.name + "@*")) {
      for (Path f : files) {
        if (!f.equals(slot.partial)) {
          Files.delete(f);
        }
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
