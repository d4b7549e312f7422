package io.peerz.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerScoreTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void misbehaviorScoresAddUpAndFallByAPointASecond() {
    PeerScore score = new PeerScore();
    assertThat(score.add(Misbehavior.UNSOLICITED, 0)).isEqualTo(10);
    assertThat(score.add(Misbehavior.UNSOLICITED, SECOND / 2)).isEqualTo(20);
    assertThat(score.score(3 * SECOND)).isEqualTo(17);
    assertThat(score.score(100 * SECOND)).isZero();
    assertThat(score.add(Misbehavior.UNDECODABLE, 101 * SECOND)).isEqualTo(Misbehavior.DROP_SCORE);
  }
}
