package dev.hoist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package graph one-way, as DESIGN.md and docs/architecture.md list it: a package uses
 * only packages on lower rows. Same-row packages know nothing of each other, so the graph has no
 * cycle. A new package must be given its row here.
 */
class PackageGraphTest {
  private static final Path MAIN = Path.of("src/main/java/dev/hoist");

  /**
   * Top to bottom. Planned rooms ({@code secrets} ... {@code provider}) have their rows already.
   */
  private static final List<List<String>> ROWS =
      List.of(
          List.of("cli"),
          List.of("server"),
          List.of("rollout"),
          List.of("secrets", "services", "tls", "provider"),
          List.of("ops", "build"),
          List.of("release", "fleet"),
          List.of("health"),
          List.of("stack"),
          List.of("engine"),
          List.of("ssh", "lab"),
          List.of("node"),
          List.of("project", "scaffold"));

  // An import, or a name written out in full (dev.hoist.fleet.Trace.mark(...)).
  private static final Pattern USE = Pattern.compile("\\bdev\\.hoist\\.([a-z]+)\\.[A-Za-z]");

  record Use(Path file, int line, String from, String to) {}

  @Test
  void everyPackageHasARow() throws IOException {
    try (Stream<Path> dirs = Files.list(MAIN)) {
      List<String> unplaced =
          dirs.filter(Files::isDirectory)
              .map(d -> d.getFileName().toString())
              .filter(p -> row(p) < 0)
              .toList();
      assertThat(unplaced)
          .as("packages without a row in PackageGraphTest.ROWS (place them as DESIGN.md says)")
          .isEmpty();
    }
  }

  @Test
  void packagesUseOnlyThoseBelowThem() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (Use use : uses()) {
      if (row(use.to()) <= row(use.from())) {
        wrong.add(
            use.file()
                + ":"
                + use.line()
                + ": "
                + use.from()
                + " uses dev.hoist."
                + use.to()
                + (row(use.to()) == row(use.from()) ? " (same row)" : " (a row above)"));
      }
    }
    assertThat(wrong).as("uses against the package order (see ROWS)").isEmpty();
  }

  @Test
  void secretsSitAboveReleaseAndFleetBelowTheCommands() {
    assertThat(row("secrets")).isGreaterThan(row("cli")).isLessThan(row("release"));
    assertThat(row("secrets")).isLessThan(row("fleet"));
  }

  private static int row(String pkg) {
    for (int i = 0; i < ROWS.size(); i++) {
      if (ROWS.get(i).contains(pkg)) {
        return i;
      }
    }
    return -1;
  }

  private static List<Use> uses() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files
          .filter(f -> f.toString().endsWith(".java"))
          .flatMap(PackageGraphTest::uses)
          .toList();
    }
  }

  private static Stream<Use> uses(Path file) {
    String from = MAIN.relativize(file).getName(0).toString();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Use> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("package ")) {
        continue;
      }
      Matcher m = USE.matcher(line);
      while (m.find()) {
        if (!m.group(1).equals(from)) {
          found.add(new Use(file, i + 1, from, m.group(1)));
        }
      }
    }
    return found.stream();
  }
}
