package io.peerz.cli;

import io.peerz.ledger.proto.KeyType;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A subnet key type by its name in any case: rsa, ed25519, secp256k1, ecdsa. */
final class KeyTypeConverter implements ITypeConverter<KeyType> {
  @Override
  public KeyType convert(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "rsa" -> KeyType.KEY_TYPE_RSA;
      case "ed25519" -> KeyType.KEY_TYPE_ED25519;
      case "secp256k1" -> KeyType.KEY_TYPE_SECP256K1;
      case "ecdsa" -> KeyType.KEY_TYPE_ECDSA;
      default ->
          throw new TypeConversionException(
              "'" + value + "' is not a key type (rsa, ed25519, secp256k1, ecdsa)");
    };
  }
}
