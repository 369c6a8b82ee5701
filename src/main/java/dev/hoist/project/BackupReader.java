package dev.hoist.project;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads {@code backup: {schedule, keep, to: {node, path}, drill, drill_check}}. A schedule that
 * does not parse is reported at the field inside it; there is nothing to back up without {@code
 * services:}. Whether {@code to.node} exists is checked against the whole inventory ({@link
 * #checkTarget}), since the node may be declared in the user's config.
 */
final class BackupReader {
  private static final List<String> KEYS =
      List.of("schedule", "keep", "to", "drill", "drill_check");
  private static final List<String> TO_KEYS = List.of("node", "path");
  private static final int MAX_KEEP = 10_000;

  private final YamlNodes nodes;

  BackupReader(YamlNodes nodes) {
    this.nodes = nodes;
  }

  Optional<BackupSpec> read(Node node, ServicesSpec services, Optional<Node> servicesNode) {
    Optional<Fields> found = nodes.fields(node, "backup", KEYS, Set.of());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    if (!services.any() && servicesNode.isEmpty()) {
      nodes.problem(
          node,
          "backup",
          "there is nothing to back up: hoist.yml has no services",
          "add e.g. 'services: [postgres]', or remove 'backup:'");
      return Optional.empty();
    }
    Fields f = found.get();
    Optional<CronSchedule> schedule =
        f.get("schedule")
            .map(
                n ->
                    n instanceof ScalarNode s
                        ? new CronReader(nodes).schedule(s, s.getValue(), 0, f.key("schedule"))
                        : nodes
                            .text(n, f.key("schedule"), "daily, hourly, weekly or '0 3 * * *'")
                            .flatMap(t -> Optional.<CronSchedule>empty()))
            .orElseGet(() -> Optional.of(CronSchedule.parse(BackupSpec.DEFAULT_SCHEDULE)));
    Optional<Integer> keep =
        f.get("keep")
            .map(n -> nodes.integer(n, f.key("keep"), 1, MAX_KEEP))
            .orElse(Optional.of(BackupSpec.DEFAULT_KEEP));
    Optional<Optional<BackupSpec.Target>> to =
        f.get("to")
            .map(n -> target(n, f.key("to")).map(Optional::of))
            .orElse(Optional.of(Optional.empty()));
    Optional<Boolean> drill =
        f.get("drill").map(n -> nodes.flag(n, f.key("drill"))).orElse(Optional.of(false));
    Optional<Optional<BackupSpec.DrillCheck>> check =
        f.get("drill_check")
            .map(n -> drillCheck(n, f.key("drill_check")).map(Optional::of))
            .orElse(Optional.of(Optional.empty()));
    if (schedule.isEmpty()
        || keep.isEmpty()
        || to.isEmpty()
        || drill.isEmpty()
        || check.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new BackupSpec(schedule.get(), keep.get(), to.get(), drill.get(), check.get()));
  }

  private Optional<BackupSpec.Target> target(Node node, String key) {
    Optional<Fields> found = nodes.fields(node, key, TO_KEYS, Set.of());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Fields f = found.get();
    Optional<Node> nodeName = f.required("node", "node: backup1");
    Optional<String> name =
        nodeName.flatMap(n -> nodes.parse(n, f.key("node"), "a node name", Values::nodeName));
    Optional<Optional<String>> path =
        f.get("path")
            .map(
                n ->
                    nodes
                        .parse(n, f.key("path"), "an absolute directory", BackupReader::dir)
                        .map(Optional::of))
            .orElse(Optional.of(Optional.empty()));
    if (name.isEmpty() || path.isEmpty()) {
      return Optional.empty();
    }
    var mark = nodeName.get().getStartMark();
    return Optional.of(
        new BackupSpec.Target(
            name.get(),
            path.get(),
            nodes.file(),
            mark.map(m -> m.getLine() + 1).orElse(0),
            mark.map(m -> m.getColumn() + 1).orElse(0)));
  }

  /** An absolute, normalised directory that the runner passes to sftp as it is. */
  static String dir(String text) {
    if (!text.matches("/[A-Za-z0-9_./@+-]*")
        || text.contains("/../")
        || text.endsWith("/..")
        || text.contains("/./")
        || text.contains("//")) {
      throw new InvalidValue(
          "expected an absolute directory of letters, digits and _ . / @ + -, found '" + text + "'",
          "e.g. /srv/backups/myapp");
    }
    if (text.equals("/") || text.matches("/(etc|bin|sbin|usr|proc|sys|dev|boot|root|run)(/.*)?")) {
      throw new InvalidValue(
          "'" + text + "' is a system directory; copies need a directory of their own",
          "e.g. /srv/backups/myapp");
    }
    String dir =
        text.length() > 1 && text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    // The homes there are the data nodes' own (their keys, their copies): a path into one could
    // be another data node's, which the target would then hand to this node's user. The default
    // is this node's own directory there.
    if (dir.equals(TargetLayout.ROOT) || dir.startsWith(TargetLayout.ROOT + "/")) {
      throw new InvalidValue(
          "'"
              + text
              + "' is under "
              + TargetLayout.ROOT
              + ", where the target keeps each data node's own home and copies (maybe another"
              + " node's)",
          "leave path: out (copies then go into this data node's own directory there), or name a"
              + " directory elsewhere, e.g. /srv/backups/myapp");
    }
    return dir;
  }

  private Optional<BackupSpec.DrillCheck> drillCheck(Node node, String key) {
    if (node instanceof MappingNode) {
      Optional<Fields> found = nodes.fields(node, key, List.of("sql"), Set.of());
      return found.flatMap(
          f ->
              f.required("sql", "sql: SELECT count(*) FROM auth_user")
                  .flatMap(n -> nodes.text(n, f.key("sql"), "an SQL query"))
                  .filter(q -> !q.isBlank())
                  .map(BackupSpec.DrillCheck.Sql::new));
    }
    return nodes
        .parse(
            node,
            key,
            "a command, or {sql: QUERY}",
            text -> {
              if (ShellWords.split(text).isEmpty()) {
                throw new InvalidValue(
                    "expected a command, found nothing",
                    "e.g. 'python manage.py check --database default'");
              }
              return text;
            })
        .map(BackupSpec.DrillCheck.Command::new);
  }

  /**
   * The backup target must be a node of {@code inventory} (hoist.yml's and the user's config).
   *
   * @throws SpecException at the node's name in hoist.yml
   */
  static void checkTarget(Optional<BackupSpec> backup, Inventory inventory) throws SpecException {
    Optional<BackupSpec.Target> to = backup.flatMap(BackupSpec::to);
    if (to.isEmpty() || inventory.nodes().containsKey(to.get().node())) {
      return;
    }
    BackupSpec.Target t = to.get();
    List<String> known = List.copyOf(inventory.nodes().keySet());
    throw new SpecException(
        List.of(
            new SpecProblem(
                t.file(),
                t.line(),
                t.column(),
                "backup.to.node",
                "no node named '" + t.node() + "'",
                Optional.of(
                    Suggestions.closest(t.node(), known)
                        .map(s -> "did you mean '" + s + "'?")
                        .orElse(
                            "declare it under nodes: (in hoist.yml or "
                                + UserConfig.defaultPath()
                                + ") — copies go to another node over SFTP")))));
  }
}
