package dev.hoist.stack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.project.BackupSpec;
import java.util.Optional;

/**
 * {@code /etc/hoist/services/<app>/backup.json} on the data node (root 0600), as the data runner's
 * {@code scheduled}, {@code drill} and {@code status} read it: schedule, keep, drill, drill_check
 * (a command string or {@code {"sql": ...}}) and, with an off-node copy, {@code to: {node, host,
 * port, user, path, host_key}}. Without {@code backup:} the file is removed, so what it names is
 * always what the last deploy set up.
 */
public final class BackupConfig {
  /** The data node's own key for the copies; made on the node, never leaves it. */
  public static final String KEY = "/etc/hoist/backup/id_ed25519";

  /**
   * Where the data node finds the copy target: the address the node reaches it at, its SSH port,
   * its host key ("ssh-ed25519 AAAA..."), taken from the admin's verified known host, and the user
   * and directory it writes as and into.
   */
  public record Target(
      String node, String host, int port, String hostKey, String user, String path) {}

  /**
   * The target a data node's backup.json names now (read by the deploy's probe before it rewrites
   * the file): what a deploy that drops or moves {@code to:} takes its key away from. The data node
   * wrote none of it that the admin's side does not check again: the node must be of the inventory
   * and still have {@code hostKey}.
   */
  public record Configured(
      String node, String host, int port, String user, String path, String hostKey) {}

  /** The probe's id: backup.json's text, read in the data node's one probe. */
  public static final String PROBE_ID = "backup-config";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private BackupConfig() {}

  /** The file's path for {@code app}. */
  public static String path(String app) {
    return "/etc/hoist/services/" + app + "/backup.json";
  }

  /**
   * backup.json's probe when {@code catalog} is the app's data node's (it writes or removes the
   * file), else nothing.
   */
  public static Optional<ProbeRequest> probeIn(Catalog catalog, String app) {
    boolean data = catalog.contains("file:" + path(app)) || catalog.contains("absent:" + path(app));
    return data ? Optional.of(probe(app)) : Optional.empty();
  }

  /** Reads backup.json (its text comes along, since no hash is expected). */
  public static ProbeRequest probe(String app) {
    return new ProbeRequest(PROBE_ID, new ProbeKind.File(path(app), ""));
  }

  /**
   * The target that the probed backup.json names, if any. A file hoist did not write (no {@code
   * to.node}, or not JSON) names none.
   */
  public static Optional<Configured> configured(JsonNode state) {
    String text = state.path("text").asText("");
    if (text.isBlank()) {
      return Optional.empty();
    }
    JsonNode to;
    try {
      to = JSON.readTree(text).path("to");
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    if (!to.path("node").isTextual() || !to.path("user").isTextual()) {
      return Optional.empty();
    }
    return Optional.of(
        new Configured(
            to.path("node").asText(),
            to.path("host").asText(""),
            to.path("port").asInt(22),
            to.path("user").asText(),
            to.path("path").asText(""),
            to.path("host_key").asText("")));
  }

  /** The file's text: stable (sorted keys, one line), so an unchanged spec is an unchanged file. */
  public static String render(String app, BackupSpec backup, Optional<Target> to) {
    ObjectNode root = JSON.createObjectNode();
    root.put("app", app);
    root.put("schedule", backup.schedule().text());
    root.put("keep", backup.keep());
    root.put("drill", backup.drill());
    backup
        .drillCheck()
        .ifPresent(
            check -> {
              switch (check) {
                case BackupSpec.DrillCheck.Command c -> root.put("drill_check", c.text());
                case BackupSpec.DrillCheck.Sql s ->
                    root.putObject("drill_check").put("sql", s.query());
              }
            });
    to.ifPresent(
        t -> {
          ObjectNode n = root.putObject("to");
          n.put("node", t.node());
          n.put("host", t.host());
          n.put("port", t.port());
          n.put("user", t.user());
          n.put("path", t.path());
          n.put("host_key", t.hostKey());
        });
    try {
      return JSON.writeValueAsString(JSON.treeToValue(root, Object.class)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
