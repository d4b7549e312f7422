package io.peerz.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class MarketParamsTest {

  @Test
  void hardwareClassesDefaultToTheAttestationModulesClasses() {
    JsonNode p = new TestChain("{}").query("/params");
    JsonNode classes = p.get("hardware_classes");
    assertThat(classes).hasSize(4);
    assertThat(classes.get(1).get("name").asText()).isEqualTo("gpu-24gb");
    assertThat(classes.get(1).get("relative_value_ppm").asText()).isEqualTo("1000000");
    assertThat(p.get("benchmark_workload").asText()).isEqualTo("int8-gemm-256");
    assertThat(p.get("challenge_rows").asText()).isEqualTo("16");
  }

  @Test
  void genesisSetsItsOwnHardwareClasses() {
    JsonNode p =
        new TestChain(
                "{\"params\":{\"hardware_classes\":[{\"name\":\"a100\",\"min_vram_mib\":\"40000\","
                    + "\"relative_value_ppm\":3000000,\"benchmark_millis\":3}],"
                    + "\"benchmark_workload\":\"int8-gemm-512\"}}")
            .query("/params");
    assertThat(p.get("hardware_classes")).hasSize(1);
    assertThat(p.get("hardware_classes").get(0).get("min_vram_mib").asText()).isEqualTo("40000");
    assertThat(p.get("benchmark_workload").asText()).isEqualTo("int8-gemm-512");
  }

  @Test
  void badHardwareClassesAndMarketParamsNameTheField() {
    assertThatThrownBy(
            () ->
                new TestChain(
                    "{\"params\":{\"hardware_classes\":[{\"name\":\"Bad Name\","
                        + "\"relative_value_ppm\":1,\"benchmark_millis\":1}]}}"))
        .hasMessageContaining("hardware_classes[0]")
        .hasMessageContaining("name");
    assertThatThrownBy(
            () ->
                new TestChain(
                    "{\"params\":{\"hardware_classes\":[{\"name\":\"x\",\"relative_value_ppm\":1,"
                        + "\"benchmark_millis\":1},{\"name\":\"x\",\"relative_value_ppm\":1,"
                        + "\"benchmark_millis\":1}]}}"))
        .hasMessageContaining("repeats");
    assertThatThrownBy(
            () ->
                new TestChain(
                    "{\"params\":{\"hardware_classes\":[{\"name\":\"x\",\"relative_value_ppm\":1}]}}"))
        .hasMessageContaining("benchmark_millis");
    assertThatThrownBy(() -> new TestChain("{\"params\":{\"hardware_classes\":[]}}"))
        .hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> new TestChain("{\"params\":{\"benchmark_workload\":\"gemm\"}}"))
        .hasMessageContaining("benchmark_workload");
    assertThatThrownBy(() -> new TestChain("{\"params\":{\"slash_ppm\":2000000}}"))
        .hasMessageContaining("slash_ppm");
    assertThatThrownBy(() -> new TestChain("{\"params\":{\"challenge_rows\":0}}"))
        .hasMessageContaining("challenge_rows");
  }
}
