package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

/**
 * What a compromised app tries on its node to become root (issue 8's list): each is a shell snippet
 * run as the app user with {@code $1} = the app's root ({@code /srv/<app>}) and {@code $2} = its
 * name, and each must fail with "Permission denied" and change nothing.
 */
final class Escalations {
  /** One attempt: what it tries, and how. */
  record Attempt(String what, String script) {}

  private static final String LIVE_ID = "id=$(basename \"$(readlink \"$1/current\")\") && ";

  /** The ones that matter most: the old env-file escalation, code in current, a planted marker. */
  static final List<Attempt> CORE =
      List.of(
          new Attempt(
              "append a command to the live release's env file",
              "printf 'touch /tmp/pwned\\n' >> \"$1/current/.hoist/env\""),
          new Attempt("write a file into current", "printf x > \"$1/current/planted.py\""),
          new Attempt(
              "plant a link where hoist marks a failed release",
              LIVE_ID + "ln -s /root/hoist-victim \"$1/.hoist/failed/$id\""),
          new Attempt(
              "plant a link at the old failed marker in the release",
              LIVE_ID + "ln -s /root/hoist-victim \"$1/releases/$id/.hoist-failed\""));

  static final List<Attempt> MORE =
      List.of(
          new Attempt(
              "append to the live release's gunicorn config",
              "printf 'import os\\n' >> \"$1/current/.hoist/gunicorn.conf.py\""),
          new Attempt("write the node's secrets file", "printf 'X=1\\n' >> \"$1/etc/secrets\""),
          new Attempt("replace a venv binary", "ln -sf /bin/sh \"$1/current/.venv/bin/python\""),
          new Attempt(
              "swap the live release directory away",
              LIVE_ID + "mv \"$1/releases/$id\" \"$1/releases/$id.away\""),
          new Attempt("add a release", "mkdir \"$1/releases/planted\""),
          new Attempt("repoint current", "ln -sfn /tmp \"$1/current\""),
          new Attempt("read hoist's state", "ls \"$1/.hoist\""),
          new Attempt("change with-env", "printf '\\n' >> \"$1/etc/with-env\""),
          new Attempt("change the run script", "printf '\\n' >> \"/etc/sv/hoist-$2/run\""),
          new Attempt("change the log run script", "printf '\\n' >> \"/etc/sv/hoist-$2/log/run\""),
          new Attempt(
              "change the nginx site",
              "printf '\\n' >> \"/etc/nginx/sites-enabled/hoist-$2.conf\""),
          new Attempt("add a dir to shared/", "mkdir \"$1/shared/planted\""));

  private Escalations() {}

  /**
   * Checks that {@code as} really is the app user (and can write its temp space), so a refusal
   * means something.
   */
  static void assertActingAsTheApp(AsApp as) throws IOException, InterruptedException {
    Hoist.Result who = as.sh("id -un && touch /tmp/hoist-as-app-$$ && rm /tmp/hoist-as-app-$$");
    assertThat(who.exit()).as(who.all()).isZero();
    assertThat(who.out().strip()).isEqualTo(as.user());
  }

  /** Runs each attempt as the app and asserts each was refused by the kernel. */
  static void assertEachFails(AsApp as, List<Attempt> attempts)
      throws IOException, InterruptedException {
    String root = "/srv/" + as.user();
    for (Attempt a : attempts) {
      Hoist.Result r = as.sh(a.script(), root, as.user());
      assertThat(r.exit()).as("as %s: %s\n%s", as.user(), a.what(), r.all()).isNotZero();
      assertThat(r.all()).as("as %s: %s", as.user(), a.what()).contains("Permission denied");
    }
  }

  /**
   * What root sees of the app's files (names, owners, modes, sizes, link targets), to show that the
   * attempts changed nothing; runs {@code find} here or, for a lab node, through ssh.
   */
  static String fingerprint(AsApp as) throws IOException, InterruptedException {
    String app = as.user();
    String[] find = {
      "find",
      "/srv/" + app,
      "/etc/sv/hoist-" + app,
      "/etc/nginx/sites-enabled/hoist-" + app + ".conf",
      "-name",
      "supervise",
      "-prune",
      "-o",
      "-printf",
      "%p %u:%g %m %s %l\\n"
    };
    Hoist.Result r =
        as.node().isPresent()
            ? LabNodes.ssh(
                "root",
                as.node().get(),
                java.util.Arrays.stream(find).map(AsApp::quote).toArray(String[]::new))
            : Hoist.capture(new ProcessBuilder(find), "find");
    assertThat(r.exit()).as(r.all()).isZero();
    return r.out().lines().sorted().reduce("", (a, b) -> a + b + "\n");
  }
}
