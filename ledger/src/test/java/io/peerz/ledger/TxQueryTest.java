package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peerz.ledger.TxQuery.Condition;
import org.junit.jupiter.api.Test;

class TxQueryTest {
  @Test
  void parsesConditionsJoinedByAnd() {
    assertThat(TxQuery.parse("tx.height=5 AND transfer.recipient='0xab cd'"))
        .containsExactly(
            new Condition("tx.height", "=", "5"),
            new Condition("transfer.recipient", "=", "0xab cd"));
  }

  @Test
  void parsesHeightRangesAndSpacing() {
    assertThat(
            TxQuery.parse("  tx.height >= 3 and tx.height<10 AND tx.height > 1 AND tx.height<=9"))
        .containsExactly(
            new Condition("tx.height", ">=", "3"),
            new Condition("tx.height", "<", "10"),
            new Condition("tx.height", ">", "1"),
            new Condition("tx.height", "<=", "9"));
  }

  @Test
  void parsesHashAndBareNumbersForEvents() {
    String hash = "AB".repeat(32);
    assertThat(TxQuery.parse("tx.hash='" + hash + "' AND send.amount=10"))
        .containsExactly(
            new Condition("tx.hash", "=", hash), new Condition("send.amount", "=", "10"));
  }

  @Test
  void rejectsWhatItDoesNotSupportWithClearMessages() {
    assertRejected("", "empty");
    assertRejected("tx.height", "expected an operator");
    assertRejected("transfer.amount>5", "only supported on tx.height");
    assertRejected("tx.height='abc'", "whole number");
    assertRejected("tx.hash='abc'", "64 hex digits");
    assertRejected("transfer.sender CONTAINS 'x'", "CONTAINS");
    assertRejected("a.b='x' OR c.d='y'", "expected AND");
    assertRejected("a.b='x' AND", "after AND");
    assertRejected("a.b='x", "unterminated");
    assertRejected("a.b=\"x\"", "single quotes");
    assertRejected("a.b=x", "expected a value");
    assertRejected("nodots='x'", "must be tx.height, tx.hash or <event type>.<attribute key>");
    assertRejected("tx.foo=1", "must be tx.height");
    assertRejected("a.b=!1", "expected an operator");
  }

  private static void assertRejected(String query, String message) {
    assertThatThrownBy(() -> TxQuery.parse(query))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
