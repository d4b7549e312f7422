package io.peerz.gpu.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes {@code [first, first + length)} of a file as a request body, read on demand in buffers
 * of {@link #BUFFER_BYTES}: an upload chunk never sits whole in memory.
 */
final class FileSlicePublisher implements Flow.Publisher<ByteBuffer> {
  /** Large enough that the per-buffer cost of the HTTP client is small beside the copy. */
  static final int BUFFER_BYTES = 256 * 1024;

  private final Path file;
  private final long first;
  private final long length;

  FileSlicePublisher(Path file, long first, long length) {
    this.file = file;
    this.first = first;
    this.length = length;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    subscriber.onSubscribe(new Slice(subscriber));
  }

  /** One subscriber's reading of the slice (the client subscribes again when it resends). */
  private final class Slice implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger draining = new AtomicInteger();
    private FileChannel channel;
    private long next = first;
    private volatile boolean stopped;

    Slice(Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        stop();
        subscriber.onError(new IllegalArgumentException("request(" + n + "): must be positive"));
        return;
      }
      demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      drain();
    }

    @Override
    public void cancel() {
      stop();
    }

    /** Emits while there is demand; one thread at a time, the others leave it their requests. */
    private void drain() {
      if (draining.getAndIncrement() != 0) {
        return;
      }
      do {
        while (!stopped && demand.get() > 0) {
          if (next == first + length) {
            stop();
            subscriber.onComplete();
            return;
          }
          ByteBuffer buf;
          try {
            buf = read();
          } catch (IOException e) {
            stop();
            subscriber.onError(e);
            return;
          }
          demand.decrementAndGet();
          subscriber.onNext(buf);
        }
        if (!stopped && next == first + length) {
          stop();
          subscriber.onComplete();
          return;
        }
      } while (draining.decrementAndGet() != 0);
    }

    private ByteBuffer read() throws IOException {
      if (channel == null) {
        channel = FileChannel.open(file, StandardOpenOption.READ);
      }
      int size = (int) Math.min(BUFFER_BYTES, first + length - next);
      ByteBuffer buf = ByteBuffer.allocate(size);
      while (buf.hasRemaining()) {
        int n = channel.read(buf, next + buf.position());
        if (n < 0) {
          throw new IOException(
              file + " ended at byte " + (next + buf.position()) + " while it was uploaded");
        }
      }
      next += size;
      return buf.flip();
    }

    private void stop() {
      stopped = true;
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          // nothing more will be read
        }
      }
    }
  }
}
