package io.peerz.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prometheus's text exposition format (version 0.0.4) read back as a test sees it: {@code # TYPE}
 * lines and samples {@code name{label="value",...} number}.
 */
record Exposition(Map<String, String> types, List<Sample> samples) {

  /** One sample line. */
  record Sample(String name, Map<String, String> labels, double value) {}

  static Exposition parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        types.put(p[2], p[3]);
      } else if (!line.isBlank() && !line.startsWith("#")) {
        samples.add(sample(line));
      }
    }
    return new Exposition(types, samples);
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.lastIndexOf(' ');
    Map<String, String> labels = new LinkedHashMap<>();
    String name;
    if (brace >= 0 && brace < space) {
      name = line.substring(0, brace);
      String body = line.substring(brace + 1, line.lastIndexOf('}'));
      int i = 0;
      while (i < body.length()) {
        int eq = body.indexOf('=', i);
        int end = eq + 2;
        StringBuilder value = new StringBuilder();
        while (body.charAt(end) != '"') {
          if (body.charAt(end) == '\\') {
            end++;
          }
          value.append(body.charAt(end++));
        }
        labels.put(body.substring(i, eq), value.toString());
        i = end + 1;
        if (i < body.length() && body.charAt(i) == ',') {
          i++;
        }
      }
    } else {
      name = line.substring(0, space);
    }
    return new Sample(name, labels, Double.parseDouble(line.substring(space + 1)));
  }

  /** The samples named {@code name}. */
  List<Sample> all(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The value of the one sample {@code name} whose labels include {@code labels} (pairs). */
  Optional<Double> value(String name, String... labels) {
    return all(name).stream()
        .filter(
            s -> {
              for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                  return false;
                }
              }
              return true;
            })
        .map(Sample::value)
        .findFirst();
  }
}
