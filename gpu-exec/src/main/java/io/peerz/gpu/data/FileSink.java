package io.peerz.gpu.data;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body written to a file as it arrives, at most {@code limit} bytes (past it the
 * transfer is cancelled), with the time of the last progress so a stalled server can be dropped.
 * Its body is the count of bytes written.
 */
final class FileSink implements HttpResponse.BodySubscriber<Long> {
  private final FileChannel channel;
  private final long limit;
  private final CompletableFuture<Long> result = new CompletableFuture<>();
  private volatile Flow.Subscription subscription;
  private volatile long written;
  private volatile long lastProgressNanos = System.nanoTime();
  private volatile boolean overLimit;

  FileSink(FileChannel channel, long limit) {
    this.channel = channel;
    this.limit = limit;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) {
      return;
    }
    try {
      long n = 0;
      for (ByteBuffer b : buffers) {
        n += b.remaining();
      }
      if (written + n > limit) {
        overLimit = true;
        fail(new IOException("the body passes the limit of " + limit + " bytes"));
        return;
      }
      ByteBuffer[] array = buffers.toArray(ByteBuffer[]::new);
      long left = n;
      while (left > 0) {
        left -= channel.write(array);
      }
      written += n;
      lastProgressNanos = System.nanoTime();
    } catch (IOException e) {
      fail(e);
    }
  }

  @Override
  public void onError(Throwable t) {
    close();
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    close();
    result.complete(written);
  }

  @Override
  public CompletionStage<Long> getBody() {
    return result;
  }

  /** Bytes written so far. */
  long written() {
    return written;
  }

  /** True when the body passed the limit. */
  boolean overLimit() {
    return overLimit;
  }

  /** When bytes last arrived, in {@link System#nanoTime()} terms. */
  long lastProgressNanos() {
    return lastProgressNanos;
  }

  /** Stops the transfer: the connection is dropped and the body fails with {@code cause}. */
  void fail(IOException cause) {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    close();
    result.completeExceptionally(cause);
  }

  private void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // the bytes written are on their way to disk; nothing more is written
    }
  }
}
