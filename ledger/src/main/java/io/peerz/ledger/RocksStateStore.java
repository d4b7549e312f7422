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
 */
final class RocksStateStore implements StateStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksStateStore.class);
  static final byte[] META_KEY = "state".getBytes(StandardCharsets.UTF_8);

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
  private final MetaEntry committedEntry;
  private final BatchWriter writer;
  private final RestoreListener onRestore;
  // Commits exclude proofs and staging so neither reads a half-applied tree.
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile Committed current;
  // Commits and restores apply their writes to these after writing them (CommittedCache).
  private final CommittedCache<Node> nodes = new CommittedCache<>(NODE_CACHE_ENTRIES);
  private final CommittedCache<byte[]> values = new CommittedCache<>(VALUE_CACHE_ENTRIES);

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

  RocksStateStore(
      KeyValueColumn stateColumn,
      KeyValueColumn treeColumn,
      MetaEntry committedEntry,
      BatchWriter writer,
      RestoreListener onRestore) {
    this.stateColumn = stateColumn;
    this.treeColumn = treeColumn;
    this.committedEntry = committedEntry;
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
      nodes.apply(s.treeWrites());
      values.apply(cacheable(s.stateWrites()));
    } finally {
      lock.writeLock().unlock();
    }
    LOG.info(
        "state_committed height={} app_hash={} writes={} tree_writes={} txs={} encode_ms={}"
            + " write_ms={}",
        s.height(),
        Hex.encodeUpper(s.root()),
        s.stateWrites().size(),
        s.treeWrites().size(),
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
      return new FrozenState(c.height(), c.appHash().clone(), stateColumn.iterator());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The state at one commit, read through one iterator, which sees the column family as it was when
   * it was created. Not a RocksDB snapshot: releasing one marks the files of the bottom level for a
   * compaction that only rewrites their sequence numbers, and as every node takes its state
   * snapshot at the same heights, all of them rewrote the results and index files at the same time
   * (1-2 s of compaction on each, seen as a commit latency peak every 100 heights).
   */
  private static final class FrozenState implements CommittedState {
    private final long height;
    private final byte[] appHash;
    private final RocksIterator it;
    private boolean closed;

    FrozenState(long height, byte[] appHash, RocksIterator it) {
      this.height = height;
      this.appHash = appHash;
      this.it = it;
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
      it.seek(key);
      if (it.isValid() && Arrays.equals(it.key(), key)) {
        return it.value();
      }
      checkIterator(it);
      return null;
    }

    @Override
    public synchronized void scan(byte[] from, byte[] to, EntryVisitor visitor) {
      requireOpen();
      RocksStateStore.scan(it, from, to, visitor);
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
