package dev.hoist.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.engine.AgentOp;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Change;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.project.TargetLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The target's side of {@code backup.to} beyond its catalog, planned purely from one probe: which
 * apps of a data node copy there (a root-only record in the node's home, so taking one app's copies
 * away never cuts another's), and the data node's line in the shared user of before ({@link
 * TargetLayout#LEGACY_USER}), which is taken out once the node has its own user. When the last app
 * of a data node stops copying, its key and user go; the copies stay, given to root first so that
 * no later user that gets the freed uid could read them. docs/backups.md.
 */
public final class BackupTargetChanges {
  /** The probe of the record of the data node's apps. */
  public static final String APPS_PROBE = "backup-target-apps";

  /** The probe of the shared user's authorized_keys of before. */
  public static final String LEGACY_PROBE = "backup-target-shared";

  /** The shared user's authorized_keys of before. */
  public static final String LEGACY_KEYS = TargetLayout.ROOT + "/.ssh/authorized_keys";

  // Removes the lines marked MARK and adds LINE (when given), atomically; nothing else changes.
  private static final String KEYS =
      """
      import os, sys
      path, mark = sys.argv[1:3]
      add = sys.argv[3:]
      try:
          with open(path, encoding="utf-8") as f:
              old = f.read().splitlines()
      except FileNotFoundError:
          old = []
      keep = [l for l in old if l.strip() and not l.endswith(" " + mark)]
      tmp = path + ".hoist-tmp"
      fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
      with os.fdopen(fd, "w", encoding="utf-8") as out:
          out.write("".join(l + "\\n" for l in keep + add))
          out.flush()
          os.fsync(out.fileno())
      os.chmod(tmp, 0o644)
      os.rename(tmp, path)
      """;

  // Sets (or, without DIR, drops) APP's directory in the record, atomically, root 0600.
  private static final String RECORD =
      """
      import json, os, sys
      path, app = sys.argv[1:3]
      try:
          with open(path, encoding="utf-8") as f:
              apps = json.load(f)
      except FileNotFoundError:
          apps = {}
      if len(sys.argv) > 3:
          apps[app] = sys.argv[3]
      else:
          apps.pop(app, None)
      tmp = path + ".hoist-tmp"
      fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
      with os.fdopen(fd, "w", encoding="utf-8") as out:
          json.dump(apps, out, sort_keys=True)
          out.flush()
          os.fsync(out.fileno())
      os.rename(tmp, path)
      """;

  // The last app is gone: the copy dirs become root's (never following a link), then the key,
  // the user (and its group) and the record go.
  private static final String RELEASE =
      """
      import grp, os, pwd, subprocess, sys
      record, keys, user = sys.argv[1:4]
      for top in sys.argv[4:]:
          if os.path.isdir(top) and not os.path.islink(top):
              os.lchown(top, 0, 0)
              for d, dirs, files in os.walk(top):
                  for n in dirs + files:
                      os.lchown(os.path.join(d, n), 0, 0)
      for p in (keys, record):
          try:
              os.unlink(p)
          except FileNotFoundError:
              pass
      try:
          pwd.getpwnam(user)
          subprocess.run(["userdel", user], check=True)
      except KeyError:
          pass
      try:
          grp.getgrnam(user)
          subprocess.run(["groupdel", user], check=True)
      except KeyError:
          pass
      """;

  private BackupTargetChanges() {}

  /** The record of {@code dataNode}'s apps on the target: app → copy directory. */
  public static String record(String dataNode) {
    return TargetLayout.home(dataNode) + "/apps.json";
  }

  /** What the planning below reads, in the same probe as the catalog's resources. */
  public static List<ProbeRequest> probes(String dataNode) {
    return List.of(
        new ProbeRequest(APPS_PROBE, new ProbeKind.Json(record(dataNode))),
        new ProbeRequest(LEGACY_PROBE, new ProbeKind.File(LEGACY_KEYS, "")));
  }

  /**
   * Beside the catalog, for {@code app}'s copies from {@code dataNode} into {@code directory}: the
   * app recorded, and the node's line in the shared user of before taken out.
   */
  public static List<Change> grant(
      String dataNode, String app, String directory, Map<String, JsonNode> states) {
    List<Change> changes = new ArrayList<>();
    if (!apps(states).path(app).asText("").equals(directory)) {
      changes.add(
          change(
              "record:" + app,
              Change.Kind.CREATE,
              "record that " + app + " of " + dataNode + " copies into " + directory,
              "so that a deploy without backup.to knows whether other apps still use the key",
              List.of(python(RECORD, record(dataNode), app, directory))));
    }
    shared(dataNode, states).ifPresent(changes::add);
    return changes;
  }

  /**
   * What takes {@code app}'s copies from {@code dataNode} away: the app's record, and with the last
   * app the key and the user; the node's line in the shared user of before, if it is still there.
   */
  public static List<Change> release(String dataNode, String app, Map<String, JsonNode> states) {
    List<Change> changes = new ArrayList<>();
    JsonNode apps = apps(states);
    if (apps.has(app)) {
      String dir = apps.path(app).asText();
      List<String> others = new ArrayList<>();
      apps.fieldNames().forEachRemaining(a -> others.add(a));
      others.remove(app);
      String user = TargetLayout.user(dataNode);
      if (others.isEmpty()) {
        List<String> args = new ArrayList<>(List.of(RELEASE, record(dataNode)));
        args.add(BackupTargetStack.authorizedKeys(dataNode));
        args.add(user);
        apps.elements().forEachRemaining(d -> args.add(d.asText()));
        changes.add(
            change(
                "user:" + user,
                Change.Kind.UPDATE,
                "remove " + dataNode + "'s key and the user " + user,
                app
                    + " was the last app of "
                    + dataNode
                    + " copying here; the copies already in "
                    + dir
                    + " stay, now root's",
                List.of(python(args.toArray(String[]::new)))));
      } else {
        changes.add(
            change(
                "record:" + app,
                Change.Kind.UPDATE,
                "stop taking copies of " + app + " from " + dataNode,
                dataNode
                    + "'s key stays for "
                    + String.join(", ", others)
                    + "; the copies already in "
                    + dir
                    + " stay",
                List.of(python(RECORD, record(dataNode), app))));
      }
    }
    shared(dataNode, states).ifPresent(changes::add);
    return changes;
  }

  /** The node's line in the shared user's authorized_keys, taken out, if it is there. */
  private static Optional<Change> shared(String dataNode, Map<String, JsonNode> states) {
    String text =
        states.getOrDefault(LEGACY_PROBE, MissingNode.getInstance()).path("text").asText("");
    String mark = BackupTargetStack.mark(dataNode);
    List<String> lines = Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
    if (lines.stream().noneMatch(l -> l.endsWith(" " + mark))) {
      return Optional.empty();
    }
    boolean last = lines.stream().allMatch(l -> l.endsWith(" " + mark));
    return Optional.of(
        change(
            "shared:" + dataNode,
            Change.Kind.UPDATE,
            "remove " + dataNode + "'s key from the shared user " + TargetLayout.LEGACY_USER,
            (last
                    ? TargetLayout.LEGACY_USER
                        + " has no key left and stays as the owner of the copies made before"
                    : "other data nodes' lines stay until their next deploy")
                + "; each data node now copies as a user of its own",
            List.of(python(KEYS, LEGACY_KEYS, mark))));
  }

  private static JsonNode apps(Map<String, JsonNode> states) {
    return states.getOrDefault(APPS_PROBE, MissingNode.getInstance()).path("value");
  }

  private static Change change(
      String id, Change.Kind kind, String summary, String why, List<AgentOp> ops) {
    String full = "backup-target:" + id;
    return new Change(
        full,
        kind,
        summary,
        List.of(why),
        "",
        ops.stream().map(o -> AgentStep.of(full, o)).toList());
  }

  private static AgentOp python(String... scriptAndArgs) {
    List<String> argv = new ArrayList<>(List.of("/usr/bin/python3", "-I", "-c"));
    argv.addAll(List.of(scriptAndArgs));
    return new AgentOp.Exec(argv);
  }
}
