package io.peerz.ledger;

import io.peerz.ledger.MerkleTree.Change;
import io.peerz.ledger.MerkleTree.Node;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated state on RocksDB: values in its {@code state} column, tree nodes in its {@code
 * tree} column, the committed height and root in its meta entry. It writes nothing else: a block's
 * results come into its commit's batch from the block store ({@link LedgerDb#commit}).
 *
 * <p>Earlier versions (the state as committed at an earlier height) are kept as change sets, as
 * Erigon keeps Ethereum's history beside its plain state: each commit also writes, for every key it
 * changes, the value the key had before it, in the {@code state_history} column (the key in an
 * order-keeping encoding, then the height) and the key in the {@code state_changes} column (height,
 * then key; with the height alone, the root of that version). The value of a key at version V is
 * the value its first change after V replaced, or its current value when it has not changed since:
 * one seek. {@link #pruneVersions} forgets the versions below a height (the Cosmos SDK's pruning);
 * the current state is never pruned.
 */
final class RocksStateStore implements StateStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksStateStore.class);
  static final byte[] META_KEY = "state".getBytes(StandardCharsets.UTF_8);

  /** The meta entry of the oldest kept version: changes of later heights are kept. */
  static final byte[] EARLIEST_KEY = "state.earliest".getBytes(StandardCharsets.UTF_8);

  /** A history value: the key had no value before the change. */
  private static final byte[] ABSENT = {0};

  /** A history value's first byte when the key had the value that follows. */
  private static final byte PRESENT = 1;

  private static final byte[] NO_VALUE = new byte[0];

  /**
   * The most history entries one {@link #pruneVersions} call deletes (it stops at the end of the
   * height that passes it): a node that turns pruning on after a long archive catches up over many
   * commits instead of stalling one.
   */
  static final int MAX_PRUNED_ENTRIES_PER_CALL = 200_000;

  /** About 40 MB of heap; a tree has about two nodes per key, so 65,000 keys' paths fit. */
  static final int NODE_CACHE_ENTRIES = 1 << 17;

  static final int VALUE_CACHE_ENTRIES = 1 << 16;

  /** Larger values (none of the accounts, nodes and params a block reads most) are not cached. */
  static final int MAX_CACHED_VALUE_BYTES = 1024;

  /** Hears of a restore inside its write batch (the tx index marks the height as indexed). */
  interface RestoreListener {
    void restored(WriteBatch batch, long height) throws RocksDBException;
  }

  private final KeyValueColumn stateColumn;
  private final KeyValueColumn treeColumn;
  private final KeyValueColumn historyColumn;
  private final KeyValueColumn changesColumn;
  private final MetaEntry committedEntry;
  private final MetaEntry earliestEntry;
  private final BatchWriter writer;
  private final RestoreListener onRestore;
  // Commits exclude proofs and staging so neither reads a half-applied tree.
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile Committed current;
  // Commits and restores apply their writes to these after writing them (CommittedCache).
  private final CommittedCache<Node> nodes = new CommittedCache<>(NODE_CACHE_ENTRIES);
  private final CommittedCache<byte[]> values = new CommittedCache<>(VALUE_CACHE_ENTRIES);

  /** The oldest version readers may ask for; raised (under the write lock) before pruning. */
  private volatile long earliest;

  /** The oldest version whose changes are all on disk (the meta entry); pruning thread only. */
  private long historyFloor;

  /** The last committed state; {@code generation} counts commits by this instance. */
  private record Committed(long height, byte[] appHash, boolean any, long generation) {}

  private record Staged(
      RocksStateStore store,
      long generation,
      long height,
      byte[] root,
      NavigableMap<byte[], byte[]> stateWrites,
      NavigableMap<byte[], Node> treeWrites)
      implements PendingCommit {
    @Override
    public byte[] appHash() {
      return root.clone();
    }
  }

  /** The columns and meta entries the state owns. */
  record Columns(
      KeyValueColumn state,
      KeyValueColumn tree,
      KeyValueColumn history,
      KeyValueColumn changes,
      MetaEntry committed,
      MetaEntry earliest) {}

  RocksStateStore(Columns columns, BatchWriter writer, RestoreListener onRestore) {
    this.stateColumn = columns.state();
    this.treeColumn = columns.tree();
    this.historyColumn = columns.history();
    this.changesColumn = columns.changes();
    this.committedEntry = columns.committed();
    this.earliestEntry = columns.earliest();
    this.writer = writer;
    this.onRestore = onRestore;
    byte[] meta = committedEntry.read();
    if (meta == null) {
      current = new Committed(0, MerkleTree.EMPTY.clone(), false, 0);
    } else {
      current =
          new Committed(
              LedgerKeys.readHeight(meta), Arrays.copyOfRange(meta, 8, 8 + Sha256.LENGTH), true, 0);
    }
    Node root = readNode(MerkleTree.pathKey(MerkleTree.EMPTY, 0));
    byte[] treeRoot = root == null ? MerkleTree.EMPTY : root.hash();
    if (!Arrays.equals(treeRoot, current.appHash())) {
      throw new IllegalStateException(
          "ledger state is corrupt: tree root "
              + Hex.encodeUpper(treeRoot)
              + " differs from the committed app hash "
              + Hex.encodeUpper(current.appHash()));
    }
    byte[] floor = earliestEntry.read();
    if (floor != null) {
      historyFloor = LedgerKeys.readHeight(floor);
    } else if (current.any()) {
      // A store written before versions were kept: its history starts with its current state.
      historyFloor = current.height();
      try (WriteBatch batch = new WriteBatch()) {
        startHistory(batch, current.height(), current.appHash());
        writer.write(batch, "start state history at " + current.height());
      } catch (RocksDBException e) {
        throw KeyValueColumn.storageFailure("start state history", e);
      }
    }
    earliest = historyFloor;
  }

  /** Marks {@code height} (of root {@code root}) as the oldest kept version, in {@code batch}. */
  private void startHistory(WriteBatch batch, long height, byte[] root) throws RocksDBException {
    earliestEntry.put(batch, LedgerKeys.height(height));
    changesColumn.put(batch, LedgerKeys.height(height), root);
  }

  @Override
  public long height() {
    return current.height();
  }

  @Override
  public byte[] appHash() {
    return current.appHash().clone();
  }

  @Override
  public long earliestVersion() {
    return current.any() ? earliest : 0;
  }

  @Override
  public byte[] get(byte[] key) {
    byte[] cached = values.get(key);
    if (cached != null) {
      return cached.clone();
    }
    long generation = values.generation();
    byte[] value = stateColumn.get(key);
    if (value != null && value.length <= MAX_CACHED_VALUE_BYTES) {
      values.fill(key, value.clone(), generation);
    }
    return value;
  }

  @Override
  public void scan(byte[] from, byte[] to, EntryVisitor visitor) {
    // An iterator reads one consistent snapshot of the column family.
    try (RocksIterator it = stateColumn.iterator()) {
      scan(it, from, to, visitor);
    }
  }

  /** Visits {@code it}'s entries in [from, to) (null: unbounded) until the visitor says stop. */
  private static void scan(RocksIterator it, byte[] from, byte[] to, EntryVisitor visitor) {
    for (it.seek(from == null ? new byte[0] : from); it.isValid(); it.next()) {
      byte[] key = it.key();
      if (to != null && Arrays.compareUnsigned(key, to) >= 0) {
        return;
      }
      if (!visitor.visit(key, it.value())) {
        return;
      }
    }
    checkIterator(it);
  }

  @Override
  public PendingCommit stage(long height, ChangeSet changes) {
    lock.readLock().lock();
    try {
      Committed c = current;
      if (c.any() && height <= c.height()) {
        throw new IllegalArgumentException(
            "cannot stage height " + height + ": state is already committed at " + c.height());
      }
      NavigableMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
      writes.putAll(changes.writes());
      List<Change> treeChanges = new ArrayList<>(writes.size());
      for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
        byte[] value = e.getValue();
        treeChanges.add(
            new Change(Sha256.hash(e.getKey()), value == null ? null : Sha256.hash(value)));
      }
      treeChanges.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
      MerkleTree.Update update = MerkleTree.apply(this::readNode, c.appHash(), treeChanges);
      return new Staged(
          this,
          c.generation(),
          height,
          update.root(),
          Collections.unmodifiableNavigableMap(writes),
          update.writes());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Writes a staged commit in one synced write together with what {@code batch} already holds (the
   * block's results, put there by the block store). {@code encodeStartNanos} and {@code txs} only
   * feed the log line. Throws IllegalStateException when {@code staged} was not staged by this
   * store on its current state.
   */
  void commit(PendingCommit staged, EncodedWriteBatch batch, long encodeStartNanos, int txs) {
    Staged s = own(staged);
    Committed before = current;
    byte[] heightKey = LedgerKeys.height(s.height());
    int historyWrites = 0;
    if (before.any()) {
      // Only this thread commits: the values read here are those the staged writes replace.
      for (Map.Entry<byte[], byte[]> e : s.stateWrites().entrySet()) {
        byte[] old = get(e.getKey());
        if (old == null ? e.getValue() == null : Arrays.equals(old, e.getValue())) {
          continue;
        }
        historyColumn.put(
            batch,
            LedgerKeys.concat(LedgerKeys.orderedKey(e.getKey()), heightKey),
            old == null ? ABSENT : LedgerKeys.concat(new byte[] {PRESENT}, old));
        changesColumn.put(batch, LedgerKeys.concat(heightKey, e.getKey()), NO_VALUE);
        historyWrites++;
      }
    } else {
      earliestEntry.put(batch, heightKey);
    }
    changesColumn.put(batch, heightKey, s.root());
    // Encoded before the lock: readers wait only for the write itself.
    for (Map.Entry<byte[], byte[]> e : s.stateWrites().entrySet()) {
      if (e.getValue() == null) {
        stateColumn.delete(batch, e.getKey());
      } else {
        stateColumn.put(batch, e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<byte[], Node> e : s.treeWrites().entrySet()) {
      if (e.getValue() == null) {
        treeColumn.delete(batch, e.getKey());
      } else {
        treeColumn.put(batch, e.getKey(), e.getValue().encode());
      }
    }
    committedEntry.put(batch, LedgerKeys.concat(LedgerKeys.height(s.height()), s.root()));
    long t1 = System.nanoTime();
    lock.writeLock().lock();
    try {
      Committed c = current;
      if (s.generation() != c.generation()) {
        throw new IllegalStateException(
            "stale PendingCommit for height "
                + s.height()
                + ": the state changed (now at height "
                + c.height()
                + ") after it was staged");
      }
      try (WriteBatch written = batch.build()) {
        writer.writeSynced(written, "commit height " + s.height());
      }
      current = new Committed(s.height(), s.root().clone(), true, c.generation() + 1);
      if (!before.any()) {
        earliest = s.height();
        historyFloor = s.height();
      }
      nodes.apply(s.treeWrites());
      values.apply(cacheable(s.stateWrites()));
    } finally {
      lock.writeLock().unlock();
    }
    LOG.info(
        "state_committed height={} app_hash={} writes={} tree_writes={} history_writes={} txs={}"
            + " encode_ms={} write_ms={}",
        s.height(),
        Hex.encodeUpper(s.root()),
        s.stateWrites().size(),
        s.treeWrites().size(),
        historyWrites,
        txs,
        (t1 - encodeStartNanos) / 1_000_000,
        (System.nanoTime() - t1) / 1_000_000);
  }

  /** {@code staged} as this store staged it; IllegalStateException for another store's. */
  Staged own(PendingCommit staged) {
    if (!(staged instanceof Staged s) || s.store() != this) {
      throw new IllegalStateException("commit of a PendingCommit not staged by this store");
    }
    return s;
  }

  @Override
  public StateProof prove(byte[] key) {
    lock.readLock().lock();
    try {
      return MerkleTree.prove(this::readNode, key, this::get);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public CommittedState committed() {
    // Under the read lock no commit is between its batch and `current`: the two agree.
    lock.readLock().lock();
    try {
      Committed c = current;
      return new FrozenState(c.height(), c.appHash().clone(), stateColumn.iterator(), null);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public CommittedState at(long version) {
    lock.readLock().lock();
    try {
      Committed c = current;
      if (!c.any() || version < earliest || version > c.height()) {
        throw new IllegalArgumentException(
            "the state of height "
                + version
                + " is not kept: "
                + (c.any() ? "heights " + earliest + " to " + c.height() + " are" : "none is"));
      }
      if (version == c.height()) {
        return new FrozenState(c.height(), c.appHash().clone(), stateColumn.iterator(), null);
      }
      byte[] root = changesColumn.get(LedgerKeys.height(version));
      if (root == null) {
        throw new IllegalStateException(
            "ledger state history is corrupt: no root stored for kept height " + version);
      }
      // Iterators taken together under the lock see one commit's columns.
      return new FrozenState(version, root, stateColumn.iterator(), historyColumn.iterator());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long pruneVersions(long keepFrom) {
    long target;
    lock.writeLock().lock();
    try {
      Committed c = current;
      if (!c.any()) {
        return 0;
      }
      // Readers are refused the pruned heights before their entries go.
      earliest = Math.max(earliest, Math.min(keepFrom, c.height()));
      target = earliest;
    } finally {
      lock.writeLock().unlock();
    }
    if (historyFloor >= target) {
      return target;
    }
    long t0 = System.nanoTime();
    long from = historyFloor;
    long floor = historyFloor;
    int deleted = 0;
    try (WriteBatch batch = new WriteBatch();
        RocksIterator it = changesColumn.iterator()) {
      // The entries of height h hold the values before h: version h-1 and older need them.
      while (floor < target && deleted < MAX_PRUNED_ENTRIES_PER_CALL) {
        long h = floor + 1;
        byte[] heightKey = LedgerKeys.height(h);
        it.seek(LedgerKeys.concat(heightKey, new byte[] {0}));
        for (; it.isValid(); it.next()) {
          byte[] key = it.key();
          if (!LedgerKeys.startsWith(key, heightKey)) {
            break;
          }
          byte[] stateKey = Arrays.copyOfRange(key, 8, key.length);
          changesColumn.delete(batch, key);
          historyColumn.delete(
              batch, LedgerKeys.concat(LedgerKeys.orderedKey(stateKey), heightKey));
          deleted++;
        }
        checkIterator(it);
        changesColumn.delete(batch, LedgerKeys.height(floor));
        floor = h;
      }
      earliestEntry.put(batch, LedgerKeys.height(floor));
      // Not synced: a lost prune leaves more history on disk, which the floor says.
      writer.write(batch, "prune state versions below " + floor);
    } catch (RocksDBException e) {
      throw KeyValueColumn.storageFailure("prune state versions below " + floor, e);
    }
    historyFloor = floor;
    LOG.info(
        "state_versions_pruned from={} to={} entries={} earliest={} ms={}",
        from,
        floor,
        deleted,
        target,
        (System.nanoTime() - t0) / 1_000_000);
    return target;
  }

  /**
   * The state at one commit, read through one iterator, which sees the column family as it was when
   * it was created. Not a RocksDB snapshot: releasing one marks the files of the bottom level for a
   * compaction that only rewrites their sequence numbers, and as every node takes its state
   * snapshot at the same heights, all of them rewrote the results and index files at the same time
   * (1-2 s of compaction on each, seen as a commit latency peak every 100 heights).
   *
   * <p>An earlier version reads the current values through one iterator and the history through
   * another, taken at the same commit: a key's value at the version is the one its first later
   * change replaced, if it changed since.
   */
  private static final class FrozenState implements CommittedState {
    private final long height;
    private final byte[] appHash;
    private final RocksIterator it;
    private final RocksIterator history; // null: the latest version
    private final byte[] after; // the heights whose changes undo this version's successors
    private boolean closed;
    // Reads and scans move the iterators a scan walks: a visitor that reads (a list query looking
    // up each entry's parts) makes the scan seek back to where it was.
    private long reads;

    FrozenState(long height, byte[] appHash, RocksIterator it, RocksIterator history) {
      this.height = height;
      this.appHash = appHash;
      this.it = it;
      this.history = history;
      this.after = LedgerKeys.height(height + 1);
    }

    @Override
    public long height() {
      return height;
    }

    @Override
    public byte[] appHash() {
      return appHash.clone();
    }

    @Override
    public synchronized byte[] get(byte[] key) {
      requireOpen();
      reads++;
      if (history != null) {
        byte[][] earlier = earlierValue(key);
        if (earlier != null) {
          return earlier[0];
        }
      }
      it.seek(key);
      if (it.isValid() && Arrays.equals(it.key(), key)) {
        return it.value();
      }
      checkIterator(it);
      return null;
    }

    /**
     * {value} when {@code key} changed after this version ({value} null: it had none), else null.
     * Moves the history iterator.
     */
    private byte[][] earlierValue(byte[] key) {
      byte[] ordered = LedgerKeys.orderedKey(key);
      history.seek(LedgerKeys.concat(ordered, after));
      if (!history.isValid()) {
        checkIterator(history);
        return null;
      }
      byte[] found = history.key();
      // Another key's entries start with this key's bytes only when they are longer.
      if (found.length != ordered.length + 8 || !LedgerKeys.startsWith(found, ordered)) {
        return null;
      }
      byte[] v = history.value();
      return new byte[][] {v[0] == PRESENT ? Arrays.copyOfRange(v, 1, v.length) : null};
    }

    @Override
    public synchronized void scan(byte[] from, byte[] to, EntryVisitor visitor) {
      requireOpen();
      // A scan inside a visitor (a pool's members listed with the pool) moves them too.
      reads++;
      if (history == null) {
        for (it.seek(from == null ? new byte[0] : from); it.isValid(); ) {
          byte[] key = it.key();
          if (to != null && Arrays.compareUnsigned(key, to) >= 0) {
            return;
          }
          long readsBefore = reads;
          if (!visitor.visit(key, it.value())) {
            return;
          }
          if (reads != readsBefore) {
            it.seek(key);
            if (it.isValid() && Arrays.equals(it.key(), key)) {
              it.next();
            }
          } else {
            it.next();
          }
        }
        checkIterator(it);
        return;
      }
      byte[] start = from == null ? new byte[0] : from;
      it.seek(start);
      history.seek(LedgerKeys.orderedKey(start));
      while (true) {
        byte[] current = it.isValid() ? it.key() : null;
        if (current != null && to != null && Arrays.compareUnsigned(current, to) >= 0) {
          current = null;
        }
        byte[] changed = history.isValid() ? LedgerKeys.decodeOrderedKey(history.key()) : null;
        if (changed != null && to != null && Arrays.compareUnsigned(changed, to) >= 0) {
          changed = null;
        }
        if (current == null && changed == null) {
          checkIterator(it);
          checkIterator(history);
          return;
        }
        byte[] key;
        if (current == null) {
          key = changed;
        } else if (changed == null) {
          key = current;
        } else {
          key = Arrays.compareUnsigned(current, changed) <= 0 ? current : changed;
        }
        byte[] value = null;
        boolean fromHistory = false;
        if (changed != null && Arrays.equals(changed, key)) {
          byte[][] earlier = earlierValue(key);
          if (earlier != null) {
            value = earlier[0];
            fromHistory = true;
          }
          // Past every entry of this key: heights never start with 0x80 or more.
          history.seek(LedgerKeys.concat(LedgerKeys.orderedKey(key), new byte[] {(byte) 0x80}));
        }
        if (current != null && Arrays.equals(current, key)) {
          if (!fromHistory) {
            value = it.value();
          }
          it.next();
        }
        long readsBefore = reads;
        if (value != null && !visitor.visit(key, value)) {
          return;
        }
        if (reads != readsBefore) {
          // Back to the first entry after key in both: every key up to it is visited.
          it.seek(key);
          if (it.isValid() && Arrays.equals(it.key(), key)) {
            it.next();
          }
          history.seek(LedgerKeys.concat(LedgerKeys.orderedKey(key), new byte[] {(byte) 0x80}));
        }
      }
    }

    private void requireOpen() {
      if (closed) {
        throw new IllegalStateException("committed state view at height " + height + " is closed");
      }
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      it.close();
      if (history != null) {
        history.close();
      }
    }
  }

  @Override
  public void restore(long height, byte[] appHash, List<Entry> entries) {
    List<Change> changes = new ArrayList<>(entries.size());
    byte[] previous = null;
    for (Entry e : entries) {
      if (previous != null && Arrays.compareUnsigned(previous, e.key()) >= 0) {
        throw new IllegalArgumentException(
            "restore entries are not in strictly ascending key order at key "
                + Hex.encode(e.key()));
      }
      previous = e.key();
      changes.add(new Change(Sha256.hash(e.key()), Sha256.hash(e.value())));
    }
    changes.sort((a, b) -> Arrays.compareUnsigned(a.keyHash(), b.keyHash()));
    for (int i = 1; i < changes.size(); i++) {
      if (Arrays.equals(changes.get(i - 1).keyHash(), changes.get(i).keyHash())) {
        throw new IllegalStateException("two keys with the same SHA-256 hash");
      }
    }
    // The tree is built from nothing: the restored pairs are the whole state.
    MerkleTree.Update update = MerkleTree.apply(path -> null, MerkleTree.EMPTY, changes);
    if (!Arrays.equals(update.root(), appHash)) {
      throw new IllegalArgumentException(
          "restored state has root "
              + Hex.encodeUpper(update.root())
              + " but the snapshot's app hash is "
              + Hex.encodeUpper(appHash));
    }
    lock.writeLock().lock();
    try {
      Committed c = current;
      try (WriteBatch batch = new WriteBatch()) {
        clear(batch, stateColumn);
        clear(batch, treeColumn);
        // The restored state is the first version this store has: no history before it.
        clear(batch, historyColumn);
        clear(batch, changesColumn);
        startHistory(batch, height, appHash);
        for (Entry e : entries) {
          stateColumn.put(batch, e.key(), e.value());
        }
        for (Map.Entry<byte[], Node> e : update.writes().entrySet()) {
          if (e.getValue() != null) {
            treeColumn.put(batch, e.getKey(), e.getValue().encode());
          }
        }
        committedEntry.put(batch, LedgerKeys.concat(LedgerKeys.height(height), appHash));
        onRestore.restored(batch, height);
        writer.writeSynced(batch, "restore height " + height);
      } catch (RocksDBException e) {
        throw KeyValueColumn.storageFailure("restore height " + height, e);
      }
      current = new Committed(height, appHash.clone(), true, c.generation() + 1);
      earliest = height;
      historyFloor = height;
      nodes.clear();
      values.clear();
    } finally {
      lock.writeLock().unlock();
    }
    LOG.info(
        "state_restored height={} app_hash={} entries={} tree_writes={}",
        height,
        Hex.encodeUpper(appHash),
        entries.size(),
        update.writes().size());
  }

  /** Deletes every key of a column in {@code batch}. */
  private static void clear(WriteBatch batch, KeyValueColumn column) throws RocksDBException {
    try (RocksIterator it = column.iterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        column.delete(batch, it.key());
      }
      checkIterator(it);
    }
  }

  /** The committed node at a path key; called only under {@link #lock} (or while constructing). */
  private Node readNode(byte[] pathKey) {
    Node cached = nodes.get(pathKey);
    if (cached != null) {
      return cached;
    }
    long generation = nodes.generation();
    byte[] bytes = treeColumn.get(pathKey);
    if (bytes == null) {
      return null;
    }
    Node node = MerkleTree.decode(bytes);
    nodes.fill(pathKey, node, generation);
    return node;
  }

  /**
   * A commit's state writes as the value cache takes them: large values forgotten, not kept. The
   * staged writes' arrays are this commit's own (a ChangeSet copies what it is given) and nothing
   * changes them, so the cache keeps them as they are.
   */
  private static Map<byte[], byte[]> cacheable(Map<byte[], byte[]> writes) {
    Map<byte[], byte[]> out = new java.util.HashMap<>(writes.size() * 2);
    writes.forEach((k, v) -> out.put(k, v == null || v.length > MAX_CACHED_VALUE_BYTES ? null : v));
    return out;
  }

  static void checkIterator(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw KeyValueColumn.storageFailure("iterate", e);
    }
  }
}
