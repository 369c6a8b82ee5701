package dev.hoist.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's {@code secrets} probe: the names of the app's secrets on a node and when each was
 * set, never a value. A deploy reads it to warn about keys both in {@code env:} and the secrets.
 */
public final class SecretsProbe {
  public static final String ID = "secrets";

  private SecretsProbe() {}

  public static ProbeRequest of(AppLayout layout) {
    return new ProbeRequest(ID, new ProbeKind.Secrets(layout.secretsFile(), layout.secretsIndex()));
  }

  /** The names in an answer of {@link #of}, sorted. */
  public static List<String> names(JsonNode state) {
    List<String> names = new ArrayList<>();
    state.path("names").fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The warnings for keys in both the spec's {@code env:} and the node's secrets (names only). */
  public static List<String> shadowed(java.util.Map<String, String> env, JsonNode state) {
    return names(state).stream()
        .filter(env::containsKey)
        .map(k -> k + " is in env: in hoist.yml and in the secrets on this node; the secret wins")
        .toList();
  }
}
