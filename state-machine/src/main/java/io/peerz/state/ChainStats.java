package io.peerz.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.state.proto.ConsensusValidator;
import io.peerz.state.proto.Job;
import io.peerz.state.proto.JobAttempt;
import io.peerz.state.proto.JobStatus;
import io.peerz.state.proto.Node;
import io.peerz.state.proto.NodeClass;
import io.peerz.state.proto.Pool;
import io.peerz.state.proto.Subnet;
import io.peerz.state.proto.SubnetStatus;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code /stats} query: counts over committed state that an operator watches (subnets by
 * status, nodes by class, pools, executors, jobs by status, escrow held, slashes by reason). One
 * pass over each prefix, so its cost grows with the state; the node's metrics read it at most once
 * per committed height.
 */
final class ChainStats {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The reason of a validator's slash for a duplicate vote (a job's slash names its outcome). */
  static final String DOUBLE_SIGN = "double_sign";

  /**
   * Every reason a slash has, listed at zero before any happens: a validator's double sign and the
   * outcomes of the job attempts that slash (Jobs, DataJobs, JobScheduler). An outcome not listed
   * here is counted all the same.
   */
  static final List<String> SLASH_REASONS =
      List.of(DOUBLE_SIGN, "no_reveal", "unavailable", "wrong_entry", "wrong_reveal");

  private ChainStats() {}

  static ObjectNode of(Store store) {
    ObjectNode o = JSON.createObjectNode();
    o.put("height", Long.toString(store.chain().getHeight()));

    Map<String, Long> subnets = zeros(SubnetStatus.values(), "SUBNET_STATUS_");
    store.scan(
        Keys.SUBNET,
        (k, v) -> {
          count(subnets, Store.parse(v, Subnet::parseFrom).getStatus().name(), "SUBNET_STATUS_");
          return true;
        });
    put(o.putObject("subnets"), subnets);

    Map<String, Long> nodes = zeros(NodeClass.values(), "NODE_CLASS_");
    long[] deactivated = {0};
    store.scan(
        Keys.NODE,
        (k, v) -> {
          Node n = Store.parse(v, Node::parseFrom);
          count(nodes, n.getClass_().name(), "NODE_CLASS_");
          if (n.getDeactivated()) {
            deactivated[0]++;
          }
          return true;
        });
    put(o.putObject("nodes"), nodes);
    o.put("nodes_deactivated", Long.toString(deactivated[0]));

    long[] pools = {0, 0};
    store.scan(
        Keys.POOL,
        (k, v) -> {
          pools[Store.parse(v, Pool::parseFrom).getClosed() ? 1 : 0]++;
          return true;
        });
    o.putObject("pools")
        .put("open", Long.toString(pools[0]))
        .put("closed", Long.toString(pools[1]));

    long[] executors = {0};
    store.scan(
        Keys.EXECUTOR,
        (k, v) -> {
          executors[0]++;
          return true;
        });
    o.put("executors", Long.toString(executors[0]));

    Map<String, Long> jobs = zeros(JobStatus.values(), "JOB_STATUS_");
    Map<String, long[]> slashes = new TreeMap<>();
    SLASH_REASONS.forEach(r -> slashes.put(r, new long[2]));
    store.scan(
        Keys.JOB,
        (k, v) -> {
          Job j = Store.parse(v, Job::parseFrom);
          count(jobs, j.getStatus().name(), "JOB_STATUS_");
          for (JobAttempt a : j.getAttemptsList()) {
            if (a.getSlashed() > 0) {
              long[] s = slashes.computeIfAbsent(a.getOutcome(), r -> new long[2]);
              s[0]++;
              s[1] = Math.addExact(s[1], a.getSlashed());
            }
          }
          return true;
        });
    put(o.putObject("jobs"), jobs);
    o.put("next_job_id", Long.toString(store.chain().getNextJobId()));
    o.put("escrow", Long.toString(store.escrow()));

    for (ConsensusValidator v : store.validators()) {
      if (v.getSlashedHeightsCount() > 0) {
        // The burned amount of a double sign is not kept per validator (see supply.burned).
        slashes.computeIfAbsent(DOUBLE_SIGN, r -> new long[2])[0] += v.getSlashedHeightsCount();
      }
    }
    ObjectNode s = o.putObject("slashes");
    slashes.forEach(
        (reason, n) ->
            s.putObject(reason)
                .put("count", Long.toString(n[0]))
                .put("amount", Long.toString(n[1])));
    return o;
  }

  /** Every named value of an enum (UNSPECIFIED and protobuf's UNRECOGNIZED left out) at zero. */
  private static Map<String, Long> zeros(Enum<?>[] values, String prefix) {
    Map<String, Long> out = new TreeMap<>();
    for (Enum<?> e : values) {
      if (e.name().startsWith(prefix) && !e.name().endsWith("_UNSPECIFIED")) {
        out.put(word(e.name(), prefix), 0L);
      }
    }
    return out;
  }

  private static void count(Map<String, Long> counts, String enumName, String prefix) {
    counts.merge(
        enumName.startsWith(prefix) ? word(enumName, prefix) : "unspecified", 1L, Long::sum);
  }

  private static String word(String enumName, String prefix) {
    return enumName.substring(prefix.length()).toLowerCase(Locale.ROOT);
  }

  private static void put(ObjectNode o, Map<String, Long> counts) {
    counts.forEach((k, v) -> o.put(k, Long.toString(v)));
  }
}
