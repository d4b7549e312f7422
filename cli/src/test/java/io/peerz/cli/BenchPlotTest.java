package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPlotTest {
  @TempDir Path dir;

  @Test
  void writesAPngWithTheCommittedRateAndBothLatencyLines() throws Exception {
    int n = 3000;
    long[] sent = new long[n];
    long[] committed = new long[n];
    for (int i = 0; i < n; i++) {
      sent[i] = i * 3L; // 9 s of sending
      committed[i] = sent[i] + 400 + (i % 100) * 10;
    }
    BenchStats stats = BenchStats.of(sent, committed);
    Path png = dir.resolve("sub/plot.png");

    BenchPlot.write(stats, "peerz bench test", png);

    assertThat(Files.size(png)).isPositive();
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(BenchPlot.WIDTH);
    assertThat(img.getHeight()).isEqualTo(BenchPlot.HEIGHT);
    int half = BenchPlot.HEIGHT / 2;
    assertThat(count(img, BenchPlot.COMMITTED, 0, half)).as("tx/s line, top").isGreaterThan(100);
    assertThat(count(img, BenchPlot.P50, half, BenchPlot.HEIGHT)).as("p50 line").isGreaterThan(100);
    assertThat(count(img, BenchPlot.P99, half, BenchPlot.HEIGHT)).as("p99 line").isGreaterThan(100);
    assertThat(count(img, BenchPlot.P99, 0, half)).as("no latency in the top panel").isLessThan(20);
  }

  @Test
  void niceCeilingRoundsUpToOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(BenchPlot.niceCeiling(3)).isEqualTo(5);
    assertThat(BenchPlot.niceCeiling(1200)).isEqualTo(2000);
    assertThat(BenchPlot.niceCeiling(5000)).isEqualTo(5000);
    assertThat(BenchPlot.niceCeiling(0.7)).isEqualTo(1);
  }

  private static int count(BufferedImage img, java.awt.Color c, int fromY, int toY) {
    int rgb = c.getRGB() & 0xffffff;
    int n = 0;
    for (int y = fromY; y < toY; y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}
