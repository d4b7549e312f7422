package io.peerz.gpu.data;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP client for the data plane: resumable, bounded, with clear errors.
 *
 * <p>It is built on {@link java.net.http.HttpClient}: in the JDK, so the CLI starts no event loop
 * and carries no extra jar for it, and it speaks https to buyer-hosted URLs. An upload asks the
 * server for its offset and sends the rest in chunks of {@link #CHUNK_BYTES} with {@code
 * Content-Range}; a download or fetch of a file already partly on disk asks for the rest with
 * {@code Range}. A failed connection, a server that stops sending for {@code timeout}, and 502, 503
 * and 504 answers are retried with exponential backoff (the count starts again whenever bytes
 * move); other errors end the transfer with the server's code and message.
 */
public final class DataClient {
  /** Bytes per upload request. */
  public static final int CHUNK_BYTES = 8 << 20;

  /** Failed attempts in a row before a transfer gives up. */
  static final int MAX_FAILURES = 6;

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final long MAX_BACKOFF_MILLIS = 8_000;
  private static final long POLL_MILLIS = 100;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final Pattern UNSATISFIED = Pattern.compile("bytes \\*/(\\d+)");
  private static final Logger log = LoggerFactory.getLogger(DataClient.class);

  private final HttpClient http;
  private final Duration timeout;
  private final int chunkBytes;
  private final int maxFailures;
  private final Duration firstBackoff;

  /**
   * A client whose connections and requests time out after {@code timeout}: connecting, each upload
   * chunk until its answer (the last one's includes the server's check of the whole file), a
   * download's headers, and any silence while a body streams.
   */
  public DataClient(Duration timeout) {
    this(timeout, CHUNK_BYTES, MAX_FAILURES, FIRST_BACKOFF);
  }

  DataClient(Duration timeout, int chunkBytes, int maxFailures, Duration firstBackoff) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    this.timeout = timeout;
    this.chunkBytes = chunkBytes;
    this.maxFailures = maxFailures;
    this.firstBackoff = firstBackoff;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /**
   * Uploads a file as an input of a job; resumes from the server's offset; returns the server's
   * JSON answer ({@code {"verified": true, ...}}).
   */
  public String upload(URI base, long jobId, String name, Path file) throws DataTransferException {
    URI uri = jobUri(base, jobId, "inputs", name);
    long size = localSize(file);
    String what = "upload of " + file + " to " + uri;
    Attempts attempts = new Attempts(what);
    while (true) {
      InputState state;
      try {
        state = inputState(what, uri);
      } catch (IOException e) {
        attempts.failed(e);
        continue;
      }
      if (state.length() != size) {
        throw new DataTransferException(
            DataError.WRONG_SIZE,
            what
                + ": the job expects "
                + state.length()
                + " bytes and the file holds "
                + size
                + ": is this the file the job committed to?");
      }
      if (state.state().equals("verified")) {
        return state.json();
      }
      if (state.state().equals("checking")) {
        attempts.failed(new IOException("the server is still checking the complete file"));
        continue;
      }
      long offset = state.offset();
      if (offset > 0) {
        log.info("data upload resumed uri={} offset={} size={}", uri, offset, size);
      }
      try {
        while (true) {
          long end = Math.min(offset + chunkBytes, size);
          HttpResponse<String> r = send(putChunk(uri, file, offset, end, size));
          int status = r.statusCode();
          if (status == 201) {
            return r.body();
          }
          if (status == 200) {
            long now = header(what, r, "Upload-Offset");
            if (now <= offset) {
              throw new DataTransferException(
                  r.statusCode(),
                  DataError.BAD_RESPONSE.code(),
                  what + ": the server took a chunk but its offset stayed at " + now,
                  null);
            }
            offset = now;
            attempts.progressed();
            continue;
          }
          Optional<JsonBody.ErrorBody> error = JsonBody.parseError(r.body());
          boolean lostRace =
              status == 409
                  && error.isPresent()
                  && (error.get().code().equals(DataError.WRONG_OFFSET.code())
                      || error.get().code().equals(DataError.UPLOAD_IN_PROGRESS.code()));
          if (lostRace || retryable(status)) {
            throw new IOException(
                "HTTP " + status + error.map(e -> " " + e.code() + ": " + e.message()).orElse(""));
          }
          throw failure(what, r.statusCode(), r.body());
        }
      } catch (IOException e) {
        attempts.failed(e);
      }
    }
  }

  /** Downloads an output of a job; resumes a partial {@code out} with a Range request. */
  public void download(URI base, long jobId, String name, Path out) throws DataTransferException {
    download(base, jobId, name, out, Long.MAX_VALUE);
  }

  /** As {@link #download(URI, long, String, Path)}, refusing a file over {@code maxBytes}. */
  public void download(URI base, long jobId, String name, Path out, long maxBytes)
      throws DataTransferException {
    URI uri = jobUri(base, jobId, "outputs", name);
    transfer("download of " + uri + " to " + out, uri, out, maxBytes);
  }

  /**
   * Downloads any http(s) URL (e.g. one {@code peerz data serve} serves) to {@code out}, at most
   * {@code maxBytes}, resuming a partial {@code out}.
   */
  public void fetch(URI url, Path out, long maxBytes) throws DataTransferException {
    String scheme = url.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new DataTransferException(
          DataError.BAD_REQUEST, "only http and https URLs can be fetched, not " + url);
    }
    transfer("fetch of " + url + " to " + out, url, out, maxBytes);
  }

  private void transfer(String what, URI uri, Path out, long maxBytes)
      throws DataTransferException {
    Attempts attempts = new Attempts(what);
    boolean restarted = false;
    while (true) {
      long have = localSizeOrZero(out);
      if (have > maxBytes) {
        truncate(out);
        have = 0;
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
      if (have > 0) {
        request.header("Range", "bytes=" + have + "-");
      }
      long from = have;
      AtomicReference<FileSink> sink = new AtomicReference<>();
      AtomicReference<DataTransferException> refused = new AtomicReference<>();
      AtomicLong total = new AtomicLong(-1);
      HttpResponse.BodyHandler<Object> handler =
          info -> body(what, info, out, from, maxBytes, sink, refused, total);
      HttpResponse<Object> r;
      try {
        r = awaitFile(http.sendAsync(request.build(), handler), sink);
      } catch (IOException e) {
        if (refused.get() != null) {
          throw refused.get();
        }
        FileSink s = sink.get();
        if (s != null && s.overLimit()) {
          deleteQuietly(out);
          throw new DataTransferException(
              DataError.RESPONSE_TOO_LARGE,
              what + ": the file is larger than the " + maxBytes + " bytes allowed");
        }
        if (s != null && s.written() > 0) {
          attempts.progressed();
        }
        attempts.failed(e);
        continue;
      }
      if (refused.get() != null) {
        throw refused.get();
      }
      int status = r.statusCode();
      if (status == 200 || status == 206) {
        long size = localSizeOrZero(out);
        if (total.get() >= 0 && size != total.get()) {
          attempts.failed(new IOException("the body ended at byte " + size + " of " + total.get()));
          continue;
        }
        log.info("data transfer done uri={} bytes={} resumed_at={}", uri, size, from);
        return;
      }
      String text = (String) r.body();
      if (status == 416 && have > 0) {
        Matcher m = UNSATISFIED.matcher(r.headers().firstValue("Content-Range").orElse("").trim());
        if (m.matches() && Long.parseLong(m.group(1)) == have) {
          log.info("data transfer already complete uri={} bytes={}", uri, have);
          return;
        }
        if (!restarted) {
          // The partial file is not a prefix of this one (longer, or another file): start over.
          restarted = true;
          truncate(out);
          continue;
        }
      }
      if (retryable(status)) {
        attempts.failed(new IOException("HTTP " + status));
        continue;
      }
      throw failure(what, status, text);
    }
  }

  /** Where a response body goes: 200/206 to the file at the right offset, anything else to text. */
  private HttpResponse.BodySubscriber<Object> body(
      String what,
      HttpResponse.ResponseInfo info,
      Path out,
      long have,
      long maxBytes,
      AtomicReference<FileSink> sink,
      AtomicReference<DataTransferException> refused,
      AtomicLong total) {
    int status = info.statusCode();
    if (status != 200 && status != 206) {
      return HttpResponse.BodySubscribers.mapping(new TextSink(), s -> s);
    }
    long first;
    long size;
    if (status == 206) {
      Matcher m =
          CONTENT_RANGE.matcher(info.headers().firstValue("Content-Range").orElse("").trim());
      if (!m.matches() || Long.parseLong(m.group(1)) != have) {
        refused.set(
            new DataTransferException(
                status,
                DataError.BAD_RESPONSE.code(),
                what
                    + ": asked for the bytes from "
                    + have
                    + ", the server sent Content-Range '"
                    + info.headers().firstValue("Content-Range").orElse("")
                    + "'",
                null));
        return refusing();
      }
      first = have;
      size = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
    } else {
      first = 0;
      size = info.headers().firstValueAsLong("Content-Length").orElse(-1);
    }
    if (size > maxBytes) {
      refused.set(
          new DataTransferException(
              DataError.RESPONSE_TOO_LARGE,
              what + ": the file is " + size + " bytes, more than the " + maxBytes + " allowed"));
      return refusing();
    }
    try {
      FileChannel channel =
          FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      channel.truncate(first);
      channel.position(first);
      FileSink s = new FileSink(channel, maxBytes - first);
      sink.set(s);
      total.set(size);
      return HttpResponse.BodySubscribers.mapping(s, n -> n);
    } catch (IOException e) {
      refused.set(
          new DataTransferException(
              DataError.LOCAL_FILE, what + ": cannot write " + out + ": " + e.getMessage(), e));
      return refusing();
    }
  }

  /** Waits for a file response; drops it when no byte arrived for {@code timeout}. */
  private HttpResponse<Object> awaitFile(
      CompletableFuture<HttpResponse<Object>> response, AtomicReference<FileSink> sink)
      throws IOException, DataTransferException {
    long stallNanos = timeout.toNanos();
    while (true) {
      try {
        return response.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        FileSink s = sink.get();
        if (s != null && System.nanoTime() - s.lastProgressNanos() > stallNanos) {
          s.fail(
              new HttpTimeoutException(
                  "no byte arrived for " + timeout.toMillis() + " ms; dropped the connection"));
        }
      } catch (ExecutionException e) {
        throw asIo(e.getCause());
      } catch (InterruptedException e) {
        response.cancel(true);
        FileSink s = sink.get();
        if (s != null) {
          s.fail(new IOException("interrupted"));
        }
        Thread.currentThread().interrupt();
        throw new DataTransferException(DataError.CONNECTION_FAILED, "interrupted");
      }
    }
  }

  /** Sends a request whose answer is small text. */
  private HttpResponse<String> send(HttpRequest request) throws IOException, DataTransferException {
    CompletableFuture<HttpResponse<String>> response =
        http.sendAsync(request, info -> new TextSink());
    try {
      // The client's own timeout covers the answer's headers; this bounds its (small) body too.
      return response.get(2 * timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      response.cancel(true);
      throw new HttpTimeoutException(
          request.method()
              + " "
              + request.uri()
              + ": no answer within "
              + timeout.toMillis()
              + " ms");
    } catch (ExecutionException e) {
      throw asIo(e.getCause());
    } catch (InterruptedException e) {
      response.cancel(true);
      Thread.currentThread().interrupt();
      throw new DataTransferException(DataError.CONNECTION_FAILED, "interrupted");
    }
  }

  private InputState inputState(String what, URI uri) throws IOException, DataTransferException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build());
    if (r.statusCode() == 200) {
      return new InputState(
          header(what, r, "Upload-Offset"),
          header(what, r, "Upload-Length"),
          r.headers().firstValue("Upload-State").orElse("receiving"),
          r.body());
    }
    if (retryable(r.statusCode())) {
      throw new IOException("HTTP " + r.statusCode());
    }
    throw failure(what, r.statusCode(), r.body());
  }

  private HttpRequest putChunk(URI uri, Path file, long from, long to, long size) {
    return HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + size)
        .PUT(
            HttpRequest.BodyPublishers.fromPublisher(
                new FileSlicePublisher(file, from, to - from), to - from))
        .build();
  }

  /** Where an upload stands on the server. */
  private record InputState(long offset, long length, String state, String json) {}

  /** Counts failed attempts in a row and waits between them. */
  private final class Attempts {
    private final String what;
    private int failures;

    Attempts(String what) {
      this.what = what;
    }

    void progressed() {
      failures = 0;
    }

    void failed(IOException cause) throws DataTransferException {
      failures++;
      if (failures >= maxFailures) {
        throw new DataTransferException(
            DataError.CONNECTION_FAILED,
            what + ": gave up after " + failures + " failed attempts in a row: " + describe(cause),
            cause);
      }
      long wait =
          Math.min(MAX_BACKOFF_MILLIS, firstBackoff.toMillis() << Math.min(20, failures - 1));
      log.info(
          "data transfer retry what=\"{}\" attempt={} wait_ms={} cause=\"{}\"",
          what,
          failures,
          wait,
          describe(cause));
      try {
        Thread.sleep(wait); // backoff between network attempts, not a wait for a condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DataTransferException(DataError.CONNECTION_FAILED, what + ": interrupted");
      }
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  private static boolean retryable(int status) {
    return status == 502 || status == 503 || status == 504;
  }

  private static DataTransferException failure(String what, int status, String body) {
    Optional<JsonBody.ErrorBody> error = JsonBody.parseError(body == null ? "" : body);
    if (error.isPresent()) {
      return new DataTransferException(
          status,
          error.get().code(),
          what + ": HTTP " + status + ", " + error.get().code() + ": " + error.get().message(),
          null);
    }
    String text = body == null ? "" : body.strip();
    return new DataTransferException(
        status,
        DataError.HTTP_ERROR.code(),
        what + ": HTTP " + status + (text.isEmpty() ? "" : ": " + ByteRange.clip(text)),
        null);
  }

  private static long header(String what, HttpResponse<?> r, String name)
      throws DataTransferException {
    Optional<String> value = r.headers().firstValue(name);
    try {
      return Long.parseLong(value.orElseThrow().trim());
    } catch (RuntimeException e) {
      throw new DataTransferException(
          r.statusCode(),
          DataError.BAD_RESPONSE.code(),
          what + ": the answer has no valid " + name + " header: is this a peerz data server?",
          null);
    }
  }

  private static IOException asIo(Throwable cause) {
    return cause instanceof IOException io ? io : new IOException(describe(cause), cause);
  }

  private static URI jobUri(URI base, long jobId, String kind, String name) {
    if (!DataServer.isValidName(name)) {
      throw new IllegalArgumentException(
          "name must match " + DataServer.NAME.pattern() + " (e.g. a.npy), got '" + name + "'");
    }
    String b = base.toString();
    while (b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    return URI.create(b + "/v1/jobs/" + Long.toUnsignedString(jobId) + "/" + kind + "/" + name);
  }

  private static long localSize(Path file) throws DataTransferException {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new DataTransferException(
          DataError.LOCAL_FILE, "cannot read " + file + ": " + describe(e), e);
    }
  }

  private static long localSizeOrZero(Path file) throws DataTransferException {
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new DataTransferException(
          DataError.LOCAL_FILE, "cannot read " + file + ": " + describe(e), e);
    }
  }

  private static void truncate(Path file) throws DataTransferException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(0);
    } catch (IOException e) {
      throw new DataTransferException(
          DataError.LOCAL_FILE, "cannot truncate " + file + ": " + describe(e), e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.debug("data partial download not deleted file={} cause={}", file, e.toString());
    }
  }

  /** A body not to read: the subscription is cancelled (the connection dropped) at once. */
  private static HttpResponse.BodySubscriber<Object> refusing() {
    return new HttpResponse.BodySubscriber<>() {
      private final CompletableFuture<Object> done = new CompletableFuture<>();

      @Override
      public CompletionStage<Object> getBody() {
        return done;
      }

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        subscription.cancel();
        done.complete(null);
      }

      @Override
      public void onNext(List<ByteBuffer> item) {}

      @Override
      public void onError(Throwable throwable) {
        done.complete(null);
      }

      @Override
      public void onComplete() {
        done.complete(null);
      }
    };
  }
}
