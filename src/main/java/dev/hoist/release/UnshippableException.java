package dev.hoist.release;

import java.io.IOException;

/**
 * A project that cannot ship as it is: a symlink pointing outside it (its target would not ship, or
 * would leak), or a git checkout in which git tracks none of its files. Bad input: refused before
 * anything is sent.
 */
public final class UnshippableException extends IOException {
  private static final long serialVersionUID = 1L;

  private UnshippableException(String message) {
    super(message);
  }

  static UnshippableException outsideLink(String link, String target) {
    return new UnshippableException(
        "the symlink "
            + link
            + " points outside the project (to "
            + target
            + "); copy what it needs into the project, or point it at a path inside");
  }

  static UnshippableException nothingTracked(String projectDir) {
    return new UnshippableException(
        "git tracks no file in "
            + projectDir
            + ", and in a git checkout hoist ships what git tracks; 'git add' the project's files");
  }
}
