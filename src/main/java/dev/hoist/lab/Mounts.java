package dev.hoist.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * This machine's mount points, read from /proc/self/mountinfo, so the lab only ever unmounts its
 * own, by path.
 */
final class Mounts {
  private Mounts() {}

  static List<Path> current() {
    try {
      return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/mountinfo", e);
    }
  }

  /**
   * The mount points of mountinfo lines (field 5), with the kernel's octal escapes (\040 for space)
   * undone.
   */
  static List<Path> parse(List<String> lines) {
    List<Path> points = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        points.add(Path.of(unescape(f[4])));
      }
    }
    return points;
  }

  static boolean isMountPoint(Path path) {
    return current().contains(path.toAbsolutePath().normalize());
  }

  /**
   * Mount points at or below {@code dir}, the last mounted first (mountinfo lists them in mount
   * order): the order to unmount them in, so an overlay goes before the tmpfs under its upper
   * layer.
   */
  static List<Path> under(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    List<Path> points =
        new ArrayList<>(current().stream().filter(p -> p.startsWith(d)).distinct().toList());
    Collections.reverse(points);
    return points;
  }

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 4 <= s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
