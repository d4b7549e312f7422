package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentMemoryTest {

  @Test
  void remembersAtLeastOneGenerationAndForgetsWhatTwoMoreGenerationsPushedOut() {
    RecentMemory<Integer, String> memory = new RecentMemory<>(4);
    for (int i = 0; i < 4; i++) {
      memory.put(i, "v" + i);
    }
    for (int i = 0; i < 4; i++) {
      assertThat(memory.get(i)).as("within one generation").isEqualTo("v" + i);
    }
    for (int i = 100; i < 110; i++) {
      memory.put(i, "v" + i);
    }
    for (int i = 0; i < 4; i++) {
      assertThat(memory.get(i)).as("pushed out by two generations").isNull();
    }
    for (int i = 106; i < 110; i++) {
      assertThat(memory.get(i)).as("the latest entries").isEqualTo("v" + i);
    }
  }

  @Test
  void anEntryReadFromTheOldGenerationMovesUpAndSurvivesTheNextTurn() {
    RecentMemory<Integer, String> memory = new RecentMemory<>(2);
    memory.put(1, "one");
    memory.put(2, "two");
    memory.put(3, "three"); // the young generation is over 2: it becomes the old one
    memory.put(4, "four");
    assertThat(memory.get(1)).as("read from the old generation").isEqualTo("one");
    memory.put(5, "five");
    memory.put(6, "six"); // another turn: what stayed only in the old generation is dropped
    assertThat(memory.get(2)).as("never read again").isNull();
    assertThat(memory.get(1)).as("moved up when read").isEqualTo("one");
  }

  @Test
  void clearForgetsEverything() {
    RecentMemory<Integer, String> memory = new RecentMemory<>(8);
    memory.put(1, "one");
    memory.clear();
    assertThat(memory.get(1)).isNull();
  }
}
