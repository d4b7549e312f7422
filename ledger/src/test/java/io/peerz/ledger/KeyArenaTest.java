package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyArenaTest {
  @Test
  void sortsItsKeysInUnsignedByteOrderEqualOnesInTheOrderAddedAndIsReusable() {
    Random rnd = new Random(19);
    KeyArena arena = new KeyArena();
    for (int round = 0; round < 3; round++) {
      arena.clear();
      List<byte[]> added = new ArrayList<>();
      // Past the first arrays' sizes (64 KiB, 1,024 keys), with shared prefixes, prefixes of one
      // another, bytes above 0x7f and repeats, as event keys have.
      int n = 3_000 + round * 500;
      for (int i = 0; i < n; i++) {
        byte[] key;
        if (i > 0 && rnd.nextInt(5) == 0) {
          key = added.get(rnd.nextInt(added.size())).clone();
        } else {
          key = new byte[1 + rnd.nextInt(40)];
          rnd.nextBytes(key);
          key[0] = (byte) (rnd.nextInt(3) * 0x70);
        }
        int at = arena.add(key.length);
        System.arraycopy(key, 0, arena.bytes(), at, key.length);
        added.add(key);
      }
      assertThat(arena.size()).isEqualTo(n);
      Integer[] expected = new Integer[n];
      for (int i = 0; i < n; i++) {
        expected[i] = i;
      }
      Arrays.sort( // stable
          expected, Comparator.comparing(added::get, Arrays::compareUnsigned));
      int[] order = Arrays.copyOf(arena.sorted(), n);
      assertThat(order).containsExactly(Arrays.stream(expected).mapToInt(i -> i).toArray());
      for (int i = 0; i < n; i++) {
        assertThat(
                Arrays.copyOfRange(arena.bytes(), arena.start(i), arena.start(i) + arena.length(i)))
            .isEqualTo(added.get(i));
      }
    }
  }
}
