package dev.hoist.server.history;

import java.util.Locale;

/** Where a deploy is in its life; the last four are final. */
public enum DeployStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  /** A newer push arrived while it waited; it never ran. */
  SUPERSEDED,
  /**
   * The server stopped while it ran or waited; its nodes keep an interrupted deploy's guarantees.
   */
  INTERRUPTED;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  static DeployStatus of(String word) {
    return valueOf(word.toUpperCase(Locale.ROOT));
  }
}
