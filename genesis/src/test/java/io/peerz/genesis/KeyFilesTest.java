package io.peerz.genesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.ledger.Hex;
import io.peerz.ledger.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  private final Ed25519KeyPair key = Ed25519KeyPair.fromSeed(GenesisFileTest.filled(3));

  @Test
  void privValidatorKeyRoundTripsAndIsPrivate(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config/priv_validator_key.json");
    PrivValidatorKeyFile.write(file, key);

    Ed25519KeyPair back = PrivValidatorKeyFile.read(file);

    assertThat(back.privateKey()).isEqualTo(key.privateKey());
    assertThat(back.publicKey()).isEqualTo(key.publicKey());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    JsonNode root = JsonFiles.MAPPER.readTree(file.toFile());
    assertThat(root.get("address").asText())
        .isEqualTo(GenesisFile.validatorAddress(key.publicKey()));
    assertThat(root.at("/priv_key/type").asText()).isEqualTo("tendermint/PrivKeyEd25519");
    assertThat(Base64.getDecoder().decode(root.at("/priv_key/value").asText())).hasSize(64);
  }

  @Test
  void privValidatorKeyWithMismatchedPublicKeyIsRejected(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("k.json");
    PrivValidatorKeyFile.write(file, key);
    String other =
        Base64.getEncoder()
            .encodeToString(Ed25519KeyPair.fromSeed(GenesisFileTest.filled(4)).publicKey());
    String text = Files.readString(file);
    String mine = Base64.getEncoder().encodeToString(key.publicKey());
    Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(mine), other));

    assertThatThrownBy(() -> PrivValidatorKeyFile.read(file)).hasMessageContaining("pub_key");
  }

  @Test
  void nodeKeyRoundTripsAndNodeIdIsLowerHexOfTwentyShaBytes(@TempDir Path dir) {
    Path file = dir.resolve("node_key.json");
    NodeKeyFile.write(file, key);

    assertThat(NodeKeyFile.read(file).publicKey()).isEqualTo(key.publicKey());
    String id = NodeKeyFile.nodeId(key.publicKey());
    assertThat(id).matches("[0-9a-f]{40}");
    assertThat(id).isEqualTo(Hex.encode(Sha256.hash(key.publicKey())).substring(0, 40));
  }

  @Test
  void initialValidatorStateHasSignedNothing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data/priv_validator_state.json");
    PrivValidatorStateFile.writeInitial(file);

    JsonNode root = JsonFiles.MAPPER.readTree(file.toFile());
    assertThat(root.get("height").asText()).isEqualTo("0");
    assertThat(root.get("height").isTextual()).isTrue();
    assertThat(root.get("round").asInt()).isZero();
    assertThat(root.get("step").asInt()).isZero();
  }

  @Test
  void testnetHomesShareOneGenesisListingEveryValidator(@TempDir Path dir) {
    var nodes =
        TestnetGenerator.generate(
            dir,
            3,
            "peerz-testnet",
            java.time.Instant.parse("2026-01-01T00:00:00Z"),
            java.util.Map.of(),
            java.util.List.of(),
            new SecureRandom());

    assertThat(nodes).hasSize(3);
    var genesis = GenesisFile.read(nodes.get(2).home().resolve("config/genesis.json"));
    assertThat(genesis.validators()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(genesis.validators().get(i).pubKey())
          .isEqualTo(
              PrivValidatorKeyFile.read(
                      nodes.get(i).home().resolve("config/priv_validator_key.json"))
                  .publicKey());
    }
  }
}
