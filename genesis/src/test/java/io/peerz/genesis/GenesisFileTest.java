package io.peerz.genesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.peerz.ledger.Ed25519KeyPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenesisFileTest {
  private static final Instant TIME = Instant.parse("2026-01-02T03:04:05.678Z");
  private static final String ALICE = "0x" + "ab".repeat(20);
  private final Ed25519KeyPair key = Ed25519KeyPair.fromSeed(new byte[32]);

  private GenesisDoc sample() {
    return GenesisFile.create(
        "peerz-local",
        TIME,
        List.of(new GenesisDoc.Validator(key.publicKey(), 10, "v0")),
        Map.of("epoch_length", 5),
        List.of(new GenesisAccount(ALICE, 1_000_000_000L)));
  }

  @Test
  void writtenGenesisReadsBackToTheSameDocumentAndBytes(@TempDir Path dir) throws Exception {
    GenesisDoc doc = sample();
    Path file = dir.resolve("config/genesis.json");
    GenesisFile.write(file, doc);

    GenesisDoc back = GenesisFile.read(file);

    assertThat(back.chainId()).isEqualTo("peerz-local");
    assertThat(back.genesisTimeMillis()).isEqualTo(TIME.toEpochMilli());
    assertThat(back.initialHeight()).isEqualTo(1);
    assertThat(back.validators()).hasSize(1);
    assertThat(back.validators().get(0).pubKey()).isEqualTo(key.publicKey());
    assertThat(back.validators().get(0).power()).isEqualTo(10);
    assertThat(back.validators().get(0).name()).isEqualTo("v0");
    assertThat(back.rawJson()).isEqualTo(Files.readAllBytes(file));
    JsonNode appState = JsonFiles.MAPPER.readTree(back.appStateJson());
    assertThat(appState.at("/params/epoch_length").asInt()).isEqualTo(5);
    assertThat(appState.at("/accounts/0/address").asText()).isEqualTo(ALICE);
    assertThat(appState.at("/accounts/0/balance").asText()).isEqualTo("1000000000");
  }

  @Test
  void layoutFollowsCometBft() throws Exception {
    JsonNode root = JsonFiles.MAPPER.readTree(sample().rawJson());

    assertThat(root.get("genesis_time").asText()).isEqualTo("2026-01-02T03:04:05.678Z");
    assertThat(root.get("initial_height").isTextual()).isTrue();
    assertThat(root.get("app_hash").asText()).isEmpty();
    assertThat(root.at("/consensus_params/block/max_bytes").asText()).isEqualTo("22020096");
    JsonNode v = root.at("/validators/0");
    assertThat(v.get("address").asText()).isEqualTo(GenesisFile.validatorAddress(key.publicKey()));
    assertThat(v.get("address").asText()).matches("[0-9A-F]{40}");
    assertThat(v.at("/pub_key/type").asText()).isEqualTo("tendermint/PubKeyEd25519");
    assertThat(Base64.getDecoder().decode(v.at("/pub_key/value").asText()))
        .isEqualTo(key.publicKey());
    assertThat(v.get("power").asText()).isEqualTo("10");
  }

  @Test
  void addAccountAndValidatorKeepTheRestOfTheFile() throws Exception {
    Ed25519KeyPair other = Ed25519KeyPair.fromSeed(filled(7));
    GenesisDoc doc =
        GenesisFile.addValidator(
            GenesisFile.addAccount(sample(), new GenesisAccount("0x" + "cd".repeat(20), 5)),
            new GenesisDoc.Validator(other.publicKey(), 3, "v1"));

    assertThat(doc.validators()).extracting(GenesisDoc.Validator::name).containsExactly("v0", "v1");
    JsonNode appState = JsonFiles.MAPPER.readTree(doc.appStateJson());
    assertThat(appState.get("accounts")).hasSize(2);
    assertThat(appState.at("/params/epoch_length").asInt()).isEqualTo(5);
  }

  @Test
  void addingAnAccountTwiceIsRejected() {
    assertThatThrownBy(
            () ->
                GenesisFile.addAccount(
                    sample(), new GenesisAccount(ALICE.toUpperCase().replace("0X", "0x"), 1)))
        .isInstanceOf(InvalidGenesisException.class)
        .hasMessageContaining("app_state.accounts");
  }

  @Test
  void addingAValidatorTwiceIsRejected() {
    assertThatThrownBy(
            () ->
                GenesisFile.addValidator(
                    sample(), new GenesisDoc.Validator(key.publicKey(), 1, "again")))
        .hasMessageContaining("validators");
  }

  @Test
  void missingChainIdIsRejectedNamingTheField() {
    assertRejected(root -> root.remove("chain_id"), "chain_id: missing");
  }

  @Test
  void tooLongChainIdIsRejected() {
    assertRejected(root -> root.put("chain_id", "x".repeat(51)), "chain_id");
  }

  @Test
  void nonRfc3339TimeIsRejected() {
    assertRejected(root -> root.put("genesis_time", "yesterday"), "genesis_time");
  }

  @Test
  void emptyValidatorSetIsRejected() {
    assertRejected(root -> root.putArray("validators"), "validators: at least one");
  }

  @Test
  void shortPublicKeyIsRejected() {
    assertRejected(
        root -> ((ObjectNode) root.at("/validators/0/pub_key")).put("value", "AAAA"),
        "validators[0].pub_key.value: expected 32 bytes");
  }

  @Test
  void wrongKeyTypeIsRejected() {
    assertRejected(
        root -> ((ObjectNode) root.at("/validators/0/pub_key")).put("type", "secp256k1"),
        "validators[0].pub_key.type");
  }

  @Test
  void zeroPowerIsRejected() {
    assertRejected(
        root -> ((ObjectNode) root.at("/validators/0")).put("power", "0"),
        "validators[0].power: must be positive");
  }

  @Test
  void addressNotMatchingTheKeyIsRejected() {
    assertRejected(
        root -> ((ObjectNode) root.at("/validators/0")).put("address", "00".repeat(20)),
        "validators[0].address");
  }

  @Test
  void badAccountAddressIsRejected() {
    assertRejected(
        root -> ((ObjectNode) root.at("/app_state/accounts/0")).put("address", "alice"),
        "app_state.accounts[0].address");
  }

  @Test
  void negativeBalanceIsRejected() {
    assertRejected(
        root -> ((ObjectNode) root.at("/app_state/accounts/0")).put("balance", "-1"),
        "app_state.accounts[0].balance");
  }

  @Test
  void nonIntegerInitialHeightIsRejected() {
    assertRejected(root -> root.put("initial_height", "one"), "initial_height");
  }

  @Test
  void notJsonIsRejected() {
    assertThatThrownBy(() -> GenesisFile.parse("{".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidGenesisException.class)
        .hasMessageContaining("not valid JSON");
  }

  private void assertRejected(Consumer<ObjectNode> edit, String message) {
    ObjectNode root = JsonFiles.parseObject(sample().rawJson(), "genesis");
    edit.accept(root);
    assertThatThrownBy(() -> GenesisFile.parse(JsonFiles.render(root)))
        .isInstanceOf(InvalidGenesisException.class)
        .hasMessageContaining(message);
  }

  static byte[] filled(int b) {
    byte[] s = new byte[32];
    java.util.Arrays.fill(s, (byte) b);
    return s;
  }
}
