package dev.hoist.secrets;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one {@code hoist secrets set} or {@code unset} asks of every node: values to set and names
 * to remove. Its {@link #toString()} names keys only, so no log or message can print a value.
 */
public record SecretChange(Map<String, String> sets, List<String> unsets) {
  public SecretChange {
    sets = java.util.Collections.unmodifiableMap(new TreeMap<>(sets));
    unsets = List.copyOf(unsets);
  }

  public static SecretChange set(Map<String, String> values) {
    return new SecretChange(values, List.of());
  }

  public static SecretChange unset(List<String> names) {
    return new SecretChange(Map.of(), names);
  }

  @Override
  public String toString() {
    return "SecretChange[set=" + sets.keySet() + ", unset=" + unsets + "]";
  }
}
