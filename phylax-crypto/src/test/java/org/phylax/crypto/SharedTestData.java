package org.phylax.crypto;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the published test vectors in the repository's sibling {@code shared/testdata}. The files
 * are not copied into the module so that there is one reviewed copy; a missing copy is a failure,
 * never a skip, because a suite that silently ran no vector would prove nothing.
 */
final class SharedTestData {

  private SharedTestData() {}

  /**
   * The first {@code shared/testdata/<folder>} found walking up from the working directory: Maven
   * runs the tests in the module directory, an IDE may run them at the repository root, and CI
   * clones the repository next to its copy of {@code shared/}.
   */
  static Path directory(String folder) {
    Path relative = Path.of("shared", "testdata", folder);
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(relative);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no "
            + relative
            + " in "
            + start
            + " or any parent directory: the "
            + folder
            + " vectors are required, not optional");
  }
}
