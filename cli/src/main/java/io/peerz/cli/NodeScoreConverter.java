package io.peerz.cli;

import io.peerz.ledger.proto.NodeScore;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** One {@code <node-id>=<score>} pair of {@code --scores 1=100,2=80}. */
final class NodeScoreConverter implements ITypeConverter<NodeScore> {
  @Override
  public NodeScore convert(String value) {
    int eq = value.indexOf('=');
    if (eq <= 0) {
      throw new TypeConversionException(
          "'" + value + "' is not <node-id>=<score> (e.g. --scores 1=100,2=80)");
    }
    try {
      long node = Long.parseUnsignedLong(value.substring(0, eq).trim());
      long score = Long.parseUnsignedLong(value.substring(eq + 1).trim());
      return NodeScore.newBuilder().setNodeId(node).setScore(score).build();
    } catch (NumberFormatException e) {
      throw new TypeConversionException(
          "'" + value + "': node id and score must be non-negative integers");
    }
  }
}
