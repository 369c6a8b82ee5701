package dev.hoist.server.build;

import dev.hoist.build.BuildUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What a root server does before it listens: kill every process of the build user in its PID
 * namespace. A build's processes end with it and with the server (a PID namespace of its own that
 * dies with the server), but an older server's builds had no namespace and could be left behind;
 * any such process could bind the server's port while it restarts and be sent API tokens and
 * webhook bodies. A root server takes no git push (docs/server.md), so the build user runs nothing
 * else that this could cut short.
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
   * Every process of {@code user} that can be a build's killed (SIGKILL) and gone, or an
   * IOException saying which are left. Each is stopped first (SIGSTOP), round after round until a
   * round finds none new, so none can fork away while the others are killed. Which processes: see
   * {@link #processes}; a build's own namespace ends with the server ({@link BuildUser}'s
   * pdeathsig).
   */
  static void kill(BuildUser user, Consumer<String> log) throws IOException {
    int found = processes(user.uid()).size();
    if (found == 0) {
      return;
    }
    try {
      long deadline = System.nanoTime() + WAIT.toNanos();
      Set<Long> stopped = new HashSet<>();
      while (System.nanoTime() < deadline) {
        List<Long> fresh =
            processes(user.uid()).stream().filter(pid -> !stopped.contains(pid)).toList();
        if (fresh.isEmpty()) {
          break;
        }
        signal("-STOP", fresh);
        stopped.addAll(fresh);
      }
      signal("-KILL", processes(user.uid()));
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

  /** {@code /bin/kill SIGNAL pid...}: one that ended meanwhile only makes kill say so. */
  private static void signal(String signal, List<Long> pids)
      throws IOException, InterruptedException {
    if (pids.isEmpty()) {
      return;
    }
    List<String> argv = new ArrayList<>(List.of("/bin/kill", signal, "--"));
    pids.forEach(pid -> argv.add(Long.toString(pid)));
    Process p =
        new ProcessBuilder(argv)
            .directory(new java.io.File("/"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  /**
   * The pids of {@code uid}'s live processes that can be a build's, from /proc (a zombie holds no
   * port): those in this process's PID namespace, and those in a user namespace other than this
   * one's, which only the build user itself can have made (a build of an older server that put a
   * listener into namespaces of its own to hide it). The same uid in a PID namespace root made (a
   * container's, a lab node's) is not a build's.
   */
  static List<Long> processes(int uid) throws IOException {
    Path pidNs = Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
    Path userNs = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> owner(p) == uid)
          .filter(p -> pidNs.equals(namespace(p, "pid")) || !userNs.equals(namespace(p, "user")))
          .filter(p -> !zombie(p))
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .toList();
    }
  }

  private static Path namespace(Path proc, String kind) {
    try {
      return Files.readSymbolicLink(proc.resolve("ns").resolve(kind));
    } catch (IOException e) {
      return null; // ended meanwhile
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
