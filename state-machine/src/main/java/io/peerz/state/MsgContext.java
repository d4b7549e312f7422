package io.peerz.state;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Hex;
import io.peerz.ledger.proto.Event;
import io.peerz.ledger.proto.EventAttribute;
import io.peerz.state.proto.Params;
import java.util.List;

/**
 * What a message handler works with: the tx-scoped store, the signer, the block position and the
 * fee the tx paid (0 at the end of a block).
 */
record MsgContext(
    Store store,
    Bank bank,
    Params params,
    byte[] signer,
    long height,
    long epoch,
    List<Event> events,
    long fee) {

  static final long PPM = 1_000_000L;

  /** The epoch of a height: blocks 1..L are epoch 0, L+1..2L epoch 1, ... */
  static long epochOf(long height, long epochLength) {
    return height <= 0 ? 0 : (height - 1) / epochLength;
  }

  /** Adds an event whose attributes (key, value pairs) are all indexed for tx_search. */
  void emit(String type, String... keyValues) {
    events.add(event(type, keyValues));
  }

  static Event event(String type, String... keyValues) {
    Event.Builder e = Event.newBuilder().setTypeBytes(ByteString.copyFromUtf8(type));
    for (int i = 0; i < keyValues.length; i += 2) {
      e.addAttributes(
          EventAttribute.newBuilder()
              // As UTF-8 bytes now: every later encoding of the results copies them as they are.
              .setKeyBytes(ByteString.copyFromUtf8(keyValues[i]))
              .setValueBytes(ByteString.copyFromUtf8(keyValues[i + 1]))
              .setIndex(true)
              .build());
    }
    return e.build();
  }

  static String hex(byte[] address) {
    return "0x" + Hex.encode(address);
  }

  /** A uint64 field as a non-negative long, or the overflow rejection naming the field. */
  static long amount(long raw, String field) {
    if (raw < 0) {
      throw ErrorCode.OVERFLOW.reject(
          field + " " + Long.toUnsignedString(raw) + " exceeds " + Long.MAX_VALUE);
    }
    return raw;
  }

  /** floor(a * b / c) with an exact intermediate; throws ArithmeticException if out of range. */
  static long mulDiv(long a, long b, long c) {
    return java.math.BigInteger.valueOf(a)
        .multiply(java.math.BigInteger.valueOf(b))
        .divide(java.math.BigInteger.valueOf(c))
        .longValueExact();
  }
}
