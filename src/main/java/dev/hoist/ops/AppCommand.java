package dev.hoist.ops;

import dev.hoist.stack.AppLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The argv that runs a user's command in the app's environment on a node: its env file, the live
 * release as working dir, its virtualenv first on PATH, as the app user. The user's words are
 * passed as arguments, never pasted into the script.
 */
public final class AppCommand {
  private static final String SCRIPT =
      "set -a; . \"$1\"; set +a; cd \"$2\" || exit 70; "
          + "HOIST_RELEASE=$(basename \"$(readlink -f \"$2\")\"); "
          + "PATH=\"$2/.venv/bin:$PATH\"; VIRTUAL_ENV=\"$2/.venv\"; export HOIST_RELEASE PATH VIRTUAL_ENV; "
          + "u=$3; shift 3; exec chpst -u \"$u:$u\" \"$@\"";

  private AppCommand() {}

  public static List<String> argv(AppLayout layout, List<String> command) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "/bin/sh",
                "-c",
                SCRIPT,
                "hoist-run",
                layout.envFile(),
                layout.current(),
                layout.app()));
    argv.addAll(command);
    return argv;
  }

  /** {@code tail} over the app's logs (supervised output, nginx access and error logs). */
  public static List<String> logs(
      AppLayout layout, int lines, boolean follow, List<String> processLogs) {
    List<String> argv = new ArrayList<>(List.of("tail", "-n", String.valueOf(lines)));
    if (follow) {
      argv.add("-F");
    }
    argv.add(layout.appLog());
    argv.addAll(processLogs);
    argv.add(layout.nginxAccessLog());
    argv.add(layout.nginxErrorLog());
    return argv;
  }
}
