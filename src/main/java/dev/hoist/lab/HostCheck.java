package dev.hoist.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses early, with what to do, when the lab cannot work here: not root, a tool missing, no
 * overlayfs.
 */
final class HostCheck {
  /** Each tool the lab runs, and the Debian package that has it. */
  static final Map<String, String> PACKAGES = new LinkedHashMap<>();

  static {
    PACKAGES.put("debootstrap", "debootstrap");
    PACKAGES.put("chroot", "coreutils");
    PACKAGES.put("ssh-keygen", "openssh-client");
    PACKAGES.put("ip", "iproute2");
    PACKAGES.put("nft", "nftables");
    PACKAGES.put("unshare", "util-linux");
    PACKAGES.put("nsenter", "util-linux");
    PACKAGES.put("setsid", "util-linux");
    PACKAGES.put("mount", "mount");
    PACKAGES.put("umount", "mount");
    PACKAGES.put("systemd-nspawn", "systemd-container");
  }

  private HostCheck() {}

  static void requireRoot(String what) throws LabException {
    if (!isRoot()) {
      throw new LabException(
          "hoist lab must run as root to "
              + what
              + " (it mounts filesystems and creates network"
              + " namespaces); run: sudo hoist lab ...");
    }
  }

  static void requireTools(List<String> tools) throws LabException {
    List<String> missing = tools.stream().filter(t -> Runner.which(t).isEmpty()).toList();
    if (!missing.isEmpty()) {
      throw new LabException(missingMessage(missing));
    }
  }

  /** Names each missing tool with its package, and the one apt-get line that installs them all. */
  static String missingMessage(List<String> missing) {
    List<String> named = new ArrayList<>();
    List<String> packages = new ArrayList<>();
    for (String tool : missing) {
      String pkg = PACKAGES.getOrDefault(tool, tool);
      named.add(tool + " (package " + pkg + ")");
      if (!packages.contains(pkg)) {
        packages.add(pkg);
      }
    }
    return "hoist lab needs programs this machine lacks: "
        + String.join(", ", named)
        + "; install them with: apt-get install "
        + String.join(" ", packages)
        + " (or run scripts/install-test-deps.sh from Hoist's source tree)";
  }

  static void requireOverlayfs() throws LabException {
    try {
      if (Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n")) {
        return;
      }
    } catch (IOException e) {
      // Fall through to the message below.
    }
    throw new LabException(
        "this kernel has no overlayfs, which lab nodes need for their disks; try: modprobe overlay");
  }

  private static boolean isRoot() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("Uid:"))
          .findFirst()
          .map(l -> l.split("\\s+")[2].equals("0"))
          .orElse(false);
    } catch (IOException e) {
      return Optional.ofNullable(System.getProperty("user.name")).map("root"::equals).orElse(false);
    }
  }
}
