package io.peerz.testnet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process served at {@code /metrics} (Prometheus's text format), read as a test reads it:
 * sample names, and the value of a sample with given labels.
 */
record Scrape(List<String> lines) {
  private static final Pattern METRIC = Pattern.compile("\\b((?:cometbft|peerz|jvm|process)_\\w+)");

  static Scrape of(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return new Scrape(r.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList());
  }

  /** Every sample name served. */
  Set<String> names() {
    Set<String> out = new TreeSet<>();
    for (String l : lines) {
      out.add(l.split("[{ ]", 2)[0]);
    }
    return out;
  }

  /** The sum of the samples named {@code name} whose labels include {@code labels} (pairs). */
  double sum(String name, String... labels) {
    double total = 0;
    for (String l : lines) {
      if (!l.split("[{ ]", 2)[0].equals(name)) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= l.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        total += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /** The metric names the Grafana dashboard's queries (and its variable) use. */
  static Set<String> dashboardMetrics(Path dashboard) throws IOException {
    JsonNode root = PeerzCommand.JSON.readTree(Files.readString(dashboard));
    List<String> queries = new ArrayList<>();
    for (JsonNode expr : root.findValues("expr")) {
      queries.add(expr.asText());
    }
    for (JsonNode q : root.path("templating").path("list")) {
      queries.add(q.path("definition").asText());
    }
    Set<String> out = new TreeSet<>();
    for (String q : queries) {
      Matcher m = METRIC.matcher(q);
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }
}
