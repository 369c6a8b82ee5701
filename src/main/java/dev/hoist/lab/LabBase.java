package dev.hoist.lab;

import dev.hoist.node.ExecRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Debian root filesystem every node shares read-only: built once with debootstrap into a temp
 * dir, renamed into place only when complete, and rebuilt when its recipe (suite, packages, setup)
 * changes.
 */
final class LabBase {
  static final String SUITE = "bookworm";
  static final String VARIANT = "minbase";

  /** The stack's packages come preinstalled, so a deploy to a lab node needs no apt. */
  static final List<String> PACKAGES =
      List.of(
          "openssh-server",
          "python3",
          "python3-venv",
          "runit",
          "nginx",
          "gunicorn",
          "python3-flask",
          "python3-django",
          "haproxy",
          "sudo",
          "curl",
          "iproute2",
          "procps",
          "ca-certificates");

  /**
   * A systemd node's base: the same stack without runit, plus Debian's systemd as /sbin/init and
   * D-Bus (systemctl, logind and hostnamectl expect it).
   */
  static final List<String> SYSTEMD_PACKAGES =
      java.util.stream.Stream.concat(
              PACKAGES.stream().filter(p -> !p.equals("runit")),
              java.util.stream.Stream.of("systemd", "systemd-sysv", "dbus"))
          .toList();

  /** Inside the base, so the recipe and the tree it describes can only change together. */
  static final String STAMP = "etc/hoist-lab-base";

  private static final Duration DEBOOTSTRAP_TIMEOUT = Duration.ofMinutes(30);

  private final LabLayout layout;
  private final Runner runner;
  private final Consumer<String> progress;
  private final Init init;

  LabBase(LabLayout layout, Runner runner, Consumer<String> progress, Init init) {
    this.layout = layout;
    this.runner = runner;
    this.progress = progress;
    this.init = init;
  }

  static List<String> packages(Init init) {
    return init == Init.SYSTEMD ? SYSTEMD_PACKAGES : PACKAGES;
  }

  /** What the runit base is built from; a base whose stamp differs is out of date. */
  static String recipe() {
    return recipe(Init.RUNIT);
  }

  /**
   * What a base of this kind is built from. The runit recipe is the one earlier versions wrote, so
   * a cached runit base stays current.
   */
  static String recipe(Init init) {
    return (init == Init.SYSTEMD
            ? "init=systemd\nsystemd-setup=" + BaseSetup.SYSTEMD_VERSION + "\n"
            : "")
        + "suite="
        + SUITE
        + "\nvariant="
        + VARIANT
        + "\npackages="
        + String.join(",", packages(init))
        + "\nsetup="
        + BaseSetup.VERSION
        + "\n";
  }

  /** debootstrap downloads with wget, which takes apt's proxy from http_proxy. */
  static List<String> debootstrapCommand(String mirror, Path target, Optional<String> proxy) {
    return debootstrapCommand(mirror, target, proxy, PACKAGES);
  }

  static List<String> debootstrapCommand(
      String mirror, Path target, Optional<String> proxy, List<String> packages) {
    List<String> argv = new ArrayList<>();
    proxy.ifPresent(p -> argv.addAll(List.of("env", "http_proxy=" + p)));
    argv.addAll(
        List.of(
            "debootstrap",
            "--variant=" + VARIANT,
            "--include=" + String.join(",", packages),
            SUITE,
            target.toString(),
            mirror));
    return argv;
  }

  boolean exists() {
    return Files.isRegularFile(layout.base(init).resolve(STAMP));
  }

  boolean isCurrent() {
    try {
      return exists() && Files.readString(layout.base(init).resolve(STAMP)).equals(recipe(init));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Makes sure a current base exists. While nodes use the present one ({@code inUse}), an outdated
   * base is kept: its overlays cannot lose their lower layer under them.
   */
  void ensure(boolean inUse) throws LabException, InterruptedException {
    if (isCurrent()) {
      return;
    }
    if (exists() && inUse) {
      progress.accept(
          "lab: the node base is out of date (its package list or setup changed); nodes use it, so it is"
              + " kept until the next `hoist lab up` after `hoist lab down`");
      return;
    }
    build();
  }

  private void build() throws LabException, InterruptedException {
    Path base = layout.base(init);
    Path tmp = base.resolveSibling(init.baseDir() + ".building");
    removeTree(tmp);
    String mirror = HostApt.mirror(SUITE);
    Optional<String> proxy = HostApt.proxy(runner.run(List.of("apt-config", "dump")));
    progress.accept(
        "lab: building the "
            + init.label()
            + " node base (Debian "
            + SUITE
            + " "
            + VARIANT
            + " + "
            + packages(init).size()
            + " packages from "
            + mirror
            + ") into "
            + base
            + "; about a minute, done once");
    long start = System.nanoTime();
    try {
      Files.createDirectories(layout.home());
      runner.run(
          new ExecRequest(
              debootstrapCommand(mirror, tmp, proxy, packages(init)),
              null,
              DEBOOTSTRAP_TIMEOUT,
              new DebootstrapProgress(progress, start)));
      new BaseSetup(runner, tmp, init).apply();
      Files.writeString(tmp.resolve(STAMP), recipe(init));
      // Two renames: a crash between them leaves no base, and the next build starts over.
      Path old = base.resolveSibling(init.baseDir() + ".old");
      removeTree(old);
      if (Files.exists(base)) {
        Files.move(base, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, base, StandardCopyOption.ATOMIC_MOVE);
      removeTree(old);
    } catch (IOException e) {
      throw new LabException("cannot build the node base in " + tmp + ": " + e.getMessage(), e);
    } catch (LabException e) {
      throw new LabException(
          e.getMessage()
              + "\n(debootstrap's log: "
              + tmp.resolve("debootstrap/debootstrap.log")
              + "; the next `hoist lab up` starts the base over)",
          e);
    }
    progress.accept(
        String.format(
            "lab: node base ready in %d s", (System.nanoTime() - start) / 1_000_000_000L));
  }

  /** Removes every kind's base and any half-built one; only when no node uses them. */
  void purge() throws LabException, InterruptedException {
    for (Init kind : Init.values()) {
      for (String suffix : List.of("", ".building", ".old")) {
        removeTree(layout.home().resolve(kind.baseDir() + suffix));
      }
    }
  }

  /**
   * Deletes a tree without crossing into mounts (a crashed debootstrap can leave /proc mounted in
   * it).
   */
  private void removeTree(Path dir) throws LabException, InterruptedException {
    if (!Files.exists(dir)) {
      return;
    }
    for (Path mount : Mounts.under(dir)) {
      runner.run(List.of("umount", "--lazy", mount.toString()));
    }
    runner.run(
        ExecRequest.of(
            List.of("rm", "-rf", "--one-file-system", dir.toString()), Duration.ofMinutes(5)));
  }

  /**
   * Condenses debootstrap's line per package into a line per phase, with the seconds since the
   * start.
   */
  static final class DebootstrapProgress implements Consumer<String> {
    /** Validating alternates with Retrieving package by package, so it is no phase of its own. */
    private static final List<String> PHASES =
        List.of("Retrieving", "Extracting", "Unpacking", "Configuring");

    private final Consumer<String> progress;
    private final long start;
    private final List<String> seen = new ArrayList<>();

    DebootstrapProgress(Consumer<String> progress, long start) {
      this.progress = progress;
      this.start = start;
    }

    @Override
    public void accept(String line) {
      String[] w = line.startsWith("I: ") ? line.substring(3).split(" ") : new String[0];
      // Package lines name a package (lower case); "Retrieving Packages" and the like are metadata.
      boolean perPackage =
          w.length >= 2 && PHASES.contains(w[0]) && Character.isLowerCase(w[1].charAt(0));
      String word = perPackage ? w[0] : "";
      if (perPackage && !seen.contains(word)) {
        seen.add(word);
        progress.accept(
            String.format(
                "  %3d s  %s packages",
                (System.nanoTime() - start) / 1_000_000_000L,
                word.toLowerCase(java.util.Locale.ROOT)));
      } else if (line.startsWith("W: ") || line.startsWith("E: ")) {
        progress.accept("  " + line);
      }
    }
  }
}
