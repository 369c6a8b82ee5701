package dev.hoist.secrets;

import java.util.Map;

/** The secrets of the app on one node: their names with when and by whom each was set. */
public record NodeSecrets(Map<String, SecretInfo> names) {
  public NodeSecrets {
    names = Map.copyOf(names);
  }
}
