package dev.hoist.server.build;

import dev.hoist.build.BuildUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What a root server does before it listens: kill every process of the build user. A build's
 * processes end with it (its own PID namespace), but a server killed outright leaves its running
 * build behind, and an older server's builds had no namespace; any such process could bind the
 * server's port while it restarts and be sent API tokens and webhook bodies. A root server takes no
 * git push (docs/server.md), so the build user runs nothing else that this could cut short.
 */
public final class BuildLeftovers {
  static final Duration WAIT = Duration.ofSeconds(10);

  private BuildLeftovers() {}

  /** When this server runs as root and the {@code hoist} user exists: its processes killed. */
  public static void killForRootServer(Consumer<String> log) throws IOException {
    if (BuildUser.current().uid() != 0) {
      return;
    }
    Optional<BuildUser> hoist = BuildUser.named("hoist");
    if (hoist.isPresent()) {
      kill(hoist.get(), log);
    }
  }

  /**
   * Every process of {@code user} killed (SIGKILL) and gone, or an IOException saying which are
   * left. kill(-1) as that user reaches all its processes at once, so none can fork away from it.
   */
  static void kill(BuildUser user, Consumer<String> log) throws IOException {
    int found = processes(user.uid()).size();
    if (found == 0) {
      return;
    }
    try {
      Process p =
          new ProcessBuilder(
                  "/usr/bin/setpriv",
                  "--reuid=" + user.uid(),
                  "--regid=" + user.gid(),
                  "--clear-groups",
                  "--",
                  // kill(-1, SIGKILL) itself: procps' kill does not take -1 from an unprivileged
                  // uid.
                  "/usr/bin/python3",
                  "-I",
                  "-c",
                  "import os, signal; os.kill(-1, signal.SIGKILL)")
              .directory(new java.io.File("/"))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!processes(user.uid()).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while killing the build user's processes", e);
    }
    List<Long> left = processes(user.uid());
    if (!left.isEmpty()) {
      throw new IOException(
          "processes of the build user "
              + user.name()
              + " still run after SIGKILL (pids "
              + left
              + "); the server does not listen while one could hold its port: stop them and"
              + " start it again");
    }
    log.accept(
        "hoist server: killed "
            + found
            + " process(es) of the build user "
            + user.name()
            + " left from before this start (a build of a server that was killed)");
  }

  /** The pids of {@code uid}'s live processes, from /proc (a zombie holds no port). */
  static List<Long> processes(int uid) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> owner(p) == uid && !zombie(p))
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .toList();
    }
  }

  private static boolean zombie(Path proc) {
    try {
      String stat = Files.readString(proc.resolve("stat"));
      // "pid (comm) state ...": comm may hold spaces and parentheses, the last ')' ends it.
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return true; // ended meanwhile
    }
  }

  private static int owner(Path proc) {
    try {
      return (Integer) Files.getAttribute(proc, "unix:uid");
    } catch (IOException e) {
      return -1; // ended meanwhile
    }
  }
}
