package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.Header;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlocksTest {
  private static final byte[] L = {0};
  private static final byte[] I = {1};

  @Test
  void blockHashIsSha256OfTheDeterministicHeaderEncoding() {
    Header h = Header.newBuilder().setChainId("c").setHeight(7).build();
    assertThat(Blocks.hash(h)).isEqualTo(Sha256.hash(h.toByteArray()));
    assertThat(Blocks.hash(h)).isNotEqualTo(Blocks.hash(h.toBuilder().setHeight(8).build()));
  }

  @Test
  void dataHashOfNoTxsIsSha256OfNothing() {
    assertThat(Blocks.dataHash(List.of())).isEqualTo(Sha256.hash());
  }

  @Test
  void dataHashIsTheRfc6962TreeOverTxHashes() {
    ByteString a = ByteString.copyFromUtf8("a");
    ByteString b = ByteString.copyFromUtf8("b");
    ByteString c = ByteString.copyFromUtf8("c");
    byte[] la = Sha256.hash(L, Sha256.hash(a.toByteArray()));
    byte[] lb = Sha256.hash(L, Sha256.hash(b.toByteArray()));
    byte[] lc = Sha256.hash(L, Sha256.hash(c.toByteArray()));
    assertThat(Blocks.dataHash(List.of(a))).isEqualTo(la);
    assertThat(Blocks.dataHash(List.of(a, b))).isEqualTo(Sha256.hash(I, la, lb));
    assertThat(Blocks.dataHash(List.of(a, b, c)))
        .isEqualTo(Sha256.hash(I, Sha256.hash(I, la, lb), lc));
    assertThat(Blocks.dataHash(List.of(b, a))).isNotEqualTo(Blocks.dataHash(List.of(a, b)));
  }
}
