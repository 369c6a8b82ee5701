package dev.hoist.secrets;

import java.util.List;

/**
 * What a set or unset did on one node: what it wrote (names only, e.g. "set A, B; unset C") and the
 * services it reloaded or restarted so they see the change.
 */
public record SecretsUpdated(String note, List<String> refreshed) {
  public SecretsUpdated {
    refreshed = List.copyOf(refreshed);
  }
}
