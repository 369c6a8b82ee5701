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

  /**
   * Prints (or follows) the app's logs: its services' output (runit's svlogd files, or the units'
   * journal when the node's PID 1 is systemd, decided on the node) and nginx's access and error
   * logs. Arguments: lines, follow (empty or "-f"), then "unit=NAME", "svlogd=FILE",
   * "svlogd-if=FILE" (only where it exists: a scheduled job's log is on one node) and plain files.
   */
  private static final String LOGS_SCRIPT =
      """
      n=$1; follow=$2; shift 2
      sd=; [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && sd=1
      units=(); files=()
      for a in "$@"; do
        case $a in
          unit=*) [ -n "$sd" ] && units+=(-u "${a#unit=}") ;;
          svlogd=*) [ -z "$sd" ] && files+=("${a#svlogd=}") ;;
          svlogd-if=*) [ -z "$sd" ] && [ -e "${a#svlogd-if=}" ] && files+=("${a#svlogd-if=}") ;;
          *) files+=("$a") ;;
        esac
      done
      if [ -n "$follow" ]; then
        [ ${#units[@]} -gt 0 ] && journalctl --quiet -o short-iso -n "$n" -f "${units[@]}" &
        exec tail -n "$n" -F "${files[@]}"
      fi
      [ ${#units[@]} -gt 0 ] && journalctl --no-pager --quiet -o short-iso -n "$n" "${units[@]}"
      exec tail -n "$n" "${files[@]}"
      """;

  /**
   * The app's logs on a node of either kind: the app's, its processes' and its scheduled jobs'
   * output ({@code processes} and {@code jobs} name them) from svlogd's files or the journal, then
   * nginx's access and error logs.
   */
  public static List<String> logs(
      AppLayout layout, int lines, boolean follow, List<String> processes, List<String> jobs) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "/bin/bash",
                "-c",
                LOGS_SCRIPT,
                "hoist-logs",
                String.valueOf(lines),
                follow ? "-f" : ""));
    argv.add("unit=" + layout.service());
    argv.add("svlogd=" + layout.appLog());
    for (String p : processes) {
      argv.add("unit=" + layout.processService(p));
      argv.add("svlogd=" + layout.processLogDir(p) + "/current");
    }
    for (String j : jobs) {
      argv.add("unit=" + layout.cronService(j));
      argv.add("svlogd-if=" + layout.cronLogDir(j) + "/current");
    }
    argv.add(layout.nginxAccessLog());
    argv.add(layout.nginxErrorLog());
    return argv;
  }
}
