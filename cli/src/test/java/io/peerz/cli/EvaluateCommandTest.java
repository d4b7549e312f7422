package io.peerz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EvaluateCommandTest {

  @Test
  void jsonReportHasTheHostTheMeasuredSpeedAndTheClass() {
    CliRun r =
        CliRun.run(
            "evaluate",
            "--backend",
            "cpu",
            "--workload",
            "int8-gemm-128",
            "--repeats",
            "2",
            "--output",
            "json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "evaluate");
    assertThat(j.at("/cpu/cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(j.at("/cpu/model").asText()).isNotBlank();
    assertThat(j.at("/gpus").isArray()).isTrue();
    assertThat(j.at("/gpu_source").asText()).isIn("cuda", "nvidia-smi", "none");
    assertThat(j.at("/backend/name").asText()).isEqualTo("cpu");
    assertThat(j.at("/benchmark/workload").asText()).isEqualTo("int8-gemm-128");
    assertThat(j.at("/benchmark/repeats").asInt()).isEqualTo(2);
    assertThat(j.at("/benchmark/gops").asDouble()).isPositive();
    assertThat(j.at("/benchmark/verified").asBoolean()).isTrue();
    // The CPU backend qualifies for the cpu class only, whatever GPU the machine holds.
    assertThat(j.at("/hardware_class/name").asText()).isEqualTo("cpu");
    assertThat(j.at("/hardware_class/relative_value_ppm").asLong()).isEqualTo(20_000);
  }

  @Test
  void textReportNamesEachPart() {
    CliRun r = CliRun.run("evaluate", "--workload", "int8-gemm-64", "--repeats", "1");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("cpu:")
        .contains("memory:")
        .contains("backend:")
        .contains("int8-gemm-64, best of 1")
        .contains("GOP/s")
        .contains("Freivalds check passed")
        .contains("hardware class: ");
  }

  @Test
  void refusesAnUnknownWorkloadOrBackend() {
    CliRun w = CliRun.run("evaluate", "--workload", "int8-gemm-100");
    assertThat(w.exitCode()).isEqualTo(2);
    assertThat(w.err()).contains("multiple of 64");
    CliRun b = CliRun.run("evaluate", "--backend", "tpu");
    assertThat(b.exitCode()).isEqualTo(2);
    assertThat(b.err()).contains("auto, cpu or cuda");
  }
}
