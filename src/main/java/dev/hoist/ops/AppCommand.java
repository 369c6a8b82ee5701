package dev.hoist.ops;

import dev.hoist.stack.AppLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The argv that runs a user's command in the app's environment on a node: privileges drop to the
 * app user first (setpriv, with a clean environment), then the root-owned with-env script loads the
 * live release's env and the secrets and runs the command in the release. The user's words are
 * passed as arguments, never pasted into a script.
 */
public final class AppCommand {
  private AppCommand() {}

  public static List<String> argv(AppLayout layout, List<String> command) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=" + layout.app(),
                "--regid=" + layout.app(),
                "--init-groups",
                "--reset-env",
                layout.withEnv()));
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
