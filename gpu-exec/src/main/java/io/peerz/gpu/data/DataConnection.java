package io.peerz.gpu.data;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * One connection to a {@link DataServer}: routes {@code /v1/status} and {@code
 * /v1/jobs/{id}/inputs|outputs/{name}}, streams an upload's body to its partial file as it arrives
 * (never holding more than about a megabyte of it), and answers the last chunk once the input's
 * check has run.
 */
final class DataConnection extends HttpConnection {
  /** Body bytes gathered before one write to the partial file. */
  private static final int WRITE_BATCH_BYTES = 1 << 20;

  private static final Pattern JOB_PATH =
      Pattern.compile("/v1/jobs/([0-9]{1,19})/(inputs|outputs)/([^/]*)");

  private final DataServer server;
  private final JobFiles files;

  // The upload this connection is receiving, if any.
  private InputSlot upload;
  private FileChannel file;
  private long position;
  private final List<ByteBuf> pending = new ArrayList<>();
  private long pendingBytes;

  DataConnection(DataServer server) {
    super(LoggerFactory.getLogger(DataServer.class), server.limits().idleTimeout());
    this.server = server;
    this.files = server.files();
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
    String path = rawPath(req.uri());
    HttpMethod method = req.method();
    if (path.equals("/v1/status")) {
      if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
        sendJson(ctx, HttpResponseStatus.OK, status());
      } else {
        notAllowed(ctx, "GET, HEAD");
      }
      return;
    }
    Matcher m = JOB_PATH.matcher(path);
    if (!m.matches()) {
      if (path.startsWith("/v1/jobs/")) {
        sendError(
            ctx,
            DataError.BAD_REQUEST,
            "job paths are /v1/jobs/{job id}/inputs/{name} and /v1/jobs/{job id}/outputs/{name}"
                + " with a decimal job id; got '"
                + ByteRange.clip(path)
                + "'");
      } else {
        sendError(
            ctx,
            DataError.NOT_FOUND,
            "no such endpoint '"
                + ByteRange.clip(path)
                + "': this data server answers /v1/status, /v1/jobs/{job id}/inputs/{name} and"
                + " /v1/jobs/{job id}/outputs/{name}");
      }
      return;
    }
    long jobId;
    try {
      jobId = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      sendError(ctx, DataError.BAD_REQUEST, "job id " + m.group(1) + " is out of range");
      return;
    }
    String name = m.group(3);
    if (!DataServer.isValidName(name)) {
      sendError(
          ctx,
          DataError.BAD_REQUEST,
          "'"
              + ByteRange.clip(name)
              + "' is not a data name: names match "
              + DataServer.NAME.pattern()
              + " (e.g. a.npy)");
      return;
    }
    if (m.group(2).equals("inputs")) {
      if (method.equals(HttpMethod.PUT)) {
        startUpload(ctx, req, jobId, name);
      } else if (method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.GET)) {
        inputState(ctx, jobId, name);
      } else {
        notAllowed(ctx, "PUT, HEAD, GET");
      }
    } else if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
      JobFiles.Output out = files.output(jobId, name);
      if (out == null) {
        List<String> names = files.outputNames(jobId);
        sendError(
            ctx,
            DataError.NOT_FOUND,
            names.isEmpty()
                ? executorName()
                    + " has no output of job "
                    + jobId
                    + ": it is not computed yet, its retention is over, or the job is assigned"
                    + " to another executor"
                : "job " + jobId + " has no output " + name + " here; it has " + names);
        return;
      }
      sendFile(ctx, req, out.file());
    } else {
      notAllowed(ctx, "GET, HEAD");
    }
  }

  private void startUpload(ChannelHandlerContext ctx, HttpRequest req, long jobId, String name) {
    InputSlot slot = files.slot(jobId, name);
    if (slot == null) {
      List<String> names = files.inputNames(jobId);
      sendError(
          ctx,
          DataError.NOT_FOUND,
          names.isEmpty()
              ? executorName()
                  + " expects no input of job "
                  + jobId
                  + ": upload to the executor the job is assigned to (its data URL is in the"
                  + " executor's registration), once the job is assigned"
              : "job " + jobId + " expects inputs " + names + " here, not " + name);
      return;
    }
    if (HttpUtil.isTransferEncodingChunked(req) || !HttpUtil.isContentLengthSet(req)) {
      sendError(
          ctx,
          DataError.LENGTH_REQUIRED,
          "an upload needs Content-Length (chunked transfer encoding is not taken); send the file"
              + " or a chunk of it with its length");
      return;
    }
    long length = HttpUtil.getContentLength(req, -1L);
    String range = req.headers().get(HttpHeaderNames.CONTENT_RANGE);
    long first;
    boolean whole = range == null;
    if (whole) {
      if (length > slot.size) {
        tooLarge(ctx, slot, "Content-Length " + length);
        return;
      }
      if (length != slot.size) {
        sendError(
            ctx,
            DataError.WRONG_SIZE,
            "a PUT without Content-Range carries the whole file: "
                + name
                + " of job "
                + jobId
                + " is "
                + slot.size
                + " bytes, this one "
                + length
                + "; send chunks with Content-Range: bytes FIRST-LAST/"
                + slot.size);
        return;
      }
      first = 0;
    } else {
      ContentRange chunk;
      try {
        chunk = ContentRange.parse(range);
      } catch (DataRejectedException e) {
        sendError(ctx, DataError.BAD_CONTENT_RANGE, e.getMessage());
        return;
      }
      if (chunk.total() > slot.size || length > slot.size) {
        tooLarge(ctx, slot, "Content-Range total " + chunk.total() + ", Content-Length " + length);
        return;
      }
      if (chunk.total() != slot.size) {
        sendError(
            ctx,
            DataError.WRONG_SIZE,
            name
                + " of job "
                + jobId
                + " is "
                + slot.size
                + " bytes, not "
                + chunk.total()
                + ": is this the file the job committed to?");
        return;
      }
      if (chunk.length() != length) {
        sendError(
            ctx,
            DataError.BAD_CONTENT_RANGE,
            "Content-Range "
                + range
                + " is "
                + chunk.length()
                + " bytes but Content-Length is "
                + length);
        return;
      }
      first = chunk.first();
    }
    try {
      file = files.begin(slot, this, first, whole);
    } catch (DataRejectedException e) {
      DataError error = errorOf(e);
      sendError(
          ctx,
          error.code(),
          HttpResponseStatus.valueOf(error.httpStatus()),
          e.getMessage(),
          "Upload-Offset",
          Long.toString(slot.offset),
          "Upload-Length",
          Long.toString(slot.size));
      return;
    }
    upload = slot;
    position = whole ? 0 : first;
    takeBody();
    continueIfExpected(ctx, req);
    log.debug(
        "data upload chunk started {} first={} length={} remote={}",
        slot,
        position,
        length,
        ctx.channel().remoteAddress());
  }

  @Override
  protected void onContent(ChannelHandlerContext ctx, HttpContent content) {
    if (upload == null) {
      return;
    }
    ByteBuf buf = content.content();
    if (buf.isReadable()) {
      pending.add(buf.retain());
      pendingBytes += buf.readableBytes();
      if (pendingBytes >= WRITE_BATCH_BYTES) {
        if (!write(ctx)) {
          return;
        }
      }
    }
    if (content instanceof LastHttpContent) {
      if (write(ctx)) {
        endChunk(ctx);
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (upload != null && pendingBytes > 0) {
      write(ctx);
    }
    super.channelReadComplete(ctx);
  }

  @Override
  protected void onClosed() {
    if (upload == null) {
      return;
    }
    // The bytes that arrived before the connection dropped are kept: the client resumes after
    // them.
    InputSlot slot = upload;
    if (pendingBytes > 0 && !slot.forgotten) {
      try {
        writePending();
      } catch (IOException e) {
        log.warn("data upload write failed {} cause={}", slot, e.toString());
      }
    }
    log.info(
        "data upload interrupted {} offset={} size={} (the client may resume)",
        slot,
        slot.offset,
        slot.size);
    stopUpload();
  }

  /** Appends the gathered body bytes; false (after answering) when the upload cannot go on. */
  private boolean write(ChannelHandlerContext ctx) {
    InputSlot slot = upload;
    if (slot.forgotten) {
      stopUpload();
      sendErrorAndClose(
          ctx, DataError.NOT_FOUND, "job " + slot.jobId + " was forgotten by this executor");
      return false;
    }
    try {
      writePending();
      return true;
    } catch (IOException e) {
      log.warn("data upload write failed {} cause={}", slot, e.toString());
      stopUpload();
      sendErrorAndClose(
          ctx, DataError.INTERNAL, "the server cannot write the upload: " + e.getMessage());
      return false;
    }
  }

  private void writePending() throws IOException {
    try {
      int count = 0;
      for (ByteBuf b : pending) {
        count += b.nioBufferCount();
      }
      ByteBuffer[] buffers = new ByteBuffer[count];
      int i = 0;
      for (ByteBuf b : pending) {
        for (ByteBuffer nio : b.nioBuffers()) {
          buffers[i++] = nio;
        }
      }
      long left = pendingBytes;
      while (left > 0) {
        left -= file.write(buffers);
      }
      position += pendingBytes;
      upload.offset = position;
    } finally {
      releasePending();
    }
  }

  private void endChunk(ChannelHandlerContext ctx) {
    InputSlot slot = upload;
    closeFile();
    upload = null;
    if (position < slot.size) {
      files.release(slot, this);
      log.debug("data upload chunk stored {} offset={} size={}", slot, position, slot.size);
      sendJson(
          ctx,
          HttpResponseStatus.OK,
          state(slot, "receiving"),
          "Upload-Offset",
          Long.toString(position),
          "Upload-Length",
          Long.toString(slot.size));
      return;
    }
    if (!files.complete(slot, this)) {
      sendError(ctx, DataError.NOT_FOUND, "job " + slot.jobId + " was forgotten by this executor");
      return;
    }
    log.info("data upload complete {} size={}, checking", slot, slot.size);
    pause(ctx);
    server
        .check(slot)
        .whenComplete(
            (outcome, error) ->
                ctx.executor()
                    .execute(
                        () -> {
                          resume(ctx);
                          answerCheck(ctx, slot, outcome, error);
                        }));
  }

  private void answerCheck(
      ChannelHandlerContext ctx, InputSlot slot, CheckOutcome outcome, Throwable error) {
    if (error != null) {
      outcome = new CheckOutcome.Failed("the input's check failed on the server: " + error);
    }
    if (outcome instanceof CheckOutcome.Verified) {
      sendJson(
          ctx,
          HttpResponseStatus.CREATED,
          state(slot, "verified"),
          "Upload-Offset",
          Long.toString(slot.size),
          "Upload-Length",
          Long.toString(slot.size));
    } else if (outcome instanceof CheckOutcome.Rejected r) {
      sendError(
          ctx,
          r.reason().code(),
          HttpResponseStatus.UNPROCESSABLE_ENTITY,
          r.reason().getMessage()
              + " (the "
              + slot.size
              + " bytes were discarded; upload again from byte 0)",
          "Upload-Offset",
          "0",
          "Upload-Length",
          Long.toString(slot.size));
    } else if (outcome instanceof CheckOutcome.Failed f) {
      sendError(ctx, DataError.INTERNAL, f.message());
    } else {
      sendError(ctx, DataError.NOT_FOUND, "job " + slot.jobId + " was forgotten by this executor");
    }
  }

  private void inputState(ChannelHandlerContext ctx, long jobId, String name) {
    InputSlot slot = files.slot(jobId, name);
    if (slot == null) {
      List<String> names = files.inputNames(jobId);
      sendError(
          ctx,
          DataError.NOT_FOUND,
          names.isEmpty()
              ? executorName() + " expects no input of job " + jobId
              : "job " + jobId + " expects inputs " + names + " here, not " + name);
      return;
    }
    String state;
    synchronized (files) {
      state = slot.state.name().toLowerCase(java.util.Locale.ROOT);
    }
    sendJson(
        ctx,
        HttpResponseStatus.OK,
        state(slot, state),
        "Upload-Offset",
        Long.toString(state.equals("verified") ? slot.size : slot.offset),
        "Upload-Length",
        Long.toString(slot.size),
        "Upload-State",
        state);
  }

  private String state(InputSlot slot, String state) {
    return new JsonBody()
        .field("job", slot.jobId)
        .field("name", slot.name)
        .field("length", slot.size)
        .field("offset", state.equals("verified") ? slot.size : slot.offset)
        .field("state", state)
        .field("verified", state.equals("verified"))
        .end();
  }

  private String status() {
    JsonBody body = new JsonBody();
    if (server.executor() != null) {
      body.field("executor", server.executor());
    }
    return body.field("version", DataServer.PROTOCOL_VERSION)
        .field("jobs", files.jobCount())
        .field("storedBytes", files.storedBytes())
        .field("maxStoredBytes", server.limits().maxStoredBytes())
        .field("maxFileBytes", server.limits().maxFileBytes())
        .end();
  }

  private void tooLarge(ChannelHandlerContext ctx, InputSlot slot, String says) {
    sendError(
        ctx,
        DataError.TOO_LARGE,
        slot.name
            + " of job "
            + slot.jobId
            + " is "
            + slot.size
            + " bytes; this upload says "
            + says
            + ": is this the file the job committed to?");
  }

  private void notAllowed(ChannelHandlerContext ctx, String allow) {
    sendError(
        ctx,
        DataError.METHOD_NOT_ALLOWED,
        "this path takes " + allow,
        HttpHeaderNames.ALLOW.toString(),
        allow);
  }

  private String executorName() {
    return server.executor() == null ? "this executor" : "executor " + server.executor();
  }

  private void stopUpload() {
    InputSlot slot = upload;
    releasePending();
    closeFile();
    upload = null;
    files.release(slot, this);
    if (slot.forgotten) {
      try {
        Files.deleteIfExists(slot.partial);
      } catch (IOException e) {
        log.debug("data partial file not deleted {} cause={}", slot, e.toString());
      }
    }
  }

  private void releasePending() {
    for (ByteBuf b : pending) {
      b.release();
    }
    pending.clear();
    pendingBytes = 0;
  }

  private void closeFile() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        log.debug("data partial file close failed cause={}", e.toString());
      }
      file = null;
    }
  }

  private static DataError errorOf(DataRejectedException e) {
    for (DataError error : DataError.values()) {
      if (error.code().equals(e.code())) {
        return error;
      }
    }
    return DataError.INTERNAL;
  }

  /** The path of a request target: without the query, and without scheme and host if absolute. */
  static String rawPath(String uri) {
    String path = uri;
    int scheme = path.indexOf("://");
    if (scheme > 0 && scheme < 8) {
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }
}
