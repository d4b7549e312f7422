package io.peerz.gpu.data;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A small response body (an answer, an error) as text: at most {@link #MAX_BYTES} are kept and the
 * rest of a larger one is not read (the connection is dropped instead).
 */
final class TextSink implements HttpResponse.BodySubscriber<String> {
  static final int MAX_BYTES = 64 * 1024;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<String> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int take = Math.min(b.remaining(), MAX_BYTES - bytes.size());
      byte[] chunk = new byte[take];
      b.get(chunk);
      bytes.write(chunk, 0, take);
    }
    if (bytes.size() >= MAX_BYTES && !result.isDone()) {
      subscription.cancel();
      result.complete(text());
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(text());
  }

  @Override
  public CompletionStage<String> getBody() {
    return result;
  }

  private String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
