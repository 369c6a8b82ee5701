package dev.hoist.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Who runs a build. A build runs the project's code and whatever its tools download, so it never
 * runs as root: when hoist is not root, as hoist's own user with hoist's environment; when hoist is
 * root, as the owner of the project (the user who wrote it, e.g. behind {@code sudo}) with a clean
 * environment, else it is refused.
 */
public record BuildUser(String name, int uid, int gid, Path home, boolean self) {
  private static final String PATH = "/usr/local/bin:/usr/bin:/bin";

  /** The user for building {@code projectDir}. */
  public static BuildUser forProject(Path projectDir) throws BuildException {
    try {
      if (euid() != 0) {
        return current();
      }
      int owner = (Integer) Files.getAttribute(projectDir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (owner != 0) {
        return byUid(owner, false);
      }
    } catch (IOException e) {
      throw new BuildException("build: cannot tell who may run it: " + e.getMessage(), List.of());
    }
    throw new BuildException(
        "build: hoist runs as root and the project "
            + projectDir.toAbsolutePath().normalize()
            + " belongs to root; the build runs the project's code and hoist never runs it as root"
            + "\n    give the project to a regular user (chown -R USER "
            + projectDir
            + ") and run hoist as that user, or with sudo from it",
        List.of());
  }

  /** The user hoist runs as. */
  public static BuildUser current() throws IOException {
    return byUid(euid(), true);
  }

  /** {@code name}, or empty when this machine has no such user. */
  public static Optional<BuildUser> named(String name) throws IOException {
    return passwd(name).map(fields -> of(fields, false));
  }

  static int euid() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }

  static BuildUser byUid(int uid, boolean self) throws IOException {
    String[] fields =
        passwd(Integer.toString(uid))
            .orElseThrow(() -> new IOException("no user with uid " + uid + " (getent passwd)"));
    return of(fields, self);
  }

  private static BuildUser of(String[] f, boolean self) {
    return new BuildUser(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5]), self);
  }

  private static Optional<String[]> passwd(String key) throws IOException {
    Process p =
        new ProcessBuilder("getent", "passwd", key)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("getent passwd did not answer in 10 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while looking up a user", e);
    }
    String[] fields = out.split(":", -1);
    return p.exitValue() == 0 && fields.length >= 7 ? Optional.of(fields) : Optional.empty();
  }

  /** This user with {@code home} as HOME: a directory of the build's own, removed with it. */
  public BuildUser withHome(Path home) {
    return new BuildUser(name, uid, gid, home, self);
  }

  /**
   * An unprivileged user's own user and PID namespace, so that no process of a build run as hoist's
   * own user (the CLI's, or a {@code hoist server} run as {@code hoist}) outlives it either: under
   * runit nothing else would kill a listener a build left waiting for the server's port. Used where
   * this machine lets an unprivileged user make one (Debian's default); where it may not (Ubuntu's
   * AppArmor rule, some containers) the build runs as it did, which a probe at first use tells.
   */
  static final class OwnNamespaces {
    static final List<String> PREFIX =
        List.of(
            "/usr/bin/setpriv",
            "--pdeathsig",
            "KILL",
            "--",
            "/usr/bin/unshare",
            "--user",
            "--map-current-user",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "--");
    private static volatile Boolean allowed;

    static boolean allowed() {
      Boolean known = allowed;
      if (known == null) {
        known = probe();
        allowed = known;
      }
      return known;
    }

    private static boolean probe() {
      List<String> argv = new ArrayList<>(PREFIX);
      argv.add("/bin/true");
      try {
        Process p =
            new ProcessBuilder(argv)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return false;
        }
        return p.exitValue() == 0;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * {@code command} run as this user: as it is for hoist's own user (in namespaces of its own where
   * allowed, {@link OwnNamespaces}), else (hoist is root) in a PID namespace of its own and through
   * setpriv (all of the user's groups, none of root's) with only HOME, USER, LOGNAME, a fixed PATH
   * and LANG.
   *
   * <p>The namespace is why no process of a build outlives it: when its init exits, the kernel
   * kills every process left in it (a {@code sleep &}, a daemon, a listener waiting for the
   * server's port), whatever it did to detach. {@code --kill-child} kills the init when unshare
   * itself is killed (a timeout), and unshare gets SIGKILL when the thread that started it ends
   * ({@code setpriv --pdeathsig}: hoist killed outright, e.g. a server's SIGKILL). As root, the
   * init is a second, root-owned unshare that only waits for the command: a command that were the
   * init itself could clear its own death signal (prctl) and outlive the server. As hoist's own
   * user the init is the command, which can do that: a server run as that user kills such leftovers
   * before it listens (server.build.BuildLeftovers). Callers start builds from a thread that waits
   * for them (never a virtual thread, whose carrier could end first).
   */
  List<String> wrap(List<String> command) {
    if (self) {
      if (!OwnNamespaces.allowed()) {
        return command;
      }
      List<String> argv = new ArrayList<>(OwnNamespaces.PREFIX);
      argv.addAll(command);
      return argv;
    }
    List<String> argv =
        new ArrayList<>(
            List.of(
                "/usr/bin/setpriv",
                "--pdeathsig",
                "KILL",
                "--",
                "/usr/bin/unshare",
                "--pid",
                "--fork",
                "--kill-child",
                "--mount-proc",
                "--",
                // The namespace's init: root's, so the build can neither shed its death signal
                // nor signal or trace it.
                "/usr/bin/unshare",
                "--fork",
                "--kill-child",
                "--",
                "/usr/bin/setpriv",
                "--reuid=" + uid,
                "--regid=" + gid,
                "--init-groups",
                "--",
                "/usr/bin/env",
                "-i",
                "HOME=" + home,
                "USER=" + name,
                "LOGNAME=" + name,
                "PATH=" + PATH,
                "LANG=C.UTF-8"));
    argv.addAll(command);
    return argv;
  }
}
