package io.peerz.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.rpc.RpcServer.ListenAddress;
import org.junit.jupiter.api.Test;

class ListenAddressTest {

  @Test
  void acceptsHostPortTheCometBftTcpPrefixAndBracketedIpv6() {
    assertThat(ListenAddress.parse("127.0.0.1:26657"))
        .isEqualTo(new ListenAddress("127.0.0.1", 26657));
    assertThat(ListenAddress.parse("tcp://0.0.0.0:0")).isEqualTo(new ListenAddress("0.0.0.0", 0));
    ListenAddress v6 = ListenAddress.parse("[::1]:8080");
    assertThat(v6).isEqualTo(new ListenAddress("::1", 8080));
    assertThat(v6.toString()).isEqualTo("[::1]:8080");
  }

  @Test
  void rejectsAddressesWithoutAUsablePort() {
    for (String bad : new String[] {"", "localhost", "host:", ":80", "host:http", "host:70000"}) {
      assertThatThrownBy(() -> ListenAddress.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void startingOnAPortAlreadyInUseFailsWithTheAddress() {
    FakeBackend backend = new FakeBackend();
    try (RpcServer first = RpcServer.start(backend, "127.0.0.1:0")) {
      assertThatThrownBy(() -> RpcServer.start(backend, first.address()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(first.address());
    }
  }
}
