package io.peerz.genesis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The initial {@code data/priv_validator_state.json}: nothing signed yet. */
public final class PrivValidatorStateFile {
  private PrivValidatorStateFile() {}

  /** Writes {@code {"height":"0","round":0,"step":0}}. */
  public static void writeInitial(Path file) {
    JsonFiles.write(
        file,
        "{\n  \"height\": \"0\",\n  \"round\": 0,\n  \"step\": 0\n}\n"
            .getBytes(StandardCharsets.UTF_8),
        true);
  }
}
