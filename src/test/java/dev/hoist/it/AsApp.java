package dev.hoist.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs shell snippets as an app's user (as a compromised app would: a web request turned into code
 * execution, a bad dependency), with {@code setpriv}, on this machine or on a lab node through
 * {@code ssh root@node}. The snippet's arguments are passed as {@code $1, $2, …}, never pasted in.
 */
record AsApp(String user, Optional<LabNodes.Node> node) {
  static AsApp here(String user) {
    return new AsApp(user, Optional.empty());
  }

  static AsApp on(LabNodes.Node node, String user) {
    return new AsApp(user, Optional.of(node));
  }

  /** {@code sh -c script sh args…} as the app user; waits for it to end. */
  Hoist.Result sh(String script, String... args) throws IOException, InterruptedException {
    List<String> argv = argv(script, args);
    if (node.isPresent()) {
      // ssh hands the remote shell one string: quote every word.
      return LabNodes.ssh(
          "root", node.get(), argv.stream().map(AsApp::quote).toArray(String[]::new));
    }
    return Hoist.capture(new ProcessBuilder(argv).directory(new java.io.File("/")), "as " + user);
  }

  /** {@code sh -c script sh args…} as the app user on this machine, running in the background. */
  Process start(String script, String... args) throws IOException {
    return new ProcessBuilder(argv(script, args))
        .directory(new java.io.File("/"))
        .redirectErrorStream(true)
        .start();
  }

  private List<String> argv(String script, String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + user,
                "--regid=" + user,
                "--init-groups",
                "--",
                "sh",
                "-c",
                script,
                "sh"));
    argv.addAll(List.of(args));
    return argv;
  }

  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
