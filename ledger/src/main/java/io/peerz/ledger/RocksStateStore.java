package io.peerz.ledger;

import io.peerz.ledger.LedgerDb.Family;
import io.peerz.ledger.MerkleTree.Change;
import io.peerz.ledger.MerkleTree.Node;
import io.peerz.ledger.proto.BlockResults;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The authenticated state on RocksDB: values in {@code state}, tree nodes in {@code tree}. */
final class RocksStateStore implements StateStore {
  private static final Logger LOG = LoggerFactory.getLogger(RocksStateStore.class);
  static final byte[] META_KEY = "state".getBytes(StandardCharsets.UTF_8);

  /** About 40 MB of heap; a tree has about two nodes per key, so 65,000 keys' paths fit. */
  static final int NODE_CACHE_ENTRIES = 1 << 17;

  static final int VALUE_CACHE_ENTRIES = 1 << 16;

  /** Larger values (none of the accounts, nodes and params a block reads most) are not cached. */
  static final int MAX_CACHED_VALUE_BYTES = 1024;

  private final LedgerDb ledger;
  private final RocksDB db;
  private final ColumnFamilyHandle stateCf;
  private final ColumnFamilyHandle treeCf;
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

  RocksStateStore(LedgerDb ledger) {
    this.ledger = ledger;
    this.db = ledger.db();
    this.stateCf = ledger.cf(Family.STATE);
    this.treeCf = ledger.cf(Family.TREE);
    byte[] meta = read(ledger.cf(Family.META), META_KEY);
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
    byte[] value = read(stateCf, key);
    if (value != null && value.length <= MAX_CACHED_VALUE_BYTES) {
      values.fill(key, value.clone(), generation);
    }
    return value;
  }

  @Override
  public void scan(byte[] from, byte[] to, EntryVisitor visitor) {
    // An iterator reads one consistent snapshot of the column family.
    try (RocksIterator it = db.newIterator(stateCf)) {
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

  @Override
  public void commit(PendingCommit staged, BlockResults results, List<byte[]> txs) {
    if (!(staged instanceof Staged s) || s.store() != this) {
      throw new IllegalStateException("commit of a PendingCommit not staged by this store");
    }
    if (results.getHeight() != 0 && results.getHeight() != s.height()) {
      throw new IllegalArgumentException(
          "results are for height " + results.getHeight() + " but the commit is " + s.height());
    }
    if (results.getTxResultsCount() != txs.size()) {
      throw new IllegalArgumentException(
          txs.size() + " txs but " + results.getTxResultsCount() + " tx results");
    }
    // Encoded before the lock: readers wait only for the write itself. The tx index is written
    // by the indexer's thread.
    long t0 = System.nanoTime();
    BlockResults stored =
        results.toBuilder()
            .setHeight(s.height())
            .setAppHash(com.google.protobuf.ByteString.copyFrom(s.root()))
            .build();
    byte[] encodedResults = DeterministicProto.encode(stored);
    EncodedWriteBatch batch = new EncodedWriteBatch(2 * encodedResults.length + (1 << 16));
    for (Map.Entry<byte[], byte[]> e : s.stateWrites().entrySet()) {
      if (e.getValue() == null) {
        batch.delete(stateCf, e.getKey());
      } else {
        batch.put(stateCf, e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<byte[], Node> e : s.treeWrites().entrySet()) {
      if (e.getValue() == null) {
        batch.delete(treeCf, e.getKey());
      } else {
        batch.put(treeCf, e.getKey(), e.getValue().encode());
      }
    }
    batch.put(ledger.cf(Family.RESULTS), LedgerKeys.height(s.height()), encodedResults);
    batch.put(
        ledger.cf(Family.META),
        META_KEY,
        LedgerKeys.concat(LedgerKeys.height(s.height()), s.root()));
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
        db.write(ledger.syncWrites(), written);
      } catch (RocksDBException e) {
        throw LedgerDb.storageFailure("commit height " + s.height(), e);
      }
      current = new Committed(s.height(), s.root().clone(), true, c.generation() + 1);
      nodes.apply(s.treeWrites());
      values.apply(cacheable(s.stateWrites()));
    } finally {
      lock.writeLock().unlock();
    }
    ledger.indexer().submit(s.height(), stored, txs);
    LOG.info(
        "state_committed height={} app_hash={} writes={} tree_writes={} txs={} encode_ms={}"
            + " write_ms={}",
        s.height(),
        Hex.encodeUpper(s.root()),
        s.stateWrites().size(),
        s.treeWrites().size(),
        txs.size(),
        (t1 - t0) / 1_000_000,
        (System.nanoTime() - t1) / 1_000_000);
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
      return new FrozenState(c.height(), c.appHash().clone(), db.newIterator(stateCf));
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
        clear(batch, stateCf);
        clear(batch, treeCf);
        for (Entry e : entries) {
          batch.put(stateCf, e.key(), e.value());
        }
        for (Map.Entry<byte[], Node> e : update.writes().entrySet()) {
          if (e.getValue() != null) {
            batch.put(treeCf, e.getKey(), e.getValue().encode());
          }
        }
        batch.put(
            ledger.cf(Family.META),
            META_KEY,
            LedgerKeys.concat(LedgerKeys.height(height), appHash));
        // No block below a snapshot is stored here, so none is left to index.
        batch.put(ledger.cf(Family.META), TxIndexer.HEIGHT_KEY, LedgerKeys.height(height));
        db.write(ledger.syncWrites(), batch);
      } catch (RocksDBException e) {
        throw LedgerDb.storageFailure("restore height " + height, e);
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

  /** Deletes every key of a column family in {@code batch}. */
  private void clear(WriteBatch batch, ColumnFamilyHandle cf) throws RocksDBException {
    try (RocksIterator it = db.newIterator(cf)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        batch.delete(cf, it.key());
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
    byte[] bytes = read(treeCf, pathKey);
    if (bytes == null) {
      return null;
    }
    Node node = MerkleTree.decode(bytes);
    nodes.fill(pathKey, node, generation);
    return node;
  }

  /** A commit's state writes as the value cache takes them: large values forgotten, not kept. */
  private static Map<byte[], byte[]> cacheable(Map<byte[], byte[]> writes) {
    Map<byte[], byte[]> out = new java.util.HashMap<>(writes.size() * 2);
    writes.forEach(
        (k, v) -> out.put(k, v == null || v.length > MAX_CACHED_VALUE_BYTES ? null : v.clone()));
    return out;
  }

  private byte[] read(ColumnFamilyHandle cf, byte[] key) {
    try {
      return db.get(cf, key);
    } catch (RocksDBException e) {
      throw LedgerDb.storageFailure("read", e);
    }
  }

  static void checkIterator(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw LedgerDb.storageFailure("iterate", e);
    }
  }
}
