package io.peerz.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State-sync snapshots on disk, one folder per height ({@code <dir>/<height>/metadata} and {@code
 * chunk-<index>}). A snapshot is written under a temporary name and renamed when complete, so a
 * crash mid-write never leaves one that is listed. Thread-safe; writing a snapshot holds no lock,
 * so listing and serving chunks (on ABCI's snapshot connection, under the application lock) never
 * wait for it.
 */
public final class SnapshotStore {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
  private static final String METADATA = "metadata";
  private static final String TMP_PREFIX = "tmp-";

  private final Path dir;

  public SnapshotStore(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
      // Leftovers of a write a crash interrupted.
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, TMP_PREFIX + "*")) {
        for (Path p : ds) {
          deleteTree(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open snapshot directory " + dir, e);
    }
  }

  public Path dir() {
    return dir;
  }

  /**
   * Writes the snapshot of {@code state} in chunks of at most {@code chunkBytes}; a snapshot of the
   * same height already there is kept as it is (it is byte-identical). One writer at a time: the
   * application takes snapshots on a single thread.
   */
  public StateSnapshot take(StateStore.CommittedState state, int chunkBytes) {
    Path target = dir.resolve(Long.toString(state.height()));
    synchronized (this) {
      Optional<StateSnapshot> existing = read(target);
      if (existing.isPresent()) {
        return existing.get();
      }
    }
    Path tmp = dir.resolve(TMP_PREFIX + state.height());
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      StateSnapshot s =
          StateSnapshot.write(
              state,
              chunkBytes,
              (index, chunk) -> {
                try {
                  Files.write(tmp.resolve(chunkName(index)), chunk);
                } catch (IOException e) {
                  throw new UncheckedIOException("cannot write snapshot chunk " + index, e);
                }
              });
      Files.write(tmp.resolve(METADATA), s.metadata());
      synchronized (this) {
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target);
        }
      }
      LOG.info(
          "snapshot_taken height={} chunks={} hash={} dir={}",
          s.height(),
          s.chunks(),
          Hex.encodeUpper(s.hash()),
          target);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write snapshot of height " + state.height(), e);
    }
  }

  /** Every complete snapshot, highest height first. */
  public synchronized List<StateSnapshot> list() {
    List<Long> heights = heights();
    List<StateSnapshot> out = new ArrayList<>(heights.size());
    for (long h : heights) {
      read(dir.resolve(Long.toString(h))).ifPresent(out::add);
    }
    return out;
  }

  /**
   * The bytes of one chunk, or empty when there is no such snapshot or chunk (also when it is
   * pruned while being read).
   */
  public Optional<byte[]> chunk(long height, int format, int index) {
    if (format != StateSnapshot.FORMAT || index < 0) {
      return Optional.empty();
    }
    Path p = dir.resolve(Long.toString(height)).resolve(chunkName(index));
    if (!Files.isRegularFile(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(p));
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshot chunk " + p, e);
    }
  }

  /** The height of the oldest complete snapshot, or 0 when there is none. */
  public synchronized long lowestHeight() {
    List<Long> heights = heights();
    return heights.isEmpty() ? 0 : heights.get(heights.size() - 1);
  }

  /** Deletes all but the {@code keepRecent} highest snapshots. */
  public synchronized void prune(int keepRecent) {
    List<Long> heights = heights();
    for (int i = Math.max(0, keepRecent); i < heights.size(); i++) {
      Path p = dir.resolve(Long.toString(heights.get(i)));
      try {
        deleteTree(p);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete snapshot " + p, e);
      }
      LOG.info("snapshot_pruned height={}", heights.get(i));
    }
  }

  private List<Long> heights() {
    List<Long> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.matches("[0-9]{1,19}") && Files.isRegularFile(p.resolve(METADATA))) {
          out.add(Long.parseLong(name));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list snapshots in " + dir, e);
    }
    out.sort(Comparator.reverseOrder());
    return out;
  }

  private static Optional<StateSnapshot> read(Path folder) {
    Path meta = folder.resolve(METADATA);
    if (!Files.isRegularFile(meta)) {
      return Optional.empty();
    }
    try {
      byte[] metadata = Files.readAllBytes(meta);
      io.peerz.ledger.proto.SnapshotMetadata m =
          io.peerz.ledger.proto.SnapshotMetadata.parseFrom(metadata);
      return Optional.of(
          new StateSnapshot(
              m.getHeight(),
              StateSnapshot.FORMAT,
              m.getChunkHashesCount(),
              Sha256.hash(metadata),
              metadata));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshot metadata " + meta, e);
    }
  }

  private static String chunkName(int index) {
    return String.format(java.util.Locale.ROOT, "chunk-%06d", index);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
