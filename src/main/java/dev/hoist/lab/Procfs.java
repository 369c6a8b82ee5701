package dev.hoist.lab;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads what the lab needs from /proc: is a recorded process still the one we started, which
 * namespace, how much memory.
 */
final class Procfs {
  /**
   * Linux reports process start times in USER_HZ, which is 100 on every architecture Debian ships.
   */
  static final long TICKS_PER_SECOND = 100;

  private static final Path PROC = Path.of("/proc");

  private Procfs() {}

  /**
   * The fields of /proc/PID/stat the lab uses; {@code state} is R, S, D, Z (zombie), X (dead) and
   * so on.
   */
  record Stat(long pid, char state, long ppid, long startTicks) {
    /**
     * A zombie has exited: it only waits to be reaped (this machine's PID 1 reaps orphans late).
     */
    boolean exited() {
      return state == 'Z' || state == 'X';
    }
  }

  static Optional<Stat> stat(long pid) {
    try {
      return Optional.of(
          parseStat(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses a /proc/PID/stat line; the command name in parentheses may itself hold spaces and ')'.
   */
  static Stat parseStat(long pid, String line) {
    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
    // After the name: state(3) ppid(4) ... starttime(22), numbered from 1 as in proc(5).
    return new Stat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[19]));
  }

  /**
   * True while {@code pid} runs and is the process that started at {@code startTicks} (not a reused
   * pid).
   */
  static boolean running(long pid, long startTicks) {
    return pid > 0
        && stat(pid).filter(s -> s.startTicks() == startTicks && !s.exited()).isPresent();
  }

  static List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path p : dir) {
        pids.add(Long.parseLong(p.getFileName().toString()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return pids;
  }

  /** One file read where the kernel has CONFIG_PROC_CHILDREN; a scan of every process otherwise. */
  static List<Long> children(long parent) {
    Path list = PROC.resolve(parent + "/task/" + parent + "/children");
    try {
      String text = Files.readString(list).strip();
      return text.isEmpty() ? List.of() : Stream.of(text.split(" ")).map(Long::parseLong).toList();
    } catch (IOException e) {
      return pids().stream()
          .filter(pid -> stat(pid).filter(s -> s.ppid() == parent).isPresent())
          .toList();
    }
  }

  /**
   * The first process below {@code ancestor} (children, then grandchildren) that is PID 1 of a PID
   * namespace of its own: a node's init, whether unshare or systemd-nspawn started it.
   */
  static Optional<Stat> namespaceInit(long ancestor) {
    List<Long> level = children(ancestor);
    for (int depth = 0; depth < 3 && !level.isEmpty(); depth++) {
      for (long pid : level) {
        if (isNamespaceInit(pid)) {
          return stat(pid);
        }
      }
      level = level.stream().flatMap(p -> children(p).stream()).toList();
    }
    return Optional.empty();
  }

  /** "NSpid:\t4711\t1": the process is PID 1 in the innermost of its PID namespaces. */
  static boolean isNamespaceInit(long pid) {
    try {
      return Files.readAllLines(PROC.resolve(pid + "/status")).stream()
          .filter(l -> l.startsWith("NSpid:"))
          .map(l -> l.substring("NSpid:".length()).strip().split("\\s+"))
          .anyMatch(ids -> ids.length > 1 && ids[ids.length - 1].equals("1"));
    } catch (IOException e) {
      return false;
    }
  }

  /** The namespace {@code pid} is in, e.g. "pid:[4026532301]", or empty when it is gone. */
  static Optional<String> namespace(long pid, String kind) {
    try {
      return Optional.of(Files.readSymbolicLink(PROC.resolve(pid + "/ns/" + kind)).toString());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Every process in the same namespace of {@code kind} as {@code pid}. */
  static List<Long> sharingNamespace(String kind, String namespace) {
    return pids().stream()
        .filter(p -> namespace(p, kind).filter(namespace::equals).isPresent())
        .toList();
  }

  /**
   * Proportional set size in KiB: shared pages count once across all processes, so a node's sum is
   * fair.
   */
  static long pssKib(long pid) {
    try {
      for (String line : Files.readAllLines(PROC.resolve(pid + "/smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Gone in the meantime, or a kernel without smaps_rollup: it counts as nothing.
    }
    return 0;
  }

  static double uptimeSeconds() {
    try {
      return Double.parseDouble(Files.readString(PROC.resolve("uptime")).split(" ")[0]);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/uptime", e);
    }
  }

  /**
   * Changes at every boot: state recorded under another boot id names processes and mounts that are
   * gone.
   */
  static String bootId() {
    try {
      return Files.readString(PROC.resolve("sys/kernel/random/boot_id")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
