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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The target's side of {@code backup.to} beyond its catalog, planned purely from one probe: which
 * apps of a data node copy there (a root-only record in the node's home, so taking one app's copies
 * away never cuts another's); the accounts of before, which the node leaves (a user named from the
 * node's name alone, {@link TargetLayout#legacy}, and its line in the shared user {@link
 * TargetLayout#LEGACY_USER}), touched only where they hold this node's key, since another machine
 * of the same name may own them; and the check that the copy directory is no other data node's.
 * When the last app of a data node stops copying, its key and user go; the copies stay, given to
 * root first so that no later user that gets the freed uid could read them. docs/backups.md.
 */
public final class BackupTargetChanges {
  /** The probe of the record of the data node's apps. */
  public static final String APPS_PROBE = "backup-target-apps";

  /** The probe of the shared user's authorized_keys of before. */
  public static final String LEGACY_PROBE = "backup-target-shared";

  /** The probe of the record of the node's apps in its account of before. */
  public static final String OLD_APPS_PROBE = "backup-target-old-apps";

  /** The probe of the authorized_keys of the node's account of before. */
  public static final String OLD_KEYS_PROBE = "backup-target-old-keys";

  /** The probes of the copy directory and every directory above it. */
  public static final String PATH_PROBE = "backup-target-path:";

  /** The shared user's authorized_keys of before. */
  public static final String LEGACY_KEYS = TargetLayout.ROOT + "/.ssh/authorized_keys";

  // Removes the lines marked MARK that hold KEY, atomically; nothing else changes.
  private static final String KEYS =
      """
      import os, sys
      path, mark, key = sys.argv[1:4]
      try:
          with open(path, encoding="utf-8") as f:
              old = f.read().splitlines()
      except FileNotFoundError:
          old = []
      mine = lambda l: l.endswith(" " + mark) and (" " + key + " ") in (l + " ")
      keep = [l for l in old if l.strip() and not mine(l)]
      tmp = path + ".hoist-tmp"
      fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
      with os.fdopen(fd, "w", encoding="utf-8") as out:
          out.write("".join(l + "\\n" for l in keep))
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

  /** What the planning below reads, in the same probe as the catalog's resources. */
  public static List<ProbeRequest> probes(CopySource source) {
    return List.of(
        new ProbeRequest(APPS_PROBE, new ProbeKind.Json(source.account().record())),
        new ProbeRequest(LEGACY_PROBE, new ProbeKind.File(LEGACY_KEYS, "")),
        new ProbeRequest(OLD_APPS_PROBE, new ProbeKind.Json(source.legacy().record())),
        new ProbeRequest(OLD_KEYS_PROBE, new ProbeKind.File(source.legacy().authorizedKeys(), "")));
  }

  /** The probes {@link #refusal} reads: {@code directory} and each directory above it. */
  public static List<ProbeRequest> pathProbes(String directory) {
    return above(directory).stream()
        .map(p -> new ProbeRequest(PATH_PROBE + p, new ProbeKind.Dir(p)))
        .toList();
  }

  /**
   * Why the target must not hand {@code directory} to {@code source}'s user, if it must not: it is
   * under the backup homes but not in the node's own, or it (or a directory above it) is a link or
   * belongs to another data node's backup user. Accounts of before that hold this node's key are
   * its own.
   */
  public static Optional<String> refusal(
      CopySource source, String directory, Map<String, JsonNode> states) {
    String fix =
        "; leave backup.to.path out of hoist.yml (copies then go into "
            + source.account().home()
            + "/APP, this node's own), or name a directory of its own";
    if ((directory + "/").startsWith(TargetLayout.ROOT + "/")
        && !directory.startsWith(source.account().home() + "/")) {
      return Optional.of(
          directory
              + " is under "
              + TargetLayout.ROOT
              + " but not in "
              + source.node()
              + "'s own home there (another data node's may be)"
              + fix);
    }
    Set<String> own = new HashSet<>(Set.of(source.account().user()));
    if (source.heldIn(text(states, OLD_KEYS_PROBE))) {
      own.add(source.legacy().user());
    }
    if (source.heldIn(text(states, LEGACY_PROBE))) {
      own.add(TargetLayout.LEGACY_USER);
    }
    for (String p : above(directory)) {
      JsonNode st = state(states, PATH_PROBE + p);
      if (!st.path("exists").asBoolean(false)) {
        break;
      }
      String where = p.equals(directory) ? directory : directory + " is under " + p + ", which";
      if ("link".equals(st.path("type").asText())) {
        return Optional.of(
            where + " is a symbolic link; name the directory it leads to" + fix.substring(1));
      }
      String owner = st.path("owner").asText("");
      if (owner.startsWith(TargetLayout.USER_PREFIX) && !own.contains(owner)) {
        return Optional.of(
            (p.equals(directory) ? directory + " belongs" : where + " belongs")
                + " to "
                + owner
                + ", another data node's backup user here"
                + fix);
      }
    }
    return Optional.empty();
  }

  /**
   * Before the catalog, for {@code app}'s copies: the node leaves its accounts of before (its
   * record there, and its key and user with its last app there; its line in the shared user).
   */
  public static List<Change> leave(CopySource source, String app, Map<String, JsonNode> states) {
    List<Change> changes = new ArrayList<>();
    if (source.heldIn(text(states, OLD_KEYS_PROBE))) {
      TargetLayout.Account old = source.legacy();
      JsonNode apps = state(states, OLD_APPS_PROBE).path("value");
      boolean listed = apps.has(app);
      if (listed || apps.size() == 0) {
        changes.add(
            take(
                source,
                old,
                app,
                apps,
                "the user of before "
                    + old.user()
                    + ", named from the node's name alone (each data node machine now copies as a"
                    + " user of its own)"));
      }
    }
    shared(source, states).ifPresent(changes::add);
    return changes;
  }

  /** After the catalog, for {@code app}'s copies into {@code directory}: the app recorded. */
  public static List<Change> grant(
      CopySource source, String app, String directory, Map<String, JsonNode> states) {
    if (state(states, APPS_PROBE).path("value").path(app).asText("").equals(directory)) {
      return List.of();
    }
    return List.of(
        change(
            "record:" + app,
            Change.Kind.CREATE,
            "record that " + app + " of " + source.node() + " copies into " + directory,
            "so that a deploy without backup.to knows whether other apps still use the key",
            List.of(python(RECORD, source.account().record(), app, directory))));
  }

  /**
   * What takes {@code app}'s copies from {@code source} away: the app's record, and with the last
   * app the key and the user; what {@link #leave} takes from the accounts of before.
   */
  public static List<Change> release(CopySource source, String app, Map<String, JsonNode> states) {
    List<Change> changes = new ArrayList<>();
    JsonNode apps = state(states, APPS_PROBE).path("value");
    if (apps.has(app)) {
      changes.add(take(source, source.account(), app, apps, null));
    }
    changes.addAll(leave(source, app, states));
    return changes;
  }

  /**
   * Takes {@code app} out of {@code account}'s record ({@code apps}); with its last app, the key
   * and the user. {@code before}: what the account was, when it is one of before.
   */
  private static Change take(
      CopySource source, TargetLayout.Account account, String app, JsonNode apps, String before) {
    String node = source.node();
    String dir = apps.path(app).asText("");
    String kept = dir.isEmpty() ? "" : "; the copies already in " + dir + " stay";
    List<String> others = new ArrayList<>();
    apps.fieldNames().forEachRemaining(others::add);
    others.remove(app);
    String whose = before == null ? "the user " + account.user() : before;
    if (others.isEmpty()) {
      List<String> args = new ArrayList<>(List.of(RELEASE, account.record()));
      args.add(account.authorizedKeys());
      args.add(account.user());
      apps.elements().forEachRemaining(d -> args.add(d.asText()));
      return change(
          "user:" + account.user(),
          Change.Kind.UPDATE,
          "remove " + node + "'s key and " + whose,
          app
              + " was the last app of "
              + node
              + " copying as "
              + account.user()
              + kept
              + (kept.isEmpty() ? "" : ", now root's"),
          List.of(python(args.toArray(String[]::new))));
    }
    return change(
        "record:" + account.user() + ":" + app,
        Change.Kind.UPDATE,
        "stop taking copies of " + app + " from " + node + " as " + account.user(),
        node + "'s key stays there for " + String.join(", ", others) + kept,
        List.of(python(RECORD, account.record(), app)));
  }

  /** The node's line in the shared user's authorized_keys, taken out, if it is there. */
  private static Optional<Change> shared(CopySource source, Map<String, JsonNode> states) {
    String text = text(states, LEGACY_PROBE);
    String node = source.node();
    String mark = BackupTargetStack.mark(node);
    List<String> lines = Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
    java.util.function.Predicate<String> mine = l -> l.endsWith(" " + mark) && source.heldIn(l);
    if (lines.stream().noneMatch(mine)) {
      return Optional.empty();
    }
    boolean last = lines.stream().allMatch(mine);
    return Optional.of(
        change(
            "shared:" + node,
            Change.Kind.UPDATE,
            "remove " + node + "'s key from the shared user " + TargetLayout.LEGACY_USER,
            (last
                    ? TargetLayout.LEGACY_USER
                        + " has no key left and stays as the owner of the copies made before"
                    : "other data nodes' lines stay until their next deploy")
                + "; each data node now copies as a user of its own",
            List.of(python(KEYS, LEGACY_KEYS, mark, source.key().orElseThrow()))));
  }

  /** {@code path} and every directory above it but {@code /}, from the top. */
  private static List<String> above(String path) {
    List<String> out = new ArrayList<>();
    for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
      out.add(path.substring(0, i));
    }
    out.add(path);
    return out;
  }

  private static JsonNode state(Map<String, JsonNode> states, String id) {
    return states.getOrDefault(id, MissingNode.getInstance());
  }

  private static String text(Map<String, JsonNode> states, String id) {
    return state(states, id).path("text").asText("");
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
