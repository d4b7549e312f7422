package io.peerz.gpu.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node for daemon tests: query answers set by the test, every broadcast tx kept and "in a block".
 */
final class FakeNode implements NodeClient {
  static final ObjectMapper JSON = new ObjectMapper();
  final Map<String, String> answers = new HashMap<>();
  final List<byte[]> broadcast = new ArrayList<>();
  long height = 10;

  FakeNode(String address) {
    answers.put("/executor/" + address, "{\"address\":\"" + address + "\",\"data_url\":\"\"}");
    answers.put("/executor/" + address + "/jobs", "{\"jobs\":[]}");
    answers.put(
        "/params",
        "{\"min_fee\":\"1\",\"input_timeout_blocks\":\"3\",\"job_timeout_blocks\":\"20\","
            + "\"output_retention_blocks\":\"30\"}");
  }

  @Override
  public String endpoint() {
    return "fake";
  }

  @Override
  public Optional<JsonNode> query(String path) {
    String v = answers.get(path);
    try {
      return v == null ? Optional.empty() : Optional.of(JSON.readTree(v));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public long latestHeight() {
    return height;
  }

  @Override
  public String chainId() {
    return "peerz-test";
  }

  @Override
  public long minFee() {
    return 1;
  }

  @Override
  public long nonce(String address) {
    return broadcast.size();
  }

  @Override
  public Broadcast broadcast(byte[] tx) {
    broadcast.add(tx);
    return new Broadcast(0, "");
  }

  @Override
  public Optional<JsonNode> tx(byte[] hash) {
    return query("/committed").or(() -> Optional.of(JSON.createObjectNode().put("height", "11")));
  }
}
