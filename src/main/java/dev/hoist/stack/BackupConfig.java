package dev.hoist.stack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.project.BackupSpec;
import java.util.Optional;

/**
 * {@code /etc/hoist/services/<app>/backup.json} on the data node (root 0600), as the data runner's
 * {@code scheduled}, {@code drill} and {@code status} read it: schedule, keep, drill, drill_check
 * (a command string or {@code {"sql": ...}}) and, with an off-node copy, {@code to: {node, host,
 * port, user, path, host_key}}.
 */
public final class BackupConfig {
  /** The system user on the target node that receives copies over SFTP only. */
  public static final String TARGET_USER = "hoist-backup";

  /** The data node's own key for the copies; made on the node, never leaves it. */
  public static final String KEY = "/etc/hoist/backup/id_ed25519";

  /**
   * Where the data node finds the copy target: the address the node reaches it at, its SSH port,
   * and its host key ("ssh-ed25519 AAAA..."), taken from the admin's verified known host.
   */
  public record Target(String node, String host, int port, String hostKey, String path) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private BackupConfig() {}

  /** The file's path for {@code app}. */
  public static String path(String app) {
    return "/etc/hoist/services/" + app + "/backup.json";
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
          n.put("user", TARGET_USER);
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
