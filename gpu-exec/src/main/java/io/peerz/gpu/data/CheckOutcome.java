package io.peerz.gpu.data;

import java.nio.file.Path;

/** How the check of a complete input ended. */
sealed interface CheckOutcome {
  /** The bytes are what the job committed to; the file is the verified input. */
  record Verified(Path file) implements CheckOutcome {}

  /** The check refused the bytes; they are discarded. */
  record Rejected(DataRejectedException reason) implements CheckOutcome {}

  /** The check could not run (an I/O error, a bug in the check); the bytes are discarded. */
  record Failed(String message) implements CheckOutcome {}

  /** The job was forgotten while its input was checked. */
  record Forgotten() implements CheckOutcome {}
}
