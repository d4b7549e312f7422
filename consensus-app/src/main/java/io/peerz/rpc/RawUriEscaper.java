package io.peerz.rpc;

import io.micronaut.context.annotation.Context;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Percent-encodes the characters a URI may not hold literally before Micronaut parses the request
 * line. CometBFT (Go's net/http) accepts them, and its documented calls send them raw: {@code curl
 * 'localhost:26657/abci_query?path="/account/0x.."'}. Without this, such a request fails to route.
 */
@Context
final class RawUriEscaper {
  private static final String HANDLER = "peerz-raw-uri-escaper";

  RawUriEscaper(NettyServerCustomizer.Registry registry) {
    registry.register(new OnConnection(null));
  }

  /** Adds the escaping handler to each connection's pipeline, after the HTTP/1 codec. */
  private record OnConnection(Channel channel) implements NettyServerCustomizer {
    @Override
    public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
      return role == ChannelRole.CONNECTION ? new OnConnection(channel) : this;
    }

    @Override
    public void onStreamPipelineBuilt() {
      if (channel == null) {
        return;
      }
      var pipeline = channel.pipeline();
      if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null
          && pipeline.get(HANDLER) == null) {
        pipeline.addAfter(
            ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, HANDLER, new Escaper());
      }
    }
  }

  @ChannelHandler.Sharable
  private static final class Escaper extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        String escaped = escape(request.uri());
        if (escaped != null) {
          request.setUri(escaped);
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  private static final String ILLEGAL = "\"<>\\^`{|} ";

  /** The URI with illegal characters percent-encoded; null when it has none. */
  static String escape(String uri) {
    StringBuilder out = null;
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      boolean illegal = c <= 0x20 || c >= 0x7f || ILLEGAL.indexOf(c) >= 0;
      if (illegal && out == null) {
        out = new StringBuilder(uri.length() + 16).append(uri, 0, i);
      }
      if (out != null) {
        if (illegal) {
          // The request line is read as ISO-8859-1: each char is one byte of the raw URI.
          out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xF, 16)));
          out.append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? null : out.toString();
  }
}
