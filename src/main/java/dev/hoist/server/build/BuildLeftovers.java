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
 * What a server does before it listens: kill every process a build of an earlier server left, so
 * that none can bind the server's port while it restarts and be sent API tokens and webhook bodies.
 * A build's namespace dies with the server that runs it ({@link BuildUser}), but a server older
 * than that, or a build run as the server's own user whose namespace's init shed its death signal,
 * leaves processes behind.
 *
 * <p>Which processes are a build's: those of the build user in a PID namespace one level below the
 * server's whose init is that user's in a user namespace not the server's (only that user can have
 * made it: a build as the server's own user, or one that hid there); and, for a root server, also
 * those of the {@code hoist} user in the server's own PID namespace (an older server's builds had
 * no namespace; a root server takes no git push, docs/server.md, so that user runs nothing else).
 * The same uid in a PID namespace whose init is root's (a container's, a lab node's), or deeper, is
 * left alone.
 */
public final class BuildLeftovers {
  static final Duration WAIT = Duration.ofSeconds(10);
  private static final int BATCH = 200;

  private BuildLeftovers() {}

  /**
   * As root, the {@code hoist} user's leftovers (when it exists); as another user, the leftovers of
   * its own builds.
   */
  public static void killForServer(Consumer<String> log) throws IOException {
    BuildUser me = BuildUser.current();
    if (me.uid() != 0) {
      kill(me, false, log);
      return;
    }
    Optional<BuildUser> hoist = BuildUser.named("hoist");
    if (hoist.isPresent()) {
      kill(hoist.get(), true, log);
    }
  }

  /**
   * Every process of {@code user} that can be a build's ({@link #processes}) killed (SIGKILL) and
   * gone, or an IOException saying which are left. Each is stopped first (SIGSTOP), round after
   * round until a round finds none new, so none can fork away while the others are killed. Signals
   * are sent as {@code user}, so the kernel refuses them to a pid another user's process took
   * meanwhile.
   */
  static void kill(BuildUser user, boolean ownNamespace, Consumer<String> log) throws IOException {
    int found = processes(user.uid(), ownNamespace).size();
    if (found == 0) {
      return;
    }
    try {
      long stopBy = System.nanoTime() + WAIT.toNanos();
      Set<Long> stopped = new HashSet<>();
      while (System.nanoTime() < stopBy) {
        List<Long> fresh =
            processes(user.uid(), ownNamespace).stream()
                .filter(pid -> !stopped.contains(pid))
                .toList();
        if (fresh.isEmpty()) {
          break;
        }
        signal(user, "-STOP", fresh);
        stopped.addAll(fresh);
      }
      signal(user, "-KILL", processes(user.uid(), ownNamespace));
      long goneBy = System.nanoTime() + WAIT.toNanos();
      while (!processes(user.uid(), ownNamespace).isEmpty() && System.nanoTime() < goneBy) {
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while killing the build user's processes", e);
    }
    List<Long> left = processes(user.uid(), ownNamespace);
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

  /**
   * {@code /bin/kill SIGNAL pid...} as {@code user}, in batches; one that ended meanwhile only
   * makes kill say so.
   */
  private static void signal(BuildUser user, String signal, List<Long> pids)
      throws IOException, InterruptedException {
    for (int from = 0; from < pids.size(); from += BATCH) {
      List<String> argv = new ArrayList<>();
      if (!user.self()) {
        // Not the build's setpriv (--init-groups): groups do not matter to kill, and a uid with no
        // passwd entry left must still be reached.
        argv.addAll(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=" + user.uid(),
                "--regid=" + user.gid(),
                "--clear-groups",
                "--"));
      }
      argv.addAll(List.of("/bin/kill", signal, "--"));
      pids.subList(from, Math.min(pids.size(), from + BATCH))
          .forEach(pid -> argv.add(Long.toString(pid)));
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
  }

  /**
   * The pids of {@code uid}'s live processes that can be a build's, from /proc (a zombie holds no
   * port; this process is never one): those in a PID namespace that is a direct child of this one's
   * and whose init is {@code uid}'s in a user namespace not this one's (a build that ran as its
   * user made both, or one that hid there: a container's or a lab node's init is root's); and with
   * {@code ownNamespace} also those in this PID namespace.
   */
  static List<Long> processes(int uid, boolean ownNamespace) throws IOException {
    Path pidNs = Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
    Path userNs = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
    long self = ProcessHandle.current().pid();
    List<Path> mine;
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      mine =
          s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
              .filter(p -> owner(p) == uid)
              .toList();
    }
    // The PID namespaces one level down whose init is the uid's in a user namespace of its own.
    Set<Path> builds = new HashSet<>();
    for (Path p : mine) {
      if (initOfAChild(p) && !userNs.equals(namespace(p, "user"))) {
        Path ns = namespace(p, "pid");
        if (ns != null) {
          builds.add(ns);
        }
      }
    }
    return mine.stream()
        .filter(
            p -> {
              Path ns = namespace(p, "pid");
              return ns != null && (builds.contains(ns) || ownNamespace && pidNs.equals(ns));
            })
        .filter(p -> !zombie(p))
        .map(p -> Long.parseLong(p.getFileName().toString()))
        .filter(pid -> pid != self)
        .toList();
  }

  private static Path namespace(Path proc, String kind) {
    try {
      return Files.readSymbolicLink(proc.resolve("ns").resolve(kind));
    } catch (IOException e) {
      return null; // ended meanwhile, or not ours to read
    }
  }

  /** PID 1 of a PID namespace that is a direct child of the reader's: NSpid is "{pid} 1". */
  private static boolean initOfAChild(Path proc) {
    try (Stream<String> lines = Files.lines(proc.resolve("status"))) {
      return lines
          .filter(l -> l.startsWith("NSpid:"))
          .findFirst()
          .map(l -> l.substring("NSpid:".length()).trim().split("\\s+"))
          .map(pids -> pids.length == 2 && pids[1].equals("1"))
          .orElse(false);
    } catch (IOException | java.io.UncheckedIOException e) {
      return false; // ended meanwhile
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
