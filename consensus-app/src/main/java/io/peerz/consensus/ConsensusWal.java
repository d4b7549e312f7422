package io.peerz.consensus;

import io.peerz.consensus.proto.WalRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consensus write-ahead log ({@code data/cs.wal}, CometBFT's cs.wal): every input the core
 * handled at the current height, in order, so that a restarted core can be brought back to the
 * round, lock and valid value it had. A record is a 4-byte big-endian length, the 4-byte CRC32C of
 * the payload, then the {@link WalRecord} payload. The file holds one height (and the early
 * messages of the next, which the core buffers): it is rewritten with only those after each commit.
 */
public final class ConsensusWal implements Wal {

  static final int MAX_RECORD_BYTES = 64 << 20;
  private static final int MAX_AHEAD = 1_000;
  private static final int HEADER_BYTES = 8;
  private static final Logger log = LoggerFactory.getLogger(ConsensusWal.class);

  private final Path file;
  private final FileChannel channel;
  private final List<WalRecord> recovered;

  /** Records of heights above the current one: the core buffers those, so they outlive a commit. */
  private final List<WalRecord> ahead = new ArrayList<>();

  private long height;
  private boolean dirty;

  private ConsensusWal(Path file, FileChannel channel, List<WalRecord> recovered) {
    this.file = file;
    this.channel = channel;
    this.recovered = recovered;
  }

  /**
   * Opens (or creates) the log, reads its records and cuts off a torn or corrupt tail (a crash in
   * the middle of a write) with a WARN, so that appends continue after the last good record.
   */
  public static ConsensusWal open(Path file) {
    try {
      Files.createDirectories(file.getParent());
      FileChannel ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      List<WalRecord> records = new ArrayList<>();
      long size = ch.size();
      long pos = 0;
      String torn = null;
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      while (pos < size) {
        if (size - pos < HEADER_BYTES) {
          torn = "short_header";
          break;
        }
        header.clear();
        readFully(ch, header, pos);
        header.flip();
        int length = header.getInt();
        int crc = header.getInt();
        if (length < 0 || length > MAX_RECORD_BYTES || size - pos - HEADER_BYTES < length) {
          torn = "short_record";
          break;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(ch, payload, pos + HEADER_BYTES);
        byte[] bytes = payload.array();
        if (checksum(bytes) != crc) {
          torn = "checksum";
          break;
        }
        WalRecord r;
        try {
          r = WalRecord.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          torn = "undecodable";
          break;
        }
        records.add(r);
        pos += HEADER_BYTES + length;
      }
      if (torn != null) {
        log.warn(
            "wal tail truncated file={} offset={} dropped_bytes={} reason={}",
            file,
            pos,
            size - pos,
            torn);
        ch.truncate(pos);
        ch.force(true);
      }
      ch.position(pos);
      return new ConsensusWal(file, ch, records);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  /** The records found when the log was opened, oldest first. */
  @Override
  public List<WalRecord> recovered() {
    return recovered;
  }

  /** The height the core works on: records above it are kept by {@link #rotate}. */
  @Override
  public void height(long h) {
    height = h;
  }

  /** Appends a record (written, not yet forced to disk: see {@link #sync}). */
  @Override
  public void append(WalRecord record) {
    if (WalReplay.height(record) > height && ahead.size() < MAX_AHEAD) {
      ahead.add(record);
    }
    byte[] payload = record.toByteArray();
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    buf.putInt(payload.length).putInt(checksum(payload)).put(payload).flip();
    try {
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
    dirty = true;
  }

  /** Forces appended records to disk; called before a signed message leaves the process. */
  @Override
  public void sync() {
    if (!dirty) {
      return;
    }
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync " + file, e);
    }
    dirty = false;
  }

  /**
   * Empties the log after a commit, keeping the records of {@code nextHeight} and above that were
   * logged early: the next height starts from the committed state and those messages.
   */
  @Override
  public void rotate(long nextHeight) {
    List<WalRecord> keep = new ArrayList<>();
    for (WalRecord r : ahead) {
      if (WalReplay.height(r) >= nextHeight) {
        keep.add(r);
      }
    }
    ahead.clear();
    height = nextHeight;
    try {
      channel.truncate(0);
      channel.position(0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot truncate " + file, e);
    }
    keep.forEach(this::append);
    try {
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync " + file, e);
    }
    dirty = false;
  }

  long size() {
    try {
      return channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      if (channel.isOpen()) {
        sync();
        channel.close();
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("wal close failed file={} error={}", file, e.toString());
    }
  }

  private static int checksum(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
