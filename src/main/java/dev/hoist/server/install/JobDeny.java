package dev.hoist.server.install;

import dev.hoist.engine.ExecResource;
import java.util.List;
import java.util.Optional;

/**
 * The {@code hoist} user may not hand a job to cron or at: such a job would run after the build
 * that planted it, outside its PID namespace (a later build of another project, the server's port),
 * so the install lists the user in {@code /etc/cron.deny} and {@code /etc/at.deny}. A missing file
 * is made root 0644; an existing one keeps its owner and mode (Debian's at.deny is root:daemon
 * 0640, read by at as daemon) and only gains the line.
 */
final class JobDeny {
  static final List<String> FILES = List.of("/etc/cron.deny", "/etc/at.deny");

  private static final String ADD =
      "f=$1; u=$2\n"
          + "[ -e \"$f\" ] || install -m 0644 -o root -g root /dev/null \"$f\" || exit 1\n"
          // A last line without its newline would swallow ours.
          + "if [ -s \"$f\" ] && [ -n \"$(tail -c 1 \"$f\")\" ]; then echo >> \"$f\"; fi\n"
          + "grep -qxF \"$u\" \"$f\" || echo \"$u\" >> \"$f\"\n";

  private JobDeny() {}

  /** Adds {@code user} to {@code file} unless it is listed there already. */
  static ExecResource resource(String file, String user) {
    return new ExecResource(
        "deny-" + user + "-in-" + file,
        List.of("/bin/sh", "-c", ADD, "sh", file, user),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of("/bin/grep", "-qxF", user, file),
        false);
  }
}
