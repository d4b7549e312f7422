package io.peerz.gpu.data;

import java.nio.file.Path;

/**
 * Checks a complete input file against what the job committed to (root, shape). Runs once, off the
 * network threads, when the last byte has arrived; a rejection discards the file.
 */
@FunctionalInterface
public interface InputCheck {
  /** Returns normally when the file is the one the job committed to. */
  void check(Path file) throws DataRejectedException;
}
