package io.peerz.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Draws a bench run as a PNG with Java2D (headless): committed and accepted tx/s per second on top,
 * commit latency p50 and p99 per second below.
 */
final class BenchPlot {
  static final int WIDTH = 1000;
  static final int HEIGHT = 640;
  static final Color COMMITTED = new Color(0x1f77b4);
  static final Color SENT = new Color(0xbbbbbb);
  static final Color P50 = new Color(0x2ca02c);
  static final Color P99 = new Color(0xd62728);

  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int GAP = 60;
  private static final int BOTTOM = 50;

  private BenchPlot() {}

  /** Writes the plot of {@code stats} to {@code file}, titled {@code title}. */
  static void write(BenchStats stats, String title, Path file) {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString(title, LEFT, 28);
      int panel = (HEIGHT - TOP - GAP - BOTTOM) / 2;
      int seconds = stats.committedPerSecondSeries().length;
      double[] committed = toDouble(stats.committedPerSecondSeries());
      double[] sent = toDouble(stats.sentPerSecondSeries());
      double[] p50 = toDouble(stats.p50PerSecondSeries());
      double[] p99 = toDouble(stats.p99PerSecondSeries());
      Panel top = new Panel(g, TOP, panel, seconds, Math.max(max(committed), max(sent)), "tx/s");
      top.line(sent, SENT);
      top.line(committed, COMMITTED);
      top.legend(new String[] {"committed tx/s", "accepted tx/s"}, new Color[] {COMMITTED, SENT});
      Panel bottom = new Panel(g, TOP + panel + GAP, panel, seconds, max(p99), "commit latency ms");
      bottom.line(p50, P50);
      bottom.line(p99, P99);
      bottom.legend(new String[] {"p50", "p99"}, new Color[] {P50, P99});
      g.setColor(Color.DARK_GRAY);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString("seconds since the first send", WIDTH / 2 - 80, HEIGHT - 12);
    } finally {
      g.dispose();
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (!ImageIO.write(img, "png", file.toFile())) {
        throw new IllegalStateException("no PNG writer in this JDK");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the plot " + file + ": " + e.getMessage(), e);
    }
  }

  /** One chart: axes with ticks over [0, seconds) x [0, yMax]. */
  private static final class Panel {
    private final Graphics2D g;
    private final int top;
    private final int height;
    private final int seconds;
    private final double yMax;
    private final int width = WIDTH - LEFT - RIGHT;

    Panel(Graphics2D g, int top, int height, int seconds, double yMax, String label) {
      this.g = g;
      this.top = top;
      this.height = height;
      this.seconds = Math.max(1, seconds);
      this.yMax = niceCeiling(Math.max(1, yMax));
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      for (int i = 0; i <= 4; i++) {
        double v = this.yMax * i / 4;
        int y = y(v);
        g.setColor(new Color(0xeeeeee));
        g.drawLine(LEFT, y, LEFT + width, y);
        g.setColor(Color.DARK_GRAY);
        String s = String.format("%,.0f", v);
        g.drawString(s, LEFT - 8 - g.getFontMetrics().stringWidth(s), y + 4);
      }
      int step = (int) niceCeiling(Math.max(1, this.seconds / 10.0));
      for (int t = 0; t <= this.seconds; t += step) {
        int x = x(t);
        g.drawLine(x, top + height, x, top + height + 4);
        String s = Integer.toString(t);
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, top + height + 17);
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, top, width, height);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
      g.drawString(label, LEFT + 6, top - 6);
    }

    /** Connects the points of {@code values} (one per second, drawn mid-second), skipping -1. */
    void line(double[] values, Color color) {
      g.setColor(color);
      g.setStroke(new BasicStroke(2f));
      int px = -1;
      int py = -1;
      for (int s = 0; s < values.length; s++) {
        if (values[s] < 0) {
          continue; // a second without commits: the line joins the seconds around it
        }
        int x = x(s + 0.5);
        int y = y(values[s]);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        g.fillOval(x - 3, y - 3, 6, 6);
        px = x;
        py = y;
      }
      g.setStroke(new BasicStroke(1f));
    }

    void legend(String[] names, Color[] colors) {
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int x = LEFT + width - 10;
      for (int i = names.length - 1; i >= 0; i--) {
        int w = g.getFontMetrics().stringWidth(names[i]);
        x -= w;
        g.setColor(Color.DARK_GRAY);
        g.drawString(names[i], x, top - 6);
        x -= 18;
        g.setColor(colors[i]);
        g.fillRect(x, top - 15, 12, 10);
        x -= 16;
      }
    }

    private int x(double second) {
      return LEFT + (int) Math.round(second / seconds * width);
    }

    private int y(double v) {
      return top + height - (int) Math.round(Math.min(v, yMax) / yMax * height);
    }
  }

  /** The smallest 1, 2 or 5 times a power of ten at or above {@code v} (v > 0). */
  static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static double max(double[] values) {
    double m = 0;
    for (double v : values) {
      m = Math.max(m, v);
    }
    return m;
  }

  private static double[] toDouble(int[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = values[i];
    }
    return d;
  }

  private static double[] toDouble(long[] values) {
    double[] d = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      d[i] = values[i];
    }
    return d;
  }
}
