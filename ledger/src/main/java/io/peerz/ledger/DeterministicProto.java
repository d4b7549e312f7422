package io.peerz.ledger;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import java.io.IOException;

/**
 * The deterministic protobuf encoding of a message (map entries sorted by key): the bytes that
 * signatures and hashes cover.
 */
public final class DeterministicProto {
  private DeterministicProto() {}

  /** Encodes {@code message} with {@link CodedOutputStream#useDeterministicSerialization()}. */
  public static byte[] encode(MessageLite message) {
    byte[] out = new byte[message.getSerializedSize()];
    CodedOutputStream stream = CodedOutputStream.newInstance(out);
    stream.useDeterministicSerialization();
    try {
      message.writeTo(stream);
    } catch (IOException e) {
      // Writing into a byte array of the exact size cannot fail.
      throw new IllegalStateException("protobuf encoding into an array failed", e);
    }
    stream.checkNoSpaceLeft();
    return out;
  }
}
