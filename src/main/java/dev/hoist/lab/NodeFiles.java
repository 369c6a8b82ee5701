package dev.hoist.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * Writes a node's own files into its root from this machine, and the texts of the ones the lab
 * generates.
 */
final class NodeFiles {
  private NodeFiles() {}

  /**
   * Writes via a temp file and a rename: a running node never sees half a file, and a link the node
   * put at {@code file} is replaced, not followed into this machine's filesystem.
   */
  static void write(Path file, String text, String mode) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".hoist-lab");
    Files.deleteIfExists(tmp);
    Files.writeString(tmp, text);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static String hosts(List<NodeSpec> nodes) {
    StringBuilder s =
        new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
            .append(NodeSpec.GATEWAY)
            .append("\thoist-lab-host\n");
    for (NodeSpec n : nodes) {
      s.append(n.address()).append('\t').append(n.name()).append('\n');
    }
    return s.toString();
  }

  /**
   * The host's resolvers; a loopback stub (systemd-resolved) is useless inside a node, so its
   * upstreams then.
   */
  static String resolvConf() throws IOException {
    String host = Files.readString(Path.of("/etc/resolv.conf"));
    Path upstream = Path.of("/run/systemd/resolve/resolv.conf");
    return onlyLoopback(host) && Files.isRegularFile(upstream) ? Files.readString(upstream) : host;
  }

  static boolean onlyLoopback(String resolvConf) {
    List<String> servers =
        resolvConf
            .lines()
            .map(String::strip)
            .filter(l -> l.startsWith("nameserver"))
            .map(l -> l.substring("nameserver".length()).strip())
            .toList();
    return !servers.isEmpty()
        && servers.stream().allMatch(a -> a.startsWith("127.") || a.equals("::1"));
  }

  /**
   * Puts {@code publicKey} in the user's ~/.ssh/authorized_keys, owned by the user as the node's
   * passwd says.
   */
  static void authorize(Path root, String user, String publicKey) throws IOException {
    Account a =
        account(root, user).orElseThrow(() -> new IOException("the base has no user " + user));
    Path ssh = root.resolve(a.home().substring(1)).resolve(".ssh");
    Path keys = ssh.resolve("authorized_keys");
    write(keys, publicKey, "rw-------");
    Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
    for (Path p : List.of(ssh, keys)) {
      // Numeric ids: this machine's user names mean nothing inside the node.
      Files.setAttribute(p, "unix:uid", a.uid(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", a.gid(), LinkOption.NOFOLLOW_LINKS);
    }
  }

  record Account(int uid, int gid, String home) {}

  static Optional<Account> account(Path root, String user) throws IOException {
    return parsePasswd(Files.readAllLines(root.resolve("etc/passwd")), user);
  }

  static Optional<Account> parsePasswd(List<String> lines, String user) {
    return lines.stream()
        .map(l -> l.split(":", -1))
        .filter(f -> f.length >= 7 && f[0].equals(user))
        .findFirst()
        .map(f -> new Account(Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5]));
  }

  /** The last {@code n} lines of a log, for error messages. */
  static String tail(Path log, int n) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e.getMessage() + ")";
    }
  }
}
