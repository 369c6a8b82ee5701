package dev.hoist.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code hoist status}'s part about the app's data: each service on the data node (PostgreSQL,
 * Redis, uploads: running, version, size), the newest backup and the last drill, from the data
 * runner's {@code status --services}.
 */
final class DataView {
  private static final Map<String, String> NAMES =
      Map.of("postgres", "PostgreSQL", "redis", "Redis", "files", "uploads");

  /** --json: the data node and its runner's answer (services, backups, runs), or the error. */
  @JsonInclude(JsonInclude.Include.NON_ABSENT)
  record DataJson(
      String node,
      Optional<JsonNode> services,
      Optional<JsonNode> lastBackup,
      Optional<JsonNode> lastScheduled,
      Optional<JsonNode> lastDrill,
      Optional<String> error) {
    static DataJson of(String node, JsonNode status) {
      JsonNode newest = status.path("backups").path(0);
      return new DataJson(
          node,
          present(status.path("services")),
          present(newest),
          present(status.path("last_scheduled")),
          present(status.path("last_drill")),
          Optional.empty());
    }

    static DataJson failed(String node, String error) {
      return new DataJson(
          node,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.of(error));
    }

    private static Optional<JsonNode> present(JsonNode n) {
      return n.isObject() ? Optional.of(n) : Optional.empty();
    }
  }

  private DataView() {}

  /** The app's data on its data node, or why it could not be read (never fails the command). */
  static DataJson read(Session s) throws InterruptedException {
    String node;
    try {
      node = s.dataNode().name();
    } catch (CommandException e) {
      return DataJson.failed("?", e.getMessage());
    }
    try {
      JsonNode status =
          BackupsCommand.onDataNode(s, runner -> runner.statusWithServices(s.spec().app()));
      return DataJson.of(node, status);
    } catch (CommandException e) {
      return DataJson.failed(node, e.getMessage());
    }
  }

  static void show(Console c, DataJson d, Instant now) {
    c.line(c.bold("data") + " on " + d.node() + ":");
    if (d.error().isPresent()) {
      c.line("  " + c.red("cannot read: ") + d.error().get());
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = d.services().orElseThrow().fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      c.line(String.format("  %-28s %-9s %s", name(e), state(c, e.getValue()), about(e)));
    }
    c.line(
        "  last backup "
            + d.lastBackup()
                .map(
                    b ->
                        b.path("name").asText()
                            + ", "
                            + BackupsCommand.age(b.path("created").asText(""), now)
                            + " old, "
                            + BackupsCommand.mb(b.path("size").asLong())
                            + ", "
                            + (b.path("verified").asBoolean(false)
                                ? c.green("verified")
                                : c.yellow("not verified")))
                .orElse(c.yellow("none")));
    c.line(
        "  last drill "
            + d.lastDrill()
                .map(
                    r ->
                        r.path("at").asText()
                            + ": "
                            + (r.path("ok").asBoolean(false)
                                ? c.green("ok")
                                : c.red("failed") + ": " + r.path("error").asText()))
                .orElse(c.dim("none")));
  }

  private static String name(Map.Entry<String, JsonNode> e) {
    String name = NAMES.getOrDefault(e.getKey(), e.getKey());
    String version = e.getValue().path("version").asText("");
    return version.isEmpty() ? name : name + " " + version;
  }

  private static String state(Console c, JsonNode s) {
    return s.path("running").asBoolean(false) ? c.green("running") : c.red("down");
  }

  private static String about(Map.Entry<String, JsonNode> e) {
    JsonNode s = e.getValue();
    if (!s.path("running").asBoolean(false)) {
      return s.path("error").asText("");
    }
    String size = BackupsCommand.mb(s.path("size").asLong());
    return switch (e.getKey()) {
      case "postgres" -> "database " + s.path("database").asText() + ", " + size;
      case "redis" ->
          String.format(Locale.ROOT, "%s in memory, %d keys", size, s.path("keys").asLong());
      default -> size + " in " + s.path("dir").asText();
    };
  }
}
