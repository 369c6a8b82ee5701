package dev.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code hoist services purge}'s report, from the data runner's result: what each service left
 * (what would be deleted), that nothing is left, or what was deleted.
 */
final class PurgeView {
  private final Console console;

  PurgeView(Console console) {
    this.console = console;
  }

  /** Whether any of the services left something on the node. */
  static boolean anything(JsonNode result) {
    for (JsonNode found : result.path("services")) {
      if (!found.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Nothing was left: says so per service. */
  void nothing(String app, String node, List<String> services) {
    console.line(
        "nothing to purge: "
            + String.join(", ", services)
            + " left no data of "
            + app
            + " on "
            + node);
  }

  /** What would be deleted, then how to delete it. */
  void preview(String app, String node, JsonNode result, String again) {
    console.line("hoist services purge would delete, of " + app + " on " + node + ":");
    lines(result);
    console.line(
        console.bold("Nothing was deleted.")
            + " Backups (.hoistbak bundles) are not touched, and hold none of this if they were"
            + " taken after the service left services:. To delete it, rerun with --yes:");
    console.line("  " + again);
  }

  /** What was deleted. */
  void deleted(String app, String node, JsonNode result) {
    console.line(console.green("purged") + " from " + node + ", of " + app + ":");
    lines(result);
  }

  private void lines(JsonNode result) {
    result
        .path("services")
        .fields()
        .forEachRemaining(e -> console.line(String.format("  %-9s %s", e.getKey(), what(e))));
  }

  private static String what(java.util.Map.Entry<String, JsonNode> e) {
    JsonNode f = e.getValue();
    if (f.isEmpty()) {
      return "nothing left";
    }
    List<String> parts = new ArrayList<>();
    switch (e.getKey()) {
      case "postgres" -> {
        f.path("databases")
            .forEach(
                d ->
                    parts.add(
                        "database " + d.path("name").asText() + " (" + size(d.path("size")) + ")"));
        if (f.hasNonNull("role")) {
          parts.add("role " + f.path("role").asText());
        }
      }
      case "redis" -> {
        List<String> dirs = dirs(f);
        parts.add(
            "instance "
                + f.path("instance").asText()
                + (f.hasNonNull("keys") ? ": " + f.path("keys").asLong() + " keys" : "")
                + (dirs.isEmpty() ? "" : " in " + String.join(", ", dirs)));
        f.path("files").forEach(p -> parts.add(p.asText()));
      }
      default -> parts.addAll(dirs(f));
    }
    return String.join(", ", parts);
  }

  private static List<String> dirs(JsonNode f) {
    List<String> out = new ArrayList<>();
    f.path("dirs")
        .forEach(d -> out.add(d.path("dir").asText() + " (" + size(d.path("size")) + ")"));
    return out;
  }

  private static String size(JsonNode bytes) {
    return bytes.isNumber() ? TransferProgress.mb(bytes.asLong()) : "size unknown";
  }
}
