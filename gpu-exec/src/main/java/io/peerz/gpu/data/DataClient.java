package io.peerz.gpu.data;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP client for the data plane: resumable, bounded, with clear errors.
 *
 * <p>It runs on Netty, like the server, rather than on {@code java.net.http.HttpClient}: the JDK
 * client copies every byte through heap buffers (twice the CPU per byte on the loopback benchmark)
 * and cannot hand a file to the kernel, while here an upload over plain HTTP is sent with {@code
 * sendfile} and a download is written to disk from the network's direct buffers. Each call runs its
 * own one-thread event loop, closed when it returns, so the client holds no threads between calls;
 * https goes through the JDK's TLS with the host name checked.
 *
 * <p>An upload asks the server for its offset and sends the rest in chunks of {@link #CHUNK_BYTES}
 * with {@code Content-Range}; a download or fetch of a file already partly on disk asks for the
 * rest with {@code Range}. A failed connection, a server that moves no byte for {@code timeout},
 * and 502, 503 and 504 answers are retried with exponential backoff (the count starts again
 * whenever bytes beyond the most ever held arrive); other errors end the transfer with the server's
 * code and message.
 */
public final class DataClient {
  /** Bytes per upload request. */
  public static final int CHUNK_BYTES = 8 << 20;

  /** Failed attempts in a row before a transfer gives up. */
  static final int MAX_FAILURES = 6;

  /** Redirects a fetch follows. */
  static final int MAX_REDIRECTS = 5;

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final long MAX_BACKOFF_MILLIS = 8_000;
  private static final int TLS_CHUNK_BYTES = 256 * 1024;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final Pattern UNSATISFIED = Pattern.compile("bytes \\*/(\\d+)");
  private static final Logger log = LoggerFactory.getLogger(DataClient.class);

  private final Duration timeout;
  private final int chunkBytes;
  private final int maxFailures;
  private final Duration firstBackoff;
  private final SslContext trust;
  private final ByteCount bytes = new ByteCount();
  private SslContext tls;

  /**
   * A client whose connections and transfers time out after {@code timeout} without a byte moving
   * either way. It should exceed the server's check of the largest input (the last chunk's answer
   * waits for it); a transfer that times out there still ends well, by asking the server again.
   */
  public DataClient(Duration timeout) {
    this(timeout, CHUNK_BYTES, MAX_FAILURES, FIRST_BACKOFF, null);
  }

  /** The bytes this client received (downloads, fetches) and sent (uploads) over every call. */
  public ByteCount.Totals bytes() {
    return bytes.totals();
  }

  /** For tests: chunk size, retries, backoff, and the TLS context (null: the JDK's trust store). */
  DataClient(
      Duration timeout, int chunkBytes, int maxFailures, Duration firstBackoff, SslContext trust) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    this.timeout = timeout;
    this.chunkBytes = chunkBytes;
    this.maxFailures = maxFailures;
    this.firstBackoff = firstBackoff;
    this.trust = trust;
  }

  DataClient(Duration timeout, int chunkBytes, int maxFailures, Duration firstBackoff) {
    this(timeout, chunkBytes, maxFailures, firstBackoff, null);
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
    try (Session session = new Session()) {
      while (true) {
        InputState state;
        try {
          state = inputState(session, what, uri);
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
            ClientConnection.Response r =
                session.send(
                    uri,
                    request(HttpMethod.PUT, uri)
                        .tap(HttpHeaderNames.CONTENT_LENGTH, Long.toString(end - offset))
                        .tap(
                            HttpHeaderNames.CONTENT_RANGE,
                            "bytes " + offset + "-" + (end - 1) + "/" + size)
                        .request(),
                    bodyOf(uri, file, offset, end - offset),
                    head -> new TextSink());
            int status = r.status();
            if (status == 201) {
              return r.text();
            }
            if (status == 200) {
              long now = header(what, r, "Upload-Offset");
              if (now <= offset) {
                throw new DataTransferException(
                    status,
                    DataError.BAD_RESPONSE.code(),
                    what + ": the server took a chunk but its offset stayed at " + now,
                    null);
              }
              offset = now;
              attempts.progressed();
              continue;
            }
            Optional<JsonBody.ErrorBody> error = JsonBody.parseError(r.text());
            boolean lostRace =
                status == 409
                    && error.isPresent()
                    && (error.get().code().equals(DataError.WRONG_OFFSET.code())
                        || error.get().code().equals(DataError.UPLOAD_IN_PROGRESS.code()));
            if (lostRace || retryable(status)) {
              throw new IOException(
                  "HTTP "
                      + status
                      + error.map(e -> " " + e.code() + ": " + e.message()).orElse(""));
            }
            throw failure(what, status, r.text());
          }
        } catch (IOException e) {
          attempts.failed(e);
        }
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
   * {@code maxBytes}, resuming a partial {@code out}; follows up to {@link #MAX_REDIRECTS}
   * redirects.
   */
  public void fetch(URI url, Path out, long maxBytes) throws DataTransferException {
    String scheme = url.getScheme();
    if ((!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme))
        || url.getHost() == null) {
      throw new DataTransferException(
          DataError.BAD_REQUEST, "only http and https URLs can be fetched, not " + url);
    }
    transfer("fetch of " + url + " to " + out, url, out, maxBytes);
  }

  private void transfer(String what, URI start, Path out, long maxBytes)
      throws DataTransferException {
    Attempts attempts = new Attempts(what);
    boolean restarted = false;
    int redirects = 0;
    URI uri = start;
    long best = localSizeOrZero(out);
    try (Session session = new Session()) {
      while (true) {
        long have = localSizeOrZero(out);
        if (have > maxBytes) {
          truncate(out);
          have = 0;
        }
        Request request = request(HttpMethod.GET, uri);
        if (have > 0) {
          request.tap(HttpHeaderNames.RANGE, "bytes=" + have + "-");
        }
        long from = have;
        long[] total = {-1};
        ClientConnection.Response r;
        try {
          r =
              session.send(
                  uri,
                  request.request(),
                  null,
                  head -> target(what, head, out, from, maxBytes, total));
        } catch (ClientConnection.Refused e) {
          throw e.reason;
        } catch (FileSink.OverLimit e) {
          deleteQuietly(out);
          throw new DataTransferException(
              DataError.RESPONSE_TOO_LARGE,
              what + ": the file is larger than the " + maxBytes + " bytes allowed");
        } catch (IOException e) {
          // Only bytes beyond the most ever held count as progress: a server that sends the
          // same first bytes and stalls every time must not be retried forever.
          long held = localSizeOrZero(out);
          if (held > best) {
            best = held;
            attempts.progressed();
          }
          attempts.failed(e);
          continue;
        }
        int status = r.status();
        if (status == 200 || status == 206) {
          long size = localSizeOrZero(out);
          if (total[0] >= 0 && size != total[0]) {
            attempts.failed(new IOException("the body ended at byte " + size + " of " + total[0]));
            continue;
          }
          log.info("data transfer done uri={} bytes={} resumed_at={}", uri, size, from);
          return;
        }
        String location = r.headers().get(HttpHeaderNames.LOCATION);
        if (status / 100 == 3 && location != null) {
          if (++redirects > MAX_REDIRECTS) {
            throw new DataTransferException(
                status,
                DataError.BAD_RESPONSE.code(),
                what + ": more than " + MAX_REDIRECTS + " redirects",
                null);
          }
          uri = uri.resolve(location.trim());
          continue;
        }
        if (status == 416 && have > 0) {
          String range = r.headers().get(HttpHeaderNames.CONTENT_RANGE);
          Matcher m = UNSATISFIED.matcher(range == null ? "" : range.trim());
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
        throw failure(what, status, r.text());
      }
    }
  }

  /** Where a response body goes: 200/206 to the file at the right offset, anything else to text. */
  private static BodySink target(
      String what, HttpResponse head, Path out, long have, long maxBytes, long[] total)
      throws IOException {
    int status = head.status().code();
    if (status != 200 && status != 206) {
      return new TextSink();
    }
    long first;
    long size;
    if (status == 206) {
      String range = head.headers().get(HttpHeaderNames.CONTENT_RANGE);
      Matcher m = CONTENT_RANGE.matcher(range == null ? "" : range.trim());
      if (!m.matches() || Long.parseLong(m.group(1)) != have) {
        throw new ClientConnection.Refused(
            new DataTransferException(
                status,
                DataError.BAD_RESPONSE.code(),
                what
                    + ": asked for the bytes from "
                    + have
                    + ", the server sent Content-Range '"
                    + range
                    + "'",
                null));
      }
      first = have;
      size = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
    } else {
      first = 0;
      String length = head.headers().get(HttpHeaderNames.CONTENT_LENGTH);
      size = length == null ? -1 : Long.parseLong(length.trim());
    }
    if (size > maxBytes) {
      throw new ClientConnection.Refused(
          new DataTransferException(
              DataError.RESPONSE_TOO_LARGE,
              what + ": the file is " + size + " bytes, more than the " + maxBytes + " allowed"));
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      channel.truncate(first);
      channel.position(first);
    } catch (IOException e) {
      throw new ClientConnection.Refused(
          new DataTransferException(
              DataError.LOCAL_FILE, what + ": cannot write " + out + ": " + describe(e), e));
    }
    total[0] = size;
    return new FileSink(channel, maxBytes - first);
  }

  private InputState inputState(Session session, String what, URI uri)
      throws IOException, DataTransferException {
    ClientConnection.Response r =
        session.send(uri, request(HttpMethod.GET, uri).request(), null, head -> new TextSink());
    if (r.status() == 200) {
      String state = r.headers().get("Upload-State");
      return new InputState(
          header(what, r, "Upload-Offset"),
          header(what, r, "Upload-Length"),
          state == null ? "receiving" : state,
          r.text());
    }
    if (retryable(r.status())) {
      throw new IOException("HTTP " + r.status());
    }
    throw failure(what, r.status(), r.text());
  }

  /** A chunk of the file as a request body: by sendfile over TCP, read in pieces over TLS. */
  private static RequestBody bodyOf(URI uri, Path file, long from, long length) {
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      return () ->
          new ChunkedNioFile(
              FileChannel.open(file, StandardOpenOption.READ), from, length, TLS_CHUNK_BYTES);
    }
    return () -> new DefaultFileRegion(file.toFile(), from, length);
  }

  /** Opens a request body once the connection is up (the channel then owns and releases it). */
  @FunctionalInterface
  private interface RequestBody {
    Object open() throws IOException;
  }

  private static Request request(HttpMethod method, URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, path);
    request
        .headers()
        .set(
            HttpHeaderNames.HOST,
            uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort())
        .set(HttpHeaderNames.USER_AGENT, "peerz-data")
        .set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
    return new Request(request);
  }

  /** A request being built. */
  private record Request(HttpRequest request) {
    Request tap(CharSequence name, String value) {
      request.headers().set(name, value);
      return this;
    }
  }

  /** Where an upload stands on the server. */
  private record InputState(long offset, long length, String state, String json) {}

  /**
   * The connections of one call: its own event loop thread and the open connection, reused while
   * the server keeps it alive; closed when the call returns.
   */
  private final class Session implements AutoCloseable {
    private final EventLoopGroup group =
        new NioEventLoopGroup(1, new DefaultThreadFactory("data-client", true));
    private ClientConnection connection;

    ClientConnection.Response send(
        URI uri, HttpRequest request, RequestBody body, ClientConnection.BodyTarget target)
        throws IOException, DataTransferException {
      try {
        if (connection != null
            && (!connection.reusable()
                || !connection.origin().equals(ClientConnection.origin(uri)))) {
          connection.close();
          connection = null;
        }
        if (connection == null) {
          connection = ClientConnection.open(group, uri, timeout, DataClient.this::tls, bytes);
        }
        return connection.send(request, body == null ? null : body.open(), target);
      } catch (IOException e) {
        if (connection != null) {
          connection.close();
          connection = null;
        }
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DataTransferException(
            DataError.CONNECTION_FAILED, request.uri() + ": interrupted");
      }
    }

    @Override
    public void close() {
      if (connection != null) {
        connection.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** The TLS context: the caller's, or one trusting the JDK's certificate authorities. */
  private synchronized SslContext tls() {
    if (tls == null) {
      try {
        tls = trust != null ? trust : SslContextBuilder.forClient().build();
      } catch (SSLException e) {
        throw new UncheckedIOException("cannot set up TLS: " + e.getMessage(), e);
      }
    }
    return tls;
  }

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

  private static long header(String what, ClientConnection.Response r, String name)
      throws DataTransferException {
    String value = r.headers().get(name);
    try {
      return Long.parseLong(value.trim());
    } catch (RuntimeException e) {
      throw new DataTransferException(
          r.status(),
          DataError.BAD_RESPONSE.code(),
          what + ": the answer has no valid " + name + " header: is this a peerz data server?",
          null);
    }
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
}
