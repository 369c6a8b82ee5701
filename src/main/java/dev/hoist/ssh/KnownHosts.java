package dev.hoist.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * An OpenSSH known_hosts file, read line by line so that a verdict can name its line: plain and
 * hashed ({@code |1|salt|hash}) host patterns, {@code [host]:port} for other ports than 22,
 * wildcards and negations, {@code @revoked} markers, several key types per host.
 */
final class KnownHosts {
  /** One usable line: its number (from 1) and what it says. */
  record Line(int number, KnownHostEntry entry, PublicKey key) {
    /** MINA gives the marker without its '@'. */
    boolean revoked() {
      return "revoked".equals(entry.getMarker());
    }
  }

  /** What the file says about a key a host offered. */
  sealed interface Verdict {}

  /** A line names this host with exactly this key. */
  record Known(int line) implements Verdict {}

  /** No line names this host with a key of this type; {@code otherTypes} lists the types it has. */
  record Unknown(List<String> otherTypes) implements Verdict {}

  /** A line names this host with another key of the same type. */
  record Changed(int line, PublicKey known) implements Verdict {}

  /** A {@code @revoked} line lists this key. */
  record Revoked(int line) implements Verdict {}

  private final Path file;
  private final List<Line> lines;

  private KnownHosts(Path file, List<Line> lines) {
    this.file = file;
    this.lines = lines;
  }

  Path file() {
    return file;
  }

  /**
   * Reads {@code file}; a missing file knows no host. Lines that do not parse are passed over, as
   * ssh does.
   */
  static KnownHosts read(Path file) throws IOException {
    List<String> text;
    try {
      text = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      text = List.of();
    }
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < text.size(); i++) {
      Line line = parse(i + 1, text.get(i).strip());
      if (line != null) {
        lines.add(line);
      }
    }
    return new KnownHosts(file, lines);
  }

  private static Line parse(int number, String text) {
    if (text.isEmpty() || text.startsWith("#")) {
      return null;
    }
    try {
      KnownHostEntry entry = KnownHostEntry.parseKnownHostEntry(text);
      if (entry == null || entry.getKeyEntry() == null) {
        return null;
      }
      PublicKey key = entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
      return key == null ? null : new Line(number, entry, key);
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  /** What this file says about {@code key}, offered by {@code host} on {@code port}. */
  Verdict check(String host, int port, PublicKey key) {
    String type = KeyUtils.getKeyType(key);
    List<String> otherTypes = new ArrayList<>();
    Changed changed = null;
    Known known = null;
    for (Line line : lines) {
      if (!line.entry().isHostMatch(host, port)) {
        continue;
      }
      boolean same = KeyUtils.compareKeys(line.key(), key);
      if (line.revoked()) {
        if (same) {
          return new Revoked(line.number());
        }
      } else if (line.entry().getMarker() != null) {
        // @cert-authority: Hoist does not do host certificates; the line is skipped
      } else if (same) {
        known = known == null ? new Known(line.number()) : known;
      } else if (KeyUtils.getKeyType(line.key()).equals(type)) {
        changed = changed == null ? new Changed(line.number(), line.key()) : changed;
      } else if (!otherTypes.contains(KeyUtils.getKeyType(line.key()))) {
        otherTypes.add(KeyUtils.getKeyType(line.key()));
      }
    }
    // Like ssh: a line with the very key wins over a stale line of the same type elsewhere.
    if (known != null) {
      return known;
    }
    return changed != null ? changed : new Unknown(List.copyOf(otherTypes));
  }

  /**
   * The key types this file knows for {@code host}:{@code port}, to ask the server for those first.
   */
  List<String> typesFor(String host, int port) {
    return lines.stream()
        .filter(l -> l.entry().getMarker() == null && l.entry().isHostMatch(host, port))
        .map(l -> KeyUtils.getKeyType(l.key()))
        .distinct()
        .toList();
  }

  /** The host pattern ssh writes: the name for port 22, {@code [host]:port} otherwise. */
  static String pattern(String host, int port) {
    return port == SshTarget.DEFAULT_PORT ? host : "[" + host + "]:" + port;
  }

  /**
   * Appends {@code pattern key} as a new line, creating the file (0600) and its directory (0700)
   * when missing.
   */
  static void append(Path file, String host, int port, HostKey key) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    String line = pattern(host, port) + " " + key.openSsh() + "\n";
    byte[] existing = Files.readAllBytes(file);
    // A file whose last line has no newline would glue the new entry onto it.
    if (existing.length > 0 && existing[existing.length - 1] != '\n') {
      line = "\n" + line;
    }
    Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }
}
