package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EditDistanceTest {
  @Test
  void countsInsertionsDeletionsSubstitutionsAndSwaps() {
    assertThat(EditDistance.between("", "")).isZero();
    assertThat(EditDistance.between("abc", "")).isEqualTo(3);
    assertThat(EditDistance.between("kitten", "sitting")).isEqualTo(3);
    assertThat(EditDistance.between("abuot", "about")).as("a swap is one edit").isEqualTo(1);
    assertThat(EditDistance.between("abandn", "abandon")).isEqualTo(1);
  }

  @Test
  void closestPrefersFewerEditsThenALongerCommonPrefixThenOrder() {
    assertThat(EditDistance.closest("abuot", List.of("abuse", "about"), 2)).contains("about");
    assertThat(EditDistance.closest("cat", List.of("bat", "cap"), 2)).contains("cap");
    assertThat(EditDistance.closest("cat", List.of("hat", "bat"), 2)).contains("hat");
    assertThat(EditDistance.closest("nosuch", List.of("bench", "keys"), 2)).isEmpty();
  }
}
