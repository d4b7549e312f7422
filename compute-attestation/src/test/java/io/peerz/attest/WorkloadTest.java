package io.peerz.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void namesParseToTheirSizeAndBack() {
    for (int n = 64; n <= 4096; n += 64) {
      Workload w = Workload.parse("int8-gemm-" + n);
      assertThat(w.n()).isEqualTo(n);
      assertThat(w.name()).isEqualTo("int8-gemm-" + n);
    }
    assertThat(Workload.parse("int8-gemm-1024").multiplyAdds()).isEqualTo(1L << 30);
  }

  @Test
  void sizesOffTheGridAndOtherSpellingsAreRejected() {
    for (String bad :
        new String[] {
          "int8-gemm-100",
          "int8-gemm-0",
          "int8-gemm-4160",
          "int8-gemm-8192",
          "int8-gemm-0064",
          "int8-gemm-+64",
          "int8-gemm-",
          "INT8-gemm-64",
          "fp16-gemm-64",
          "int8-gemm-99999999999"
        }) {
      assertThatThrownBy(() -> Workload.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> Workload.parse(null)).hasMessageContaining("unknown workload null");
  }
}
