package io.peerz.rpc;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes CometBFT serves: {@code GET|POST /<method>?args} (URI form) and {@code POST /}
 * (JSON-RPC 2.0). Runs on the blocking pool: methods read the block store and {@code
 * broadcast_tx_commit} waits for a commit.
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
class RpcController {
  private static final Logger LOG = LoggerFactory.getLogger(RpcController.class);

  private final JsonRpc rpc;
  private final RpcMethods methods;

  RpcController(JsonRpc rpc, RpcMethods methods) {
    this.rpc = rpc;
    this.methods = methods;
  }

  /** Like CometBFT, a bare GET of the root lists the available endpoints. */
  @Get(uri = "/", produces = MediaType.TEXT_HTML)
  HttpResponse<String> endpoints() {
    StringBuilder html = new StringBuilder("<html><body><br>Available endpoints:<br>");
    for (String name : methods.names()) {
      html.append("<a href=\"/").append(name).append("\">/").append(name).append("</a><br>");
    }
    return HttpResponse.ok(html.append("</body></html>").toString());
  }

  @Get(uri = "/{method}", produces = MediaType.APPLICATION_JSON)
  HttpResponse<byte[]> uriGet(@PathVariable String method, HttpRequest<?> request) {
    return reply(rpc.uri(method, queryArgs(request)));
  }

  @Post(uri = "/{method}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  HttpResponse<byte[]> uriPost(@PathVariable String method, HttpRequest<?> request) {
    return reply(rpc.uri(method, queryArgs(request)));
  }

  @Post(uri = "/", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  HttpResponse<byte[]> jsonRpc(@Body @Nullable byte[] body) {
    return reply(rpc.post(body));
  }

  @Error(global = true, status = HttpStatus.NOT_FOUND)
  HttpResponse<byte[]> notFound(HttpRequest<?> request) {
    return reply(rpc.failure(404, RpcException.methodNotFound()));
  }

  @Error(global = true, status = HttpStatus.METHOD_NOT_ALLOWED)
  HttpResponse<byte[]> notAllowed(HttpRequest<?> request) {
    return reply(
        rpc.failure(
            405,
            RpcException.invalidRequest(
                "HTTP method " + request.getMethodName() + " not allowed")));
  }

  @Error(global = true)
  HttpResponse<byte[]> failed(HttpRequest<?> request, Throwable error) {
    if (error instanceof HttpStatusException status && status.getStatus().getCode() < 500) {
      return reply(
          rpc.failure(
              status.getStatus().getCode(), RpcException.invalidRequest(status.getMessage())));
    }
    LOG.warn("rpc request failed path={} error={}", request.getPath(), error.toString());
    return reply(rpc.failure(500, RpcException.internal("request failed")));
  }

  private static Map<String, String> queryArgs(HttpRequest<?> request) {
    Map<String, String> args = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> entry : request.getParameters().asMap().entrySet()) {
      if (!entry.getValue().isEmpty()) {
        args.put(entry.getKey(), entry.getValue().get(0));
      }
    }
    return args;
  }

  private static HttpResponse<byte[]> reply(JsonRpc.Reply reply) {
    MutableHttpResponse<byte[]> response =
        HttpResponse.<byte[]>status(HttpStatus.valueOf(reply.status()))
            .contentType(MediaType.APPLICATION_JSON_TYPE);
    return reply.json().length == 0 ? response : response.body(reply.json());
  }
}
