package io.peerz.rpc;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Puts {@link RequestLimits} after the HTTP decoder of every connection Micronaut accepts, and
 * {@link WebSocketMessageLimit} first, before any handler that could hold bytes.
 */
@Singleton
class RpcPipeline implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
  private final RpcLimits limits;
  private final JsonRpc rpc;
  private final AtomicInteger openConnections = new AtomicInteger();

  RpcPipeline(RpcLimits limits, JsonRpc rpc) {
    this.limits = limits;
    this.rpc = rpc;
  }

  @Override
  public NettyServerCustomizer.Registry onCreated(
      BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
    event.getBean().register(new Listener());
    return event.getBean();
  }

  /** Connections open now (tests). */
  int openConnections() {
    return openConnections.get();
  }

  private final class Listener implements NettyServerCustomizer {
    @Override
    public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
      return role == ChannelRole.CONNECTION ? new Connection(channel) : this;
    }
  }

  private final class Connection implements NettyServerCustomizer {
    private final Channel channel;

    Connection(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void onStreamPipelineBuilt() {
      if (channel.pipeline().get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) == null) {
        return; // not HTTP/1 (peerz serves only HTTP/1)
      }
      WebSocketMessageLimit webSocket = new WebSocketMessageLimit(limits.maxBodyBytes());
      channel.pipeline().addFirst("peerz-websocket-message-limit", webSocket);
      channel
          .pipeline()
          .addAfter(
              ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC,
              "peerz-request-limits",
              new RequestLimits(limits, rpc, openConnections, webSocket));
    }
  }
}
