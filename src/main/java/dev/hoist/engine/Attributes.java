package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Owner, group and octal mode (e.g. {@code 0640}) wanted for a path. */
public record Attributes(String owner, String group, String mode) {
  public static Attributes of(String owner, String group, String mode) {
    return new Attributes(owner, group, mode);
  }

  /** Human reasons for each attribute that differs from the probed state. */
  public List<String> differences(JsonNode current) {
    List<String> out = new ArrayList<>();
    compare(out, "owner", owner, current.path("owner").asText());
    compare(out, "group", group, current.path("group").asText());
    compare(out, "mode", mode, current.path("mode").asText());
    return out;
  }

  private static void compare(List<String> out, String what, String want, String have) {
    if (want != null && !want.equals(have)) {
      out.add(what + " " + have + " -> " + want);
    }
  }
}
