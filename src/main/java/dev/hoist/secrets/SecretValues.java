package dev.hoist.secrets;

import java.util.Map;
import java.util.TreeMap;

/**
 * The values of the app's secrets on one node, read for {@code hoist secrets list --show} only. Its
 * {@link #toString()} names keys only; the values are printed by that command alone.
 */
public record SecretValues(Map<String, String> values) {
  public SecretValues {
    values = java.util.Collections.unmodifiableMap(new TreeMap<>(values));
  }

  @Override
  public String toString() {
    return "SecretValues" + values.keySet();
  }
}
