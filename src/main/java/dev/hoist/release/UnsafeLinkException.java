package dev.hoist.release;

import java.io.IOException;

/** A symlink in the project that points outside it: its target would not ship, or would leak. */
public final class UnsafeLinkException extends IOException {
  private static final long serialVersionUID = 1L;

  UnsafeLinkException(String link, String target) {
    super(
        "the symlink "
            + link
            + " points outside the project (to "
            + target
            + "); copy what it needs into the project, or point it at a path inside");
  }
}
